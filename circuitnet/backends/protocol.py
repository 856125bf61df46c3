"""What a backend is, stated as the three things training and the analyses ask of one:

- **outputs** (``Backend``): a circuit's DC outputs at a set of inputs, or over a sweep;
- **node voltages at an operating point** (``Measuring``): the outputs together with the
  voltages a gradient is linearised at, the nodes the topology names
  (``Topology.operating_point_nodes``), as an ``OperatingPoint``;
- **a vector-Jacobian product** (``Differentiable``): the outputs and d(sum(y_bar * y)) with
  respect to every component, at the backend's own solution or at a given OperatingPoint.

Which backends do what: the surrogate all three; ngspice (``SpiceBackend``) all three, its
product being the surrogate's adjoint linearised at ngspice's operating point (what the
spice-loop mode trains with); the ideal read-back network outputs only. The registry
(``backends.registry``) makes backends by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from ..model.circuit import Circuit
from ..model.sweep import Sweep
from .result import SimulationResult

# d(loss)/d(outputs) from the outputs, both (n_samples, n_outputs), data units
Cotangent = Callable[[np.ndarray], np.ndarray]
# d(loss)/d(hidden node volts) from the reported hidden nodes' volts (``SimulationResult.nodes``):
# node name -> (n_samples,) volts in, node name -> (n_samples,) loss per volt out, for the nodes
# the loss depends on (a hidden summer's swing penalty, ``training.summer_swing``)
NodeCotangent = Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]]


@dataclass(frozen=True)
class ComponentGradient:
    """d(loss)/d(component) for every resistor and the reference (what ``vjp`` returns).

    resistors: (stage index, field) -> array shaped like that field, loss per ohm (0 where
        there is no resistor); INVERTER_PATH -> a 0-d array (see model.circuit.resistors).
    v_ref: loss per volt of the reference.
    """

    resistors: dict
    v_ref: float


@dataclass(frozen=True)
class OperatingPoint:
    """The node voltages of a circuit at each of n samples, where a gradient is linearised.

    nodes: node name (``model.nodes``, lower case) -> (n,) volts; the nodes the circuit's
        topology linearises at (``Topology.operating_point_nodes``).
    temperature_c: the temperature they were solved at, degrees Celsius.
    backend: the name of the backend that solved them.
    """

    nodes: Mapping[str, np.ndarray] = field(default_factory=dict)
    temperature_c: float = 27.0
    backend: str = ""


@runtime_checkable
class Backend(Protocol):
    """A way of computing a circuit's DC outputs."""

    name: str

    def simulate(self, circuit: Circuit, x, temperature_c: float = 27.0) -> SimulationResult:
        """Outputs at every row of x, shape (n_samples, n_inputs), data units."""
        ...

    def sweep(self, circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0) -> SimulationResult:
        """Outputs over a sweep of input 1, data units (the other inputs at the sweep's held values)."""
        ...


@runtime_checkable
class Measuring(Backend, Protocol):
    """A backend that also says where it solved: the operating point a gradient is taken at."""

    def operating_point(self, circuit: Circuit, x, temperature_c: float = 27.0
                        ) -> tuple[SimulationResult, OperatingPoint]:
        """(outputs at every row of x, data units; the node voltages there)."""
        ...


@runtime_checkable
class Differentiable(Backend, Protocol):
    """A backend with a vector-Jacobian product with respect to the circuit's components."""

    def vjp(self, circuit: Circuit, x, y_bar, temperature_c: float = 27.0,
            operating_point: OperatingPoint | None = None,
            node_bar: Mapping[str, np.ndarray] | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """Outputs at x and the gradient of sum(y_bar * y) + sum(node_bar * v) over every
        component. y_bar: (n_samples, n_outputs), d(loss)/d(y), y in data units. operating_point:
        linearise there instead of at the backend's own solution. node_bar: hidden node name ->
        (n_samples,) d(loss)/d(volts) of the hidden nodes the loss depends on, or None."""
        ...

    def gradient(self, circuit: Circuit, x, cotangent: Cotangent, temperature_c: float = 27.0,
                 operating_point: OperatingPoint | None = None,
                 node_cotangent: NodeCotangent | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """As ``vjp``, with y_bar = cotangent(outputs) and node_bar = node_cotangent(the hidden
        nodes' volts): a loss needs one solve."""
        ...


class PointwiseSweep:
    """For a backend with no sweep analysis of its own: a sweep is its points simulated as a set."""

    def sweep(self: Backend, circuit: Circuit, sweep: Sweep, temperature_c: float = 27.0) -> SimulationResult:
        return self.simulate(circuit, sweep.inputs(circuit.n_inputs), temperature_c=temperature_c)
