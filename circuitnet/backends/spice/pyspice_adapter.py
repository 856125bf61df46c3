"""The one place circuitnet touches PySpice's internals.

PySpice 1.5 (the last release) loads libngspice through cffi and registers its callbacks,
which circuitnet keeps; but it judges ngspice's output wrongly (see ``library``), so its
class is subclassed here to capture output instead. That subclass relies on private parts of
``PySpice.Spice.NgSpice.Shared.NgSpiceShared``: the ``_send_char`` and ``_exit`` callbacks it
registers, the ``_ngspice_shared`` cffi handle, the ``_stdout`` / ``_stderr`` lists, and its
constructor's ``ngspice_id`` and ``send_data`` arguments. ``check_internals`` says clearly
which of them a PySpice release lacks, before anything is loaded; a test runs it.
"""

from __future__ import annotations

import inspect
import logging
import os

import numpy as np

from ...errors import NgspiceNotFoundError

# libngspice0 ships only the versioned name; PySpice 1.5 asks for the -dev symlink.
DEFAULT_LIBRARY = "libngspice.so.0"
SUPPORTED = "PySpice 1.5"
# what the subclass overrides or calls: class attributes, then names set in methods' source
CLASS_ATTRIBUTES = ("_send_char", "_exit", "LIBRARY_PATH")
INSTANCE_ATTRIBUTES = ("_ngspice_shared", "_stdout", "_stderr")
CONSTRUCTOR_ARGUMENTS = ("ngspice_id", "send_data")
FFI_FUNCTIONS = ("from_handle", "string", "new", "buffer")


class PySpiceChangedError(NgspiceNotFoundError):
    """The installed PySpice lacks an internal part circuitnet relies on."""


def check_internals(shared_class=None, ffi=None) -> None:
    """Raise PySpiceChangedError naming every internal part of PySpice that circuitnet uses
    and the given (default: the installed) NgSpiceShared class or cffi handle lacks."""
    if shared_class is None or ffi is None:
        from PySpice.Spice.NgSpice.Shared import NgSpiceShared
        from PySpice.Spice.NgSpice.Shared import ffi as pyspice_ffi
        shared_class, ffi = shared_class or NgSpiceShared, ffi or pyspice_ffi
    source = inspect.getsource(shared_class)
    missing = [f"NgSpiceShared.{name}" for name in CLASS_ATTRIBUTES if not hasattr(shared_class, name)]
    missing += [f"NgSpiceShared().{name}" for name in INSTANCE_ATTRIBUTES if f"self.{name}" not in source]
    parameters = inspect.signature(shared_class.__init__).parameters
    missing += [f"NgSpiceShared({name}=...)" for name in CONSTRUCTOR_ARGUMENTS if name not in parameters]
    missing += [f"ffi.{name}" for name in FFI_FUNCTIONS if not hasattr(ffi, name)]
    if missing:
        raise PySpiceChangedError(
            f"the installed PySpice lacks {', '.join(missing)}, which circuitnet's ngspice layer uses; "
            f"circuitnet supports {SUPPORTED}: pip install PySpice==1.5"
        )


def capturing_shared_class():
    """PySpice's NgSpiceShared, subclassed to capture ngspice's output instead of judging it."""
    logging.getLogger("PySpice").setLevel(logging.ERROR)  # "Unsupported Ngspice version" is noise
    check_internals()
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
            """Every vector of the current plot, by lowercase name: float64, or complex128 for
            an AC analysis's complex vectors."""
            return _current_plot_vectors(self._ngspice_shared, ffi)

    return CapturingNgSpiceShared


def _current_plot_vectors(shared, ffi) -> dict[str, np.ndarray]:
    """Every vector of ngspice's current plot, by lowercase name (see ``vectors``); shared:
    the loaded library, ffi: PySpice's cffi handle to it."""
    plot = ffi.string(shared.ngSpice_CurPlot()).decode()
    names = shared.ngSpice_AllVecs(plot.encode())
    found, i = {}, 0
    while names[i] != ffi.NULL:
        name = ffi.string(names[i]).decode()
        i += 1
        info = shared.ngGet_Vec_Info(f"{plot}.{name}".encode())
        if info == ffi.NULL:
            continue
        if info.v_realdata != ffi.NULL:
            found[name.lower()] = np.frombuffer(ffi.buffer(info.v_realdata, info.v_length * 8),
                                                dtype=np.float64).copy()
        elif info.v_compdata != ffi.NULL:  # ngcomplex_t: two doubles, real then imaginary
            found[name.lower()] = np.frombuffer(ffi.buffer(info.v_compdata, info.v_length * 16),
                                                dtype=np.complex128).copy()
    return found
