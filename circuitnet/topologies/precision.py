"""``precision``: op-amp summer, then a superdiode (precision rectifier).

The superdiode is an op-amp whose output drives a diode, with the load at the diode's
cathode ``h_j`` fed back to the op-amp's inverting input: ``h_j ~ max(0, a_j)`` with a knee
of about V_f / A. When ``a_j < 0`` the op-amp saturates at its negative rail, so this
topology needs a rail-limited op-amp model. Closest to the ideal ReLU; two op-amps per neuron.
"""

from __future__ import annotations

from .. import nodes
from ..circuit import Circuit
from ..devices import DiodeModel, OpAmpModel
from . import blocks
from .base import RealisationOptions, SummerFedTopology


class PrecisionTopology(SummerFedTopology):
    name = "precision"
    summary = "op-amp summer + superdiode (op-amp with the diode in its feedback loop) per neuron"
    default_opamp = OpAmpModel("rail_limited")
    needs_rail_limited_opamp = True

    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        return 0.0  # the feedback loop hides the diode's drop

    def hidden_cell_lines(self, circuit: Circuit, stage_index: int, unit: int) -> list[str]:
        junction, a, o, h = (nodes.neuron(stage_index, unit, role) for role in ("sum", "a", "o", "h"))
        return blocks.summer_lines(circuit, stage_index, unit, junction, a) + [
            circuit.opamp.element_line(o, o, a, h),
            f"D{h} {o} {h} {circuit.diode.spice_name}",
            f"R{h}_load {h} 0 {blocks.number(circuit.stages[stage_index].r_load[unit])}",
        ]
