"""One elbow, ideal against simulated: the smallest honest picture of a topology.

The network is one input, one hidden ReLU neuron ``relu(w x + b)`` and a linear output of
weight 1; the circuit's output is simulated by stock ``ngspice -b`` on the exported netlist.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..backends.spice.batch import run_batch
from ..backends.spice.netlist import netlist_text
from ..errors import UsageError
from ..model.circuit import Circuit
from ..model.network import ReLUNet
from ..model.sweep import Sweep
from ..topologies import get_topology, realise

DATA_FILE = "neuron.dat"


@dataclass(frozen=True)
class ElbowComparison:
    """x: sweep of shape (n,), data units; ideal, simulated: outputs of shape (n,), data units;
    max_deviation, rms_deviation: of simulated - ideal, data units."""

    circuit: Circuit
    x: np.ndarray
    ideal: np.ndarray
    simulated: np.ndarray

    @property
    def deviation(self) -> np.ndarray:
        return self.simulated - self.ideal

    @property
    def max_deviation(self) -> float:
        return float(np.max(np.abs(self.deviation)))

    @property
    def rms_deviation(self) -> float:
        return float(np.sqrt(np.mean(self.deviation ** 2)))


def single_neuron(w: float, b: float) -> ReLUNet:
    """The network ``y = relu(w x + b)``."""
    return ReLUNet.from_arrays([([[w]], [b]), ([[1.0]], [0.0])])


def compare_elbow(topology: str, w: float, b: float, sweep: Sweep, **realisation) -> ElbowComparison:
    """Simulate one elbow of ``topology`` with ngspice over ``sweep`` and compare it with the ideal.

    realisation: RealisationOptions settings (diode="1N4148", volts_per_unit=..., ...).
    Raises UsageError for a topology whose components don't give the network they were
    realised from (resistive): there is no elbow to compare until its resistors are trained.
    """
    if not get_topology(topology).read_back_is_its_function:
        raise UsageError(
            f"the {topology} topology's resistors realise relu({w:g} x {b:+g}) only once trained: every node is a "
            f"weighted average of its neighbours, so the untrained neuron is no elbow to compare with the ideal; use "
            f"--topology passive, diode or precision, or train a {topology} circuit with circuitnet fit --topology "
            f"{topology}")
    net = single_neuron(w, b)
    circuit = realise(net, topology, **realisation)
    data = run_batch(netlist_text(circuit, sweep=sweep, data_file=DATA_FILE,
                                  command=f"circuitnet neuron --topology {topology} --w {w:g} --b {b:g}"), DATA_FILE)
    x = sweep.values()
    return ElbowComparison(circuit, x, net.forward(x[:, None])[:, 0], data["y_units"])
