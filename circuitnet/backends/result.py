"""What every backend returns: outputs and internal node voltages at a set of inputs."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np


@dataclass(frozen=True)
class SimulationResult:
    """Outputs of one backend at inputs x.

    x: shape (n_samples, n_inputs), data units.
    y: shape (n_samples, n_outputs), data units (``y_volts / volts_per_unit``).
    y_volts: shape (n_samples, n_outputs), volts at the output node(s).
    nodes: internal node name -> shape (n_samples,), volts. The spice and surrogate backends
        report Topology.reported_nodes (each hidden neuron's rectifier output ``lLnJ_h`` and,
        where the topology has one, its pre-activation node); the ideal backend reports the
        rectifier outputs only, since an ideal neuron has no other node.
    backend: which backend made it; temperature_c: the simulated temperature.
    """

    x: np.ndarray
    y: np.ndarray
    y_volts: np.ndarray
    nodes: dict = field(default_factory=dict)
    backend: str = ""
    temperature_c: float = 27.0


def circuit_inputs(circuit, x: np.ndarray) -> np.ndarray:
    """Inputs (n, n_inputs) in the user's data units -> the circuit's units."""
    return x if circuit.data_scaling is None else circuit.data_scaling.to_circuit(x)


def in_data_units(result: SimulationResult, circuit, x: np.ndarray) -> SimulationResult:
    """A result simulated at circuit-unit inputs, told at the user's inputs x and in the user's
    output units (``y_volts`` and the node voltages are the circuit's, unchanged)."""
    if circuit.data_scaling is None:
        return result
    return replace(result, x=x, y=circuit.data_scaling.to_data(result.y))


def concatenated(results: list[SimulationResult]) -> SimulationResult:
    """Results of one backend at consecutive sets of inputs, as one result at all of them (the
    first's backend and temperature): one result is returned as it is."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    return replace(first, x=np.vstack([r.x for r in results]), y=np.vstack([r.y for r in results]),
                   y_volts=np.vstack([r.y_volts for r in results]),
                   nodes={name: np.concatenate([r.nodes[name] for r in results]) for name in first.nodes})
