"""``diode``: op-amp summer, then a diode-resistor rectifier.

Each hidden neuron: an inverting summer makes ``a_j = s * z_j + v_on`` volts (the v_on comes
from its own offset resistor from -v_ref, so it never cancels against the bias); a diode from
``a_j`` to ``h_j`` and a load resistor from ``h_j`` to ground rectify it, so
``h_j ~ max(0, a_j - v_on) = s * relu(z_j)``. The diode's soft exponential knee (and its
series resistance) is what separates this neuron from the ideal ReLU.
"""

from __future__ import annotations

from ..model import nodes
from ..model.circuit import Circuit
from ..model.devices import DiodeModel
from ..model.elements import Element, resistor
from ..solvers.rectifiers import diode_rectifier
from ..solvers.stages import refuse_breakdown, summer
from . import shared_blocks as blocks
from .base import RealisationOptions, SummerFedTopology


class DiodeTopology(SummerFedTopology):
    name = "diode"
    reported_roles = ("a", "h")
    swing_roles = ("a",)  # the summer's output
    summary = "op-amp summer + diode-resistor rectifier per neuron"

    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        # The drop at the current that one data unit of output drives through the load.
        return diode.forward_voltage(options.volts_per_unit / options.r_load)

    def hidden_summer_lift(self, options: RealisationOptions) -> float:
        # a = s * z + v_on: the summer's own offset resistor lifts it by the diode drop
        return float(options.v_on if options.v_on is not None else self.default_v_on(options.diode_model(), options))

    def surrogate_cell(self, ctx, stage_index, signals, load, coupling, offset):
        a = summer(ctx, stage_index, signals)
        h = diode_rectifier(a, 0.0, ctx.g(stage_index, "r_load") + load, coupling, offset, ctx.junction,
                            at=ctx.at(stage_index, self.operating_point_role))
        refuse_breakdown(ctx.circuit, stage_index, h.value - a.value, "h")
        return h, {"a": a, "h": h}, None

    def hidden_stage_fields(self) -> tuple[str, ...]:
        return ("r_feedback", "r_load", "r_offset", "activation_scale")

    def hidden_cell(self, circuit: Circuit, stage_index: int, unit: int) -> list[Element]:
        junction, a, h = (nodes.neuron(stage_index, unit, role) for role in ("sum", "a", "h"))
        return blocks.summer(circuit, stage_index, unit, junction, a) + [
            Element(f"D{h}", (a, h), circuit.diode.spice_name, "diode"),
            resistor(f"{h}_load", h, "0", circuit.stages[stage_index].required("r_load")[unit]),
        ]
