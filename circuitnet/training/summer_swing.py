"""The hidden summers' bound in the circuit stages: training and E-series snapping.

Every hidden neuron of an op-amp topology has an op-amp whose output must stay inside its
rails. The ideal stage pays for pre-activations beyond the swing (``IdealProblem``'s swing),
but the circuit stages train on the outputs' loss alone, and E-series snapping moves every
resistor of every summer (its feedback, offset and input resistors) by whole steps of the
series: a regressor's hidden summer that stayed at 3.6 V through training reached -37.8 V after
E12 snapping (``--target step --points 400 --seed 1 --hidden 16 --opamp TL072 --e-series E12``),
because a neuron that is off there adds nothing to the outputs, so nothing in the search
saw it.

So a circuit problem that is given the swing (volts) adds ``losses.swing_penalty`` of its
hidden summers to its validation loss: the best epoch of the circuit stage, and every point
the snapping search keeps, polishes and chooses, is judged with it. The summers are the
reported nodes of each topology's ``swing_roles`` (the diode summer's output ``a``; the
precision rectifier's ``h``, which its op-amp output follows within a diode drop), read from
the same simulation the validation loss already runs: the surrogate's, or ngspice's of the
board in spice-loop.
"""

from __future__ import annotations

import numpy as np

from ..model.circuit import Circuit
from ..topologies import get_topology
from ..topologies.base import hidden_nodes
from .losses import swing_penalty


def swing_nodes(circuit: Circuit) -> list[str]:
    """The hidden nodes whose volts bound each hidden op-amp's output ([] without any)."""
    return hidden_nodes(circuit, get_topology(circuit.topology).swing_roles)


def hidden_swing_penalty(node_volts: dict, names: list[str], swing_volts: float, volts_per_unit: float) -> float:
    """``swing_penalty`` of the hidden summers ``names`` beyond ``swing_volts``, in data units
    (volts / ``volts_per_unit``) as the output summers' is. node_volts: node name -> (n,)
    volts, a simulation's ``nodes``."""
    if not names:
        return 0.0
    volts = np.column_stack([node_volts[name] for name in names])
    return swing_penalty(volts / volts_per_unit, swing_volts / volts_per_unit)[0]


__all__ = ["hidden_swing_penalty", "swing_nodes"]
