"""Simulate a circuit with a named backend: ``simulate(circuit, x, backend="spice")``.

Backends take a Circuit and inputs in data units and return a SimulationResult:

- ``spice``: ngspice in worker processes (``circuitnet.backends.spice``);
- ``surrogate``: the differentiable NumPy twin of the circuit (``circuitnet.backends.surrogate``);
- ``ideal``: the ReLU network read back from the component values.

Importing this module loads no simulator; the SPICE backend starts its workers on first use.
``simulate`` and ``simulate_sweep`` take a backend, a backend's name or nothing:

- a backend (``SpiceBackend(pool=mine)``, ``get_backend("spice")``): that one, left open; the
  default backend is never used then;
- nothing, or the name ``"spice"``: the default SPICE backend (``default_backend``), made on
  first use and kept for the next bare call, stopped by ``circuitnet.close()`` or at exit;
- ``"surrogate"`` or ``"ideal"``: that backend, made for the call (they hold no processes).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from ..errors import UnknownNameError
from ..model.circuit import Circuit
from ..model.sweep import Sweep
from .default_backend import default_backend
from .protocol import Backend
from .result import SimulationResult

Chosen = str | Backend | None  # a backend (the caller's), a backend's name, or None: the default


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


def simulate(circuit: Circuit, x, backend: Chosen = None, temperature_c: float = 27.0) -> SimulationResult:
    """Outputs at every row of x (shape (n_samples, n_inputs), data units)."""
    with _backend_for_call(backend) as chosen:
        return chosen.simulate(circuit, np.asarray(x, dtype=float), temperature_c=temperature_c)


def simulate_sweep(circuit: Circuit, sweep: Sweep, backend: Chosen = None,
                   temperature_c: float = 27.0) -> SimulationResult:
    """Outputs over a sweep of input 1 (other inputs at the sweep's held values); a single ``.dc`` for SPICE."""
    with _backend_for_call(backend) as chosen:
        return chosen.sweep(circuit, sweep, temperature_c=temperature_c)


@contextmanager
def _backend_for_call(backend: Chosen) -> Iterator[Backend]:
    """A backend given: itself, left open. None or "spice": the default SPICE backend, left
    open for the next bare call. Another name: that backend made for this call, and closed
    after it when it has anything to close."""
    if backend is None or backend == "spice":
        yield default_backend()
        return
    if not isinstance(backend, str):
        yield backend
        return
    made = get_backend(backend)
    try:
        yield made
    finally:
        close = getattr(made, "close", None)
        if close is not None:
            close()
