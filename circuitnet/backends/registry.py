"""Simulate a circuit with a named backend: ``simulate(circuit, x, backend="spice")``.

Backends take a Circuit and inputs in data units and return a SimulationResult:

- ``spice``: ngspice in worker processes (``circuitnet.backends.spice``);
- ``surrogate``: the differentiable NumPy twin of the circuit (``circuitnet.backends.surrogate``);
- ``ideal``: the ReLU network read back from the component values.

Importing this module loads no simulator; the SPICE backend starts its workers on first use.
"""

from __future__ import annotations

import numpy as np

from ..errors import UnknownNameError
from ..model.circuit import Circuit
from ..model.sweep import Sweep
from .protocol import Backend
from .result import SimulationResult


def _spice():
    from .spice.backend import SpiceBackend
    return SpiceBackend()


def _surrogate():
    from .surrogate import SurrogateBackend
    return SurrogateBackend()


def _ideal():
    from .ideal import IdealBackend
    return IdealBackend()


BACKENDS = {"spice": _spice, "surrogate": _surrogate, "ideal": _ideal}
_instances: dict[str, Backend] = {}


def get_backend(name: str) -> Backend:
    """The backend called ``name`` (one instance per process)."""
    if name not in BACKENDS:
        raise UnknownNameError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    if name not in _instances:
        _instances[name] = BACKENDS[name]()
    return _instances[name]


def simulate(circuit: Circuit, x, backend: str = "spice", temperature_c: float = 27.0) -> SimulationResult:
    """Outputs at every row of x (shape (n_samples, n_inputs), data units)."""
    return get_backend(backend).simulate(circuit, np.asarray(x, dtype=float), temperature_c=temperature_c)


def simulate_sweep(circuit: Circuit, sweep: Sweep, backend: str = "spice",
                   temperature_c: float = 27.0) -> SimulationResult:
    """Outputs over a sweep of input 1 (other inputs at 0); a single ``.dc`` for SPICE."""
    return get_backend(backend).sweep(circuit, sweep, temperature_c=temperature_c)
