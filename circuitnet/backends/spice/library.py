"""libngspice in this process, through PySpice's cffi bindings, with circuitnet's own rules.

PySpice 1.5 raises on any stderr line that does not start with ``Warning:`` (so on benign
notes, and on every run of ngspice >= 42, which prints "Using SPARSE ..."), returns numbers
from failed analyses, and never removes circuits (memory grows with every run). This class
keeps PySpice's loading and callbacks but captures ngspice's output, classifies it with
``messages.failure_lines``, and removes every plot and circuit after each run.

libngspice keeps its state in C globals: one instance per process, and only in a process
whose working folder and HOME hold no ``.spiceinit`` (see ``workers``).
"""

from __future__ import annotations

import logging
import os

import numpy as np

from ...errors import NgspiceNotFoundError, SimulationError
from .messages import failure_lines

# libngspice0 ships only the versioned name; PySpice 1.5 asks for the -dev symlink.
DEFAULT_LIBRARY = "libngspice.so.0"
# ngspice's command history grows by about 1 KB per run; it is freed this often.
_RUNS_PER_HISTORY_RELEASE = 500


def _shared_class():
    """PySpice's NgSpiceShared, subclassed to capture output instead of judging it."""
    logging.getLogger("PySpice").setLevel(logging.ERROR)  # "Unsupported Ngspice version" is noise
    from PySpice.Spice.NgSpice.Shared import NgSpiceShared, ffi

    class CapturingNgSpiceShared(NgSpiceShared):
        LIBRARY_PATH = os.environ.get("NGSPICE_LIBRARY_PATH", DEFAULT_LIBRARY)

        def __init__(self):
            self.captured: list[str] = []
            self.exit_requested = False
            super().__init__(ngspice_id=0, send_data=False)

        @staticmethod
        def _send_char(message_c, ngspice_id, user_data):
            self = ffi.from_handle(user_data)
            message = ffi.string(message_c).decode("utf-8", "replace")
            stream, _, content = message.partition(" ")
            (self._stderr if stream == "stderr" else self._stdout).append(content)
            self.captured.append(content)
            return 0

        @staticmethod
        def _exit(exit_status, immediate_unloading, quit_exit, ngspice_id, user_data):
            # ngspice wants to exit (a fatal error): this library can't be trusted any more.
            ffi.from_handle(user_data).exit_requested = True
            return exit_status

        def command(self, text: str) -> None:
            self._ngspice_shared.ngSpice_Command(text.encode("ascii"))

        def forget_history(self) -> None:
            """ngspice keeps every command it was sent; a NULL command frees that history."""
            self._ngspice_shared.ngSpice_Command(ffi.NULL)

        def load(self, netlist: str) -> None:
            lines = [line for line in netlist.splitlines() if line.strip()] + [""]
            keep = [ffi.new("char[]", line.encode("utf-8")) for line in lines] + [ffi.NULL]
            self._ngspice_shared.ngSpice_Circ(ffi.new("char *[]", keep))

        def vectors(self) -> dict[str, np.ndarray]:
            """Every real vector of the current plot, by lowercase name."""
            shared = self._ngspice_shared
            plot = ffi.string(shared.ngSpice_CurPlot()).decode()
            names = shared.ngSpice_AllVecs(plot.encode())
            found, i = {}, 0
            while names[i] != ffi.NULL:
                name = ffi.string(names[i]).decode()
                i += 1
                info = shared.ngGet_Vec_Info(f"{plot}.{name}".encode())
                if info == ffi.NULL or info.v_realdata == ffi.NULL:
                    continue
                found[name.lower()] = np.frombuffer(ffi.buffer(info.v_realdata, info.v_length * 8),
                                                    dtype=np.float64).copy()
            return found

    return CapturingNgSpiceShared


class NgspiceLibrary:
    """The process's libngspice: run a netlist, get its vectors or a SimulationError."""

    def __init__(self) -> None:
        self._runs = 0
        try:
            self._shared = _shared_class()()
        except OSError as error:
            raise NgspiceNotFoundError(
                f"can't load {DEFAULT_LIBRARY} ({error}); install it with 'sudo apt-get install libngspice0' "
                f"or point NGSPICE_LIBRARY_PATH at it"
            ) from None

    @property
    def unusable(self) -> bool:
        """True once ngspice asked to exit: the process must be replaced."""
        return self._shared.exit_requested

    def run(self, netlist: str) -> dict[str, np.ndarray]:
        """Load ``netlist`` (with its analysis line), run it and return its vectors.

        Raises SimulationError with ngspice's own words when any line it printed reports a
        failure, or when it produced no data. The circuit and its plots are removed afterwards
        either way, so memory does not grow from run to run.
        """
        shared = self._shared
        shared.captured.clear()
        try:
            shared.load(netlist)
            failures = failure_lines("\n".join(shared.captured))
            if not failures:
                shared.command("run")
                failures = failure_lines("\n".join(shared.captured))
            vectors = {} if failures else shared.vectors()
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
