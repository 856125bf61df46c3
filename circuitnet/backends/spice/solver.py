"""Which ngspice is loaded, and which direct linear solver its analyses use.

ngspice 42 added the KLU sparse solver (``.options klu``) and 43 builds it by default, but the
default at run time is still Sparse 1.3. On circuitnet's large circuits KLU is several times
faster with the same outputs (7.1x on the 784-100-10 classifier, benchmarks/RESULTS.md), but on
small ones Sparse is faster, so ``auto`` chooses by the netlist's size: Sparse below
KLU_FROM_ELEMENTS elements, KLU from there on (see that constant for the measurement). A
worker reads once, when it starts, the library's ``version`` text (its version and whether it
was built with KLU) and runs a trivial circuit to see ngspice's own "Using ... as Direct
Linear Solver" line; after each run it reads that line again, so what a report says ran is
what ngspice said it used (``used_by_runs``).

``requested`` is one of SOLVERS: ``auto`` (by size, KLU only where the library has it), ``klu``
(KLU for every netlist; the note says when it is missing) or ``sparse`` (Sparse 1.3 even where
KLU exists: the old path, kept reachable so that a benchmark can measure both in one run). The
environment variable ``CIRCUITNET_NGSPICE_SOLVER`` sets the default of every pool made
without a ``solver``.
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

# Measured (python -m benchmarks solver-size, benchmarks/RESULTS.md: the worker's CPU per run, KLU
# and Sparse in turns, ngspice 46, a 2-core machine shared with other jobs): below about 700
# elements Sparse is as fast or faster in every shape tried, up to 15 % (the 32-neuron sweep,
# 319 elements: 36.7 against 43.3 ms; a 4-32-2 sample set, 463: 0.93x); from about 700 KLU is
# faster, the more so the larger (8-32-4 sample set, 713 elements: 1.15x; 16-64-10, 2,337:
# 1.42x; 64-64-10, 5,601: 2.1x; 784-100-10, 83,466: 5.8x). Sweeps of one-input circuits are the
# exception near the crossover: even (1.00-1.04x) up to about 1,200 elements.
KLU_FROM_ELEMENTS = 700
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
        return f"ngspice {self.version}, {solver_phrase(self.solver)}" + (f" ({self.note})" if self.note else "")


def solver_phrase(solver: str) -> str:
    """NgspiceInfo.solver in words: "KLU solver", or "KLU and Sparse solvers" when runs used both."""
    return f"{solver} solver" + ("s" if " and " in solver else "")


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
    """The solver a worker probes for when it starts: KLU when it may use it ("auto" or "klu")
    and it is built in."""
    return KLU if requested != "sparse" and has_klu else SPARSE


def solver_for(requested: str, has_klu: bool, elements: int) -> str:
    """The solver a worker asks ngspice for on a netlist of ``elements`` element lines (see
    ``netlist_elements``): "sparse" Sparse; "klu" KLU where built in; "auto" KLU where built in
    and the netlist has at least KLU_FROM_ELEMENTS elements, Sparse below (faster there)."""
    if requested == "auto" and elements < KLU_FROM_ELEMENTS:
        return SPARSE
    return planned_solver(requested, has_klu)


def netlist_elements(netlist: str) -> int:
    """The element lines of a netlist (each line that starts with a letter, outside
    ``.control`` blocks): the measure of size ``solver_for`` takes. A subcircuit instance counts
    as one element. Only the start of each line is read, so a sample set's long pwl lines cost
    nothing extra."""
    count, in_control = 0, False
    for line in netlist.split("\n"):
        head = line[:8].lower()
        if in_control:
            in_control = not head.startswith(".endc")
        elif head.startswith(".control"):
            in_control = True
        elif head[:1].isalpha():
            count += 1
    return count


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


def used_by_runs(info: NgspiceInfo, used: set[str], requested: str) -> NgspiceInfo:
    """What a pool's reports say: ``info`` (from a worker's start) with ``solver`` the solvers
    its runs used ("KLU", "Sparse", or "KLU and Sparse" when the sizes differed), and the note
    why Sparse ran where KLU exists. A pool that has run nothing reports its workers' probe."""
    if not used:
        return info
    solver = " and ".join(sorted(used))
    note = info.note
    if SPARSE in used and info.has_klu and requested == "auto":
        below = f"fewer than {KLU_FROM_ELEMENTS:,} elements"
        note = (f"Sparse for netlists of {below}, where it is faster than KLU" if used == {SPARSE} else
                f"KLU from {KLU_FROM_ELEMENTS:,} elements, Sparse for {below} or where KLU left a DC point unsolved")
    elif used == {KLU}:
        note = None
    return NgspiceInfo(version=info.version, has_klu=info.has_klu, solver=solver, note=note)


def with_solver(netlist: str, solver: str) -> str:
    """``netlist`` with the option line that selects ``solver`` ("KLU" or "Sparse") just before
    its ``.end`` (or at its end), where it overrides any solver option the netlist carries."""
    option = OPTION_LINES[solver]
    lines = netlist.rstrip("\n").split("\n")
    if lines and lines[-1].strip().lower() == ".end":
        return "\n".join(lines[:-1] + [option, lines[-1]]) + "\n"
    return "\n".join(lines + [option]) + "\n"
