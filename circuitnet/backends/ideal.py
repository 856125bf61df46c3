"""The ``ideal`` backend: the ReLU network read back from the component values.

What the circuit would compute with ideal diodes (a drop of exactly v_on, no resistance,
no leakage) and ideal op-amps. Rectifier outputs are reported in volts like the other
backends: ``activation_scale * volts_per_unit * relu(z)``.
"""

from __future__ import annotations

from ..model import nodes
from ..model.circuit import Circuit
from ..topologies import read_back
from .protocol import PointwiseSweep
from .result import SimulationResult, circuit_inputs, in_data_units


class IdealBackend(PointwiseSweep):
    name = "ideal"

    def simulate(self, circuit: Circuit, x, temperature_c: float = 27.0) -> SimulationResult:
        net = read_back(circuit)
        x = net.check_inputs(x)
        inside = circuit_inputs(circuit, x)
        s = circuit.volts_per_unit
        reported = {}
        for stage, activations in enumerate(net.hidden_activations(inside)):
            volts = activations * circuit.stages[stage].activation_scale * s
            for unit in range(volts.shape[1]):
                reported[nodes.neuron(stage, unit, "h")] = volts[:, unit]
        y = net.forward(inside)
        return in_data_units(SimulationResult(x=inside, y=y, y_volts=y * s, nodes=reported, backend=self.name,
                                              temperature_c=float(temperature_c)), circuit, x)
