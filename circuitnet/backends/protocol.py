"""What every backend is: a name, and the outputs of a circuit at a set of inputs or over a sweep.

The registry (``backends.registry``) hands out backends by name; the CLI, training and the
analyses call them only through this interface.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ..model.circuit import Circuit
from ..model.sweep import Sweep
from .result import SimulationResult


@runtime_checkable
class Backend(Protocol):
    """A way of computing a circuit's DC outputs."""

    name: str

    def simulate(self, circuit: Circuit, x, temperature_c: float = 27.0) -> SimulationResult:
        """Outputs at every row of x, shape (n_samples, n_inputs), data units."""

    def sweep(self, circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0) -> SimulationResult:
        """Outputs over a sweep of input 1, data units (the other inputs at the sweep's held values)."""


class PointwiseSweep:
    """For a backend with no sweep analysis of its own: a sweep is its points simulated as a set."""

    def sweep(self: Backend, circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0) -> SimulationResult:
        return self.simulate(circuit, sweep.inputs(circuit.n_inputs), temperature_c=temperature_c)
