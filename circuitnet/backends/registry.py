"""Simulate a circuit with a named backend: ``simulate(circuit, x, backend="spice")``.

Backends take a Circuit and inputs in data units and return a SimulationResult:

- ``spice``: ngspice in worker processes (``circuitnet.backends.spice``);
- ``surrogate``: the differentiable NumPy twin of the circuit (``circuitnet.backends.surrogate``);
- ``ideal``: the ReLU network read back from the component values.

Importing this module loads no simulator; the SPICE backend starts its workers on first use.
Each call makes its backend (they are cheap: a SpiceBackend is a handle on a worker pool, by
default the process-wide one), so no backend is a process-wide singleton and a pool passed
in (``get_backend("spice", pool=mine)``) is the one used.
"""

from __future__ import annotations

import numpy as np

from ..errors import UnknownNameError
from ..model.circuit import Circuit
from ..model.sweep import Sweep
from .protocol import Backend
from .result import SimulationResult


def _spice(**settings) -> Backend:
    from .spice.backend import SpiceBackend
    return SpiceBackend(**settings)


def _surrogate(**settings) -> Backend:
    from .surrogate import SurrogateBackend
    return SurrogateBackend(**settings)


def _ideal(**settings) -> Backend:
    from .ideal import IdealBackend
    return IdealBackend(**settings)


BACKENDS = {"spice": _spice, "surrogate": _surrogate, "ideal": _ideal}


def get_backend(name: str, **settings) -> Backend:
    """A new backend called ``name``, made with ``settings`` (the spice backend's ``pool``
    and ``order_samples``; the others take none)."""
    if name not in BACKENDS:
        raise UnknownNameError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name](**settings)


def simulate(circuit: Circuit, x, backend: str = "spice", temperature_c: float = 27.0) -> SimulationResult:
    """Outputs at every row of x (shape (n_samples, n_inputs), data units)."""
    return get_backend(backend).simulate(circuit, np.asarray(x, dtype=float), temperature_c=temperature_c)


def simulate_sweep(circuit: Circuit, sweep: Sweep, backend: str = "spice",
                   temperature_c: float = 27.0) -> SimulationResult:
    """Outputs over a sweep of input 1 (other inputs at the sweep's held values); a single ``.dc`` for SPICE."""
    return get_backend(backend).sweep(circuit, sweep, temperature_c=temperature_c)
