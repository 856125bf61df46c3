"""Which elementwise kernels the surrogate's diode rectifier runs: NumPy's (the reference)
or numba's fused ones (``solvers.fused_diode``, the optional ``fast`` extra).

Chosen once per process, on first use: the environment variable ``CIRCUITNET_KERNEL`` is
``numpy`` (force the reference), ``numba`` (require numba) or ``auto`` / unset (numba when it
imports). numba is imported only here and only then, so importing circuitnet stays light.
"""

from __future__ import annotations

import os
from types import ModuleType

from ..errors import KernelChoiceError

ENVIRONMENT_VARIABLE = "CIRCUITNET_KERNEL"
CHOICES = ("auto", "numpy", "numba")

_chosen: dict[str, ModuleType | None] = {}


def fused_kernels() -> ModuleType | None:
    """The fused-kernel module, or None for the NumPy path; decided on the first call."""
    if "kernels" not in _chosen:
        _chosen["kernels"] = _load(os.environ.get(ENVIRONMENT_VARIABLE, "auto").strip().lower() or "auto")
    return _chosen["kernels"]


def kernel_name() -> str:
    """'numba' or 'numpy': the kernel this process's surrogate runs (for reports)."""
    return "numpy" if fused_kernels() is None else "numba"


def available_kernels() -> list[str]:
    """The kernels this machine can run: 'numpy', and 'numba' when numba imports."""
    return ["numpy"] + (["numba"] if _load("auto") is not None else [])


def use_kernel(name: str) -> None:
    """Choose the kernel now, as CIRCUITNET_KERNEL would (tests run both paths in one process)."""
    _chosen["kernels"] = _load(name)


def _load(name: str) -> ModuleType | None:
    if name not in CHOICES:
        raise KernelChoiceError(f"{ENVIRONMENT_VARIABLE}={name!r} names no kernel; use one of {', '.join(CHOICES)}")
    if name == "numpy":
        return None
    try:
        from . import fused_diode
    except ImportError as error:
        if name == "numba":
            raise KernelChoiceError(
                f"{ENVIRONMENT_VARIABLE}=numba but numba does not import ({error}); install the fast extra "
                f"(pip install 'circuitnet[fast]') or set {ENVIRONMENT_VARIABLE}=numpy") from error
        return None
    return fused_diode
