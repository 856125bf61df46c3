"""``precision``: the two-diode inverting precision rectifier, one op-amp per neuron.

The op-amp's inverting input is the neuron's summing junction: weight resistors bring in
current from the rails. When that current would drive the output positive, diode D_out
(op-amp output ``o`` -> ``h``) conducts and the feedback resistor R_f (``h`` -> junction)
closes the loop, so ``h = -R_f * sum_k G_k V_k = c . P``. When it would drive the output
negative, diode D_clamp (junction -> ``o``) conducts instead and holds ``o`` one diode drop
below ground; ``h`` sits at 0 through R_f. So ``h ~ max(0, c . P)`` with a knee of about
V_f / A, and the op-amp never saturates (its output stays within a diode drop of ``h`` or of
ground), which keeps DC sweeps that jump between samples converging. (A hard-clamped
rail_limited op-amp model still makes Newton stall when a sweep jumps across a knee; the
default finite_gain model does not.)

A board's op-amp input errors (V_os in series with the + input, I_b- out of the junction): with
``delta = V_os A / (A + 1)``, the cell whose o and h are both moved down by delta obeys the
nominal equations with the inflow ``S - I_b- - delta G_in`` and the coupling's constant
``m + delta K - g delta`` (g the load on h, K the coupling), so the surrogate solves that cell
and moves o and h back up; the junction sits at ``V_os - o / A``.
"""

from __future__ import annotations

import numpy as np

from ..errors import SurrogateLimitError
from ..model import nodes
from ..model.circuit import Circuit
from ..model.devices import DiodeModel, OpAmpKind
from ..model.elements import Element, resistor
from ..solvers import input_errors
from ..solvers.autodiff import lift
from ..solvers.rectifiers import precision_rectifier
from ..solvers.stages import refuse_breakdown, weighted_inflow
from . import shared_blocks as blocks
from .base import RealisationOptions, SummerFedTopology


class PrecisionTopology(SummerFedTopology):
    name = "precision"
    reported_roles = ("h",)
    swing_roles = ("h",)  # the op-amp output o stays within a diode drop of h (or of ground)
    operating_point_role = "o"  # the op-amp output says which diode conducts
    linear_junction = False
    summary = "inverting precision rectifier (op-amp with two diodes in its feedback) per neuron"

    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        return 0.0  # the feedback loop hides the diode's drop

    def surrogate_cell(self, ctx, stage_index, signals, load, coupling, offset):
        inflow, g_in = weighted_inflow(ctx, stage_index, signals)
        g_f = ctx.g(stage_index, "r_feedback")
        g_load = ctx.g(stage_index, "r_load") + load
        at = ctx.at(stage_index, self.operating_point_role)
        errors = input_errors.unit_errors(ctx.circuit, stage_index)
        if errors is not None:  # solve the shifted cell, whose equations are the nominal ones
            shift = input_errors.precision_shift(errors, ctx.gain)
            inflow = inflow - errors.ib_minus - g_in * shift
            offset = offset + lift(shift.reshape(1, -1)) @ coupling - g_load * shift
            at = None if at is None else at - shift
        o, h = precision_rectifier(inflow, g_in + g_f, g_f, g_load, coupling, offset, ctx.gain, ctx.junction, at=at)
        # D_out (o -> h) and D_clamp (junction -> o, the junction at -o / A): the shift moves neither voltage
        refuse_breakdown(ctx.circuit, stage_index, np.maximum(h.value - o.value, o.value * (1.0 + 1.0 / ctx.gain)), "o")
        if errors is not None:
            o, h = o + shift, h + shift
        _check_within_rails(ctx.circuit, stage_index, o.value)
        junction = o * (-1.0 / ctx.gain)
        return h, {"h": h, "o": o}, junction if errors is None else junction + errors.vos

    def hidden_cell(self, circuit: Circuit, stage_index: int, unit: int) -> list[Element]:
        stage = circuit.stages[stage_index]
        junction, o, h = (nodes.neuron(stage_index, unit, role) for role in ("sum", "o", "h"))
        model = circuit.diode.spice_name
        return blocks.weight_resistors(blocks.rails(circuit, stage_index), stage.r_plain[unit],
                                       stage.r_inverted[unit], junction) + [
            *blocks.opamp(circuit, o, junction, ("unit", stage_index, unit)),
            Element(f"D{o}_clamp", (junction, o), model, "diode"),
            Element(f"D{h}", (o, h), model, "diode"),
            resistor(f"{h}_f", h, junction, stage.required("r_feedback")[unit]),
            resistor(f"{h}_load", h, "0", stage.required("r_load")[unit]),
        ]


def _check_within_rails(circuit: Circuit, stage_index: int, o: np.ndarray) -> None:
    """The surrogate's precision cell has no clamped op-amp: refuse rather than be wrong."""
    opamp = circuit.opamp
    if opamp.kind != OpAmpKind.RAIL_LIMITED or o.size == 0:
        return
    top, bottom = float(np.max(o)), float(np.min(o))
    if top > opamp.v_pos or bottom < opamp.v_neg:
        unit = int(np.unravel_index(np.argmax(np.maximum(o - opamp.v_pos, opamp.v_neg - o)), o.shape)[1])
        raise SurrogateLimitError(
            f"precision neuron {nodes.neuron(stage_index, unit, 'o')} drives its op-amp to "
            f"{top if top > opamp.v_pos else bottom:.4g} V, beyond its rails ({opamp.v_neg:g} .. {opamp.v_pos:g} V); "
            "the surrogate does not model a precision rectifier's op-amp at its rail. Widen the rails "
            "(v_pos/v_neg), or use a finite_gain op-amp"
        )
