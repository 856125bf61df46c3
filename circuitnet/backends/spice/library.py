"""libngspice in this process, through PySpice's cffi bindings, with circuitnet's own rules.

PySpice 1.5 raises on any stderr line that does not start with ``Warning:`` (so on benign
notes, and on every run of ngspice >= 42, which prints "Using SPARSE ..."), returns numbers
from failed analyses, and never removes circuits (memory grows with every run). This class
keeps PySpice's loading and callbacks (through ``pyspice_adapter``, the one place that
touches PySpice's internals) but captures ngspice's output, classifies it with
``messages.failure_lines``, and removes every plot and circuit after each run.

It also chooses the linear solver of each netlist (``solver.solver_for``: by the netlist's
size, KLU only where the library has it), adds that option line to the netlist, and reads
back from ngspice's output which solver the run used (``last_solver``).

libngspice keeps its state in C globals: one instance per process, and only in a process
whose working folder and HOME hold no ``.spiceinit`` (see ``workers``).
"""

from __future__ import annotations

import numpy as np

from ...errors import NgspiceNotFoundError, SimulationError
from .messages import SOLVER_SENSITIVE_PHRASES, failure_lines
from .pyspice_adapter import DEFAULT_LIBRARY, capturing_shared_class
from .solver import (
    KLU,
    KLU_FROM_ELEMENTS,
    OPTION_LINES,
    PROBE_NETLIST,
    SPARSE,
    NgspiceInfo,
    netlist_elements,
    ngspice_info,
    read_version,
    requested_solver,
    solver_for,
    solver_in_output,
    with_solver,
)

# ngspice's command history grows with every run; it is freed this often.
_RUNS_PER_HISTORY_RELEASE = 500


class NgspiceLibrary:
    """The process's libngspice: run a netlist, get its vectors or a SimulationError.

    solver: "auto" (by size), "klu" (KLU when the library has it) or "sparse"; see ``solver``.
    ``info`` says which version was loaded and which solver its probe used; ``last_solver``
    which one the last run used ("KLU" or "Sparse", as ngspice printed it).
    """

    def __init__(self, solver: str | None = None) -> None:
        self._runs = 0
        self.last_solver = SPARSE
        try:
            self._shared = capturing_shared_class()()
        except OSError as error:
            raise NgspiceNotFoundError(
                f"can't load {DEFAULT_LIBRARY} ({error}); install it with 'sudo apt-get install libngspice0' "
                f"or point NGSPICE_LIBRARY_PATH at it"
            ) from None
        self.info = self._choose_solver(requested_solver(solver))

    def _choose_solver(self, requested: str) -> NgspiceInfo:
        """Read the library's version, then run a trivial circuit with the planned solver's option
        and read which solver ngspice says it used. A library without KLU gets no option line:
        ngspice before 42 has only Sparse and would not know the option."""
        shared = self._shared
        shared.captured.clear()
        shared.command("version")
        version_text = "\n".join(shared.captured)
        _, self._has_klu = read_version(version_text)
        self._requested = requested
        probe = solver_for(requested, self._has_klu, elements=KLU_FROM_ELEMENTS)  # what a large netlist gets
        self._run_plain(PROBE_NETLIST.format(option=OPTION_LINES[probe] if self._has_klu else ""))
        return ngspice_info(requested, version_text, "\n".join(shared.captured))

    @property
    def unusable(self) -> bool:
        """True once ngspice asked to exit: the process must be replaced."""
        return self._shared.exit_requested

    def run(self, netlist: str) -> dict[str, np.ndarray]:
        """Load ``netlist`` (with its analysis line), run it and return its vectors.

        Raises SimulationError with ngspice's own words when any line it printed reports a
        failure, or when it produced no data; a DC point that KLU leaves unsolved is run again
        with Sparse 1.3 first. The circuit and its plots are removed afterwards
        either way, so memory does not grow from run to run.
        """
        if not self._has_klu:  # ngspice before 42 has only Sparse and would not know the option
            return self._run_plain(netlist)
        planned = solver_for(self._requested, self._has_klu, netlist_elements(netlist))
        try:
            return self._run_plain(with_solver(netlist, planned))
        except SimulationError as error:
            if planned != KLU or not any(phrase in str(error).lower() for phrase in SOLVER_SENSITIVE_PHRASES):
                raise
        # KLU keeps its first pivot order while it refactors; on a rare DC point (met on boards
        # with op-amp offsets) Newton then stalls, where Sparse 1.3, which pivots afresh, solves it
        return self._run_plain(with_solver(netlist, SPARSE))

    def _run_plain(self, netlist: str) -> dict[str, np.ndarray]:
        """``run`` of the netlist as it is."""
        shared = self._shared
        shared.captured.clear()
        try:
            shared.load(netlist)
            failures = failure_lines("\n".join(shared.captured))
            if not failures:
                shared.command("run")
                failures = failure_lines("\n".join(shared.captured))
            vectors = {} if failures else shared.vectors()
            self.last_solver = solver_in_output("\n".join(shared.captured))
        finally:
            shared.command("destroy all")
            shared.command("remcirc")
            self._runs += 1
            if self._runs % _RUNS_PER_HISTORY_RELEASE == 0:
                shared.forget_history()
        if failures:
            raise SimulationError("ngspice: " + " | ".join(failures[:6]))
        if not vectors:
            raise SimulationError("ngspice produced no data: " + " | ".join(shared.captured[-6:]))
        return vectors
