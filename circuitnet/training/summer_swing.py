"""The hidden summers' bound in the circuit stages: training and E-series snapping.

Every hidden neuron of an op-amp topology has an op-amp whose output must stay inside its
rails. The ideal stage pays for pre-activations beyond the swing (``IdealProblem``'s swing),
and a circuit problem that is given the swing (volts, ``CircuitProblem.bounded``) pays
``losses.swing_penalty`` of its hidden summers in its training loss, with its gradient, and
in its validation loss. Each is needed:

- the training loss: the circuit stage trained on the outputs' loss alone, and its gradient
  moved the weight resistors wherever the outputs fitted best: ``fit --target sine --hidden 8
  --opamp LM358 --supply 3`` left the ideal stage with l1n6_a at 0.75 V and ended the circuit
  stage with it at 1.14 V, beyond the LM358's 1 V rail on +-3 V, so the fit was refused. The
  penalty's gradient is its vector-Jacobian product through the surrogate at the summers'
  nodes (``SurrogateBackend.gradient``'s ``node_cotangent``); in spice-loop, the penalty is
  of ngspice's node volts and its product is the surrogate's linearised at ngspice's
  operating point, as the outputs' loss is.
- the validation loss: the best epoch of the circuit stage, and every point the snapping
  search keeps, polishes and chooses, is judged with it. E-series snapping moves every
  resistor of every summer by whole steps of the series: a regressor's hidden summer that
  stayed at 3.6 V through training reached -37.8 V after E12 snapping (``--target step
  --points 400 --seed 1 --hidden 16 --opamp TL072 --e-series E12``), because a neuron that
  is off there adds nothing to the outputs, so nothing in the search saw it.

The summers are the reported nodes of each topology's ``swing_roles`` (the diode summer's
output ``a``; the precision rectifier's ``h``, which its op-amp output follows within a diode
drop), read from the same simulation the loss already runs: the surrogate's, or ngspice's of
the board in spice-loop.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..model.circuit import Circuit
from ..topologies import get_topology
from ..topologies.base import hidden_nodes
from .losses import swing_penalty


def swing_nodes(circuit: Circuit) -> list[str]:
    """The hidden nodes whose volts bound each hidden op-amp's output ([] without any)."""
    return hidden_nodes(circuit, get_topology(circuit.topology).swing_roles)


def hidden_swing_penalty(node_volts: Mapping[str, np.ndarray], names: list[str], swing_volts: float,
                         volts_per_unit: float) -> float:
    """``swing_penalty`` of the hidden summers ``names`` beyond ``swing_volts``, in data units
    (volts / ``volts_per_unit``) as the output summers' is. node_volts: node name -> (n,)
    volts, a simulation's ``nodes``."""
    return hidden_swing_penalty_and_cotangent(node_volts, names, swing_volts, volts_per_unit)[0]


def hidden_swing_penalty_and_cotangent(node_volts: Mapping[str, np.ndarray], names: list[str], swing_volts: float,
                                       volts_per_unit: float) -> tuple[float, dict[str, np.ndarray]]:
    """``hidden_swing_penalty`` and its gradient: node name -> (n,) d(penalty)/d(volts) for
    every one of ``names`` (what ``SurrogateBackend.gradient``'s node_cotangent returns)."""
    if not names:
        return 0.0, {}
    volts = np.column_stack([node_volts[name] for name in names])
    value, d_units = swing_penalty(volts / volts_per_unit, swing_volts / volts_per_unit)
    d_volts = d_units / volts_per_unit  # the penalty sees volts / volts_per_unit
    return value, {name: d_volts[:, column] for column, name in enumerate(names)}


__all__ = ["hidden_swing_penalty", "hidden_swing_penalty_and_cotangent", "swing_nodes"]
