"""Which ngspice is loaded, and which direct linear solver its analyses use.

ngspice 42 added the KLU sparse solver (``.options klu``) and 43 builds it by default, but the
default at run time is still Sparse 1.3. On circuitnet's large circuits KLU is about 4x faster
with the same outputs (benchmarks/RESULTS.md), so a worker turns it on whenever the loaded
library has it and falls back to Sparse, with a note, when it does not. The choice is made
once per worker process: the library's ``version`` text says its version and whether it was
built with KLU, and a trivial circuit run with the chosen option shows, in ngspice's own
"Using ... as Direct Linear Solver" line, which solver it really uses.

``requested`` is one of SOLVERS: ``auto`` (KLU when available), ``klu`` (the same; the note
says when it is missing) or ``sparse`` (Sparse 1.3 even where KLU exists: the old path, kept
reachable so that a benchmark can measure both in one run). The environment variable
``CIRCUITNET_NGSPICE_SOLVER`` sets the default of every pool made without a ``solver``.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass

from ...errors import UsageError

SOLVERS = ("auto", "klu", "sparse")
SOLVER_VARIABLE = "CIRCUITNET_NGSPICE_SOLVER"
KLU, SPARSE = "KLU", "Sparse"
# ngspice reads the last ``.options`` line that names a solver (checked with ngspice 46), so a
# worker's choice goes after the netlist's own options, just before ``.end``.
OPTION_LINES = {KLU: ".options klu", SPARSE: ".options sparse"}
# A circuit small enough to cost nothing, big enough to be solved: the run prints the solver line.
PROBE_NETLIST = "* circuitnet solver probe\nV1 a 0 DC 1\nR1 a 0 1k\n{option}\n.op\n.end\n"

_VERSION = re.compile(r"ngspice-(\S+)")
_SOLVER_LINE = re.compile(r"using\s+(klu|sparse)\b.*direct linear solver", re.IGNORECASE)


@dataclass(frozen=True)
class NgspiceInfo:
    """version: the loaded library's version (e.g. "46"); has_klu: it was built with KLU;
    solver: what its analyses use, "KLU" or "Sparse"; note: why that is not KLU, or None."""

    version: str
    has_klu: bool
    solver: str
    note: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> str:
        """One line for a report, e.g. "ngspice 46, KLU solver"."""
        return f"ngspice {self.version}, {self.solver} solver" + (f" ({self.note})" if self.note else "")


def requested_solver(value: str | None = None) -> str:
    """The solver asked for: ``value``, else $CIRCUITNET_NGSPICE_SOLVER, else "auto"."""
    chosen = (value or os.environ.get(SOLVER_VARIABLE) or "auto").strip().lower()
    if chosen not in SOLVERS:
        raise UsageError(f"ngspice solver {chosen!r} (from {'the solver argument' if value else SOLVER_VARIABLE}) "
                         f"is not one of {', '.join(SOLVERS)}; choose one of them")
    return chosen


def read_version(text: str) -> tuple[str, bool]:
    """(version, built with KLU) from the output of ngspice's ``version`` command."""
    match = _VERSION.search(text)
    return (match.group(1) if match else "unknown"), "compiled with klu" in text.lower()


def planned_solver(requested: str, has_klu: bool) -> str:
    """The solver a worker asks ngspice for: KLU when it is requested (or "auto") and built in."""
    return KLU if requested != "sparse" and has_klu else SPARSE


def solver_in_output(output: str) -> str:
    """The solver named by ngspice's "Using ... as Direct Linear Solver" line; ngspice before
    42 prints none and has only Sparse."""
    match = _SOLVER_LINE.search(output)
    return KLU if match and match.group(1).lower() == "klu" else SPARSE


def ngspice_info(requested: str, version_text: str, probe_output: str) -> NgspiceInfo:
    """What a worker found: the library's version and the solver its probe run used."""
    version, has_klu = read_version(version_text)
    used = solver_in_output(probe_output)
    note = None
    if used != KLU and requested != "sparse":
        note = (f"ngspice {version} has no KLU solver, so circuitnet uses Sparse 1.3, about 4x slower on large "
                f"circuits with the same outputs; install ngspice 43 or newer with KLU (make demo does)")
    elif used != KLU:
        note = "Sparse was asked for"
    return NgspiceInfo(version=version, has_klu=has_klu, solver=used, note=note)


def with_solver(netlist: str, solver: str) -> str:
    """``netlist`` with the option line that selects ``solver`` ("KLU" or "Sparse") just before
    its ``.end`` (or at its end), where it overrides any solver option the netlist carries."""
    option = OPTION_LINES[solver]
    lines = netlist.rstrip("\n").split("\n")
    if lines and lines[-1].strip().lower() == ".end":
        return "\n".join(lines[:-1] + [option, lines[-1]]) + "\n"
    return "\n".join(lines + [option]) + "\n"
