"""Surrogate pieces every topology shares: component conductances as differentiable
parameters, rails and inverters, the inverting summer, and how the next stage loads a
stage's rectifier outputs. The equations are those of the netlist blocks in
``topologies/shared_blocks.py``, with finite-gain op-amps solved exactly (an E source: out = A *
(v+ - v-), no output resistance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import RealisationError, SurrogateLimitError
from ..model import nodes
from ..model.circuit import INVERTER_PATH, Circuit, ResistorPath, resistors
from ..model.devices import OpAmpKind
from ..model.limits import OperatingLimits
from . import input_errors
from .autodiff import Var, affine, factored_product, lift, where
from .junction import Junction


@dataclass
class Context:
    """Everything a surrogate pass needs: the circuit, its conductances as Vars (siemens;
    0 for an absent resistor), the diode at the simulated temperature, and optionally an
    operating point (node name -> (n,) volts) to linearise at instead of solving."""

    circuit: Circuit
    conductance: dict[ResistorPath, Var]  # resistor path (see model.circuit.resistors) -> Var
    v_ref: Var
    junction: Junction
    operating_point: dict[str, np.ndarray] | None = None

    @classmethod
    def of(cls, circuit: Circuit, temperature_c: float, operating_point: dict | None = None) -> Context:
        conductance = {path: Var(1.0 / ohms) for path, ohms in resistors(circuit)}
        return cls(circuit, conductance, Var(circuit.v_ref), Junction.of(circuit.diode, temperature_c),
                   operating_point)

    @property
    def gain(self) -> float:
        return self.circuit.opamp.gain

    def g(self, stage: int, name: str) -> Var:
        """Conductances (siemens, the shape of the stage's resistor array) of resistor ``name``
        of ``stage``, for a resistor the stage always has; RealisationError where it has none."""
        found = self.conductance.get((stage, name))
        if found is None:
            raise RealisationError(f"stage {stage} has no {name}; the topology that built it needs one")
        return found

    def g_optional(self, stage: int, name: str) -> Var | None:
        """As ``g`` for a resistor some stages leave out (r_offset): None where absent."""
        return self.conductance.get((stage, name))

    def clamp(self, out: Var) -> Var:
        """A rail-limited op-amp's output clamp (identity for a finite-gain one)."""
        opamp = self.circuit.opamp
        if opamp.kind != OpAmpKind.RAIL_LIMITED:
            return out
        value = out.value
        return where(value > opamp.v_pos, opamp.v_pos, where(value < opamp.v_neg, opamp.v_neg, out))

    def at(self, stage: int, role: str) -> np.ndarray | None:
        """Operating-point volts of node ``role`` of every unit of a hidden stage, (n, n_out),
        if an operating point was given."""
        if self.operating_point is None:
            return None
        width = self.circuit.stages[stage].n_out
        return np.column_stack([self.operating_point[nodes.neuron(stage, j, role)] for j in range(width)])


def inverter_gain(ctx: Context) -> float:
    """A unity inverter with finite gain A outputs -u * A / (A + 2)."""
    return ctx.gain / (ctx.gain + 2.0)


def weighted_inflow(ctx: Context, stage: int, signals: Var) -> tuple[Var, Var]:
    """(S, G_in): the current sum_k G_k P_k that the weight resistors (and the offset
    resistor from -v_ref, where there is one) bring into a grounded node, (n, n_out), and
    their total conductance, (n_out,).

    The rails are the signals (n, n_in) and +v_ref, and their inverters' outputs and
    -v_ref; a finite-gain unity inverter outputs -u A / (A + 2). A rail-limited inverter
    clamps, so there the inverted rail is formed first.
    """
    if ctx.circuit.opamp.kind == OpAmpKind.RAIL_LIMITED:
        g_plain, g_inverted = ctx.g(stage, "r_plain"), ctx.g(stage, "r_inverted")
        width = signals.shape[1]
        inverted = signals * (-inverter_gain(ctx))
        rail_offset = _inverted_rail_offset(ctx, stage)
        inverted = ctx.clamp(inverted if rail_offset is None else inverted + rail_offset)
        inflow = signals @ g_plain[:, :width].T + inverted @ g_inverted[:, :width].T
        return inflow + _reference_inflow(ctx, stage, width), input_conductance(ctx, stage)
    weights, bias = _affine_inflow(ctx, stage, signals.shape[1])
    return affine(signals, weights, bias), input_conductance(ctx, stage)


def summer(ctx: Context, stage: int, signals: Var) -> Var:
    """Output volts of the inverting summers of a stage, (n, n_out).

    KCL at the junction n with out = -A n:  S - n G_in + G_f (out - n) = 0, so
    out = -A S / (G_in + G_f (1 + A)); a rail-limited output is clamped. A board's op-amp
    input errors add to S (``input_errors.summer_error_inflow``).
    """
    g_f = ctx.g(stage, "r_feedback")
    g_in = input_conductance(ctx, stage)
    scale = -ctx.gain / (g_in + g_f * (1.0 + ctx.gain))
    errors = input_errors.unit_errors(ctx.circuit, stage)
    error_inflow = None if errors is None else input_errors.summer_error_inflow(errors, g_in + g_f)
    if ctx.circuit.opamp.kind == OpAmpKind.RAIL_LIMITED:
        inflow, _ = weighted_inflow(ctx, stage, signals)
        return ctx.clamp((inflow if error_inflow is None else inflow + error_inflow) * scale)
    weights, bias = _affine_inflow(ctx, stage, signals.shape[1])
    if error_inflow is not None:
        bias = bias + error_inflow
    return affine(signals, weights * scale, bias * scale)


def _affine_inflow(ctx: Context, stage: int, width: int) -> tuple[Var, Var]:
    """(W (n_in, n_out), b (n_out,)) with S = signals @ W + b for finite-gain inverters:
    formed on the small conductance arrays, so one (n, n_in) x (n_in, n_out) product is
    all the work per sample."""
    g_plain, g_inverted = ctx.g(stage, "r_plain"), ctx.g(stage, "r_inverted")
    # a + b * (-k) is a - b k to the bit, in two passes over the (n_out, n_in) arrays (a
    # subtraction is a negation and a sum: two more, forward and back)
    weights = (g_plain[:, :width] + g_inverted[:, :width] * (-inverter_gain(ctx))).T
    return weights, _constant_inflow(ctx, stage, width)


def _constant_inflow(ctx: Context, stage: int, width: int) -> Var:
    """The part of S (n_out,) that does not depend on the signals, for finite-gain inverters:
    the references' and, on a board with op-amp input errors, the inverted rails' offsets."""
    bias = _reference_inflow(ctx, stage, width)
    rail_offset = _inverted_rail_offset(ctx, stage)
    if rail_offset is None:
        return bias
    return bias + (ctx.g(stage, "r_inverted")[:, :width] * rail_offset).sum(1)


def _inverted_rail_offset(ctx: Context, stage: int) -> Var | None:
    """Volts (n_in,) each inverted rail of a stage adds to -u A / (A + 2) on a board with
    op-amp input errors (``input_errors.inverted_rail_offset``); None on a nominal circuit."""
    errors = input_errors.inverter_errors(ctx.circuit, stage)
    if errors is None:
        return None
    return input_errors.inverted_rail_offset(errors, ctx.conductance[INVERTER_PATH], ctx.gain)


def _reference_inflow(ctx: Context, stage: int, width: int) -> Var:
    """Current (n_out,) from the +v_ref and -v_ref rails and the offset resistor."""
    g_plain, g_inverted = ctx.g(stage, "r_plain"), ctx.g(stage, "r_inverted")
    bias = (g_plain[:, width] - g_inverted[:, width]) * ctx.v_ref
    g_offset = ctx.g_optional(stage, "r_offset")
    return bias if g_offset is None else bias - ctx.v_ref * g_offset


def input_conductance(ctx: Context, stage: int) -> Var:
    """Total conductance of a stage's weight (and offset) resistors per unit, (n_out,)."""
    g_in = ctx.g(stage, "r_plain").sum(1) + ctx.g(stage, "r_inverted").sum(1)
    g_offset = ctx.g_optional(stage, "r_offset")
    return g_in if g_offset is None else g_in + g_offset


def loading(ctx: Context, stage: int, next_junctions: Var | None, next_linear: bool) -> tuple[Var, Var, Var]:
    """How stage ``stage + 1`` loads the rectifier outputs h of ``stage``: (g, K, m) with g
    (w,) siemens to ground and the injected current ``c = h @ K + m``.

    The next stage's resistors from the plain rail run into its junctions, and its inverters'
    inputs into theirs (an inverter input draws u (A+1)/(A+2) G). A summer junction's voltage
    is linear in h, n' = h @ W^T + n0, which gives K and m exactly. Where the next stage's
    junctions are not linear (``next_linear`` False: a precision stage), their voltages from a
    previous pass (``next_junctions``, (n, n_out)) are used, and the gradient flows through
    them into that pass. A board's op-amp input errors move the next stage's junctions and
    its inverters' inputs by constants, which go into m (``solvers.input_errors``).
    """
    circuit = ctx.circuit
    width = circuit.stages[stage].n_out
    following = circuit.stages[stage + 1]
    g_plain = ctx.g(stage + 1, "r_plain")
    inverted_used = following.inverted_signals().astype(float)
    g_inverter = ctx.conductance[INVERTER_PATH]
    a = ctx.gain
    g = g_plain.sum(0)[:width] + g_inverter * (inverted_used * (a + 1) / (a + 2))
    g_plain_h = g_plain[:, :width]
    inverter_push = _inverter_input_offset(ctx, stage + 1, inverted_used)
    if following.r_feedback is not None and next_linear:
        g_inverted = ctx.g(stage + 1, "r_inverted")
        g_f = ctx.g(stage + 1, "r_feedback")
        denominator = input_conductance(ctx, stage + 1) + g_f * (1.0 + a)
        w1 = (g_plain_h - g_inverted[:, :width] * inverter_gain(ctx)) / denominator.reshape(-1, 1)
        ref_current = _constant_inflow(ctx, stage + 1, width)
        errors = input_errors.unit_errors(circuit, stage + 1)
        if errors is not None:
            ref_current = ref_current + input_errors.summer_junction_offset(errors, g_f, a)
        n0 = ref_current / denominator
        m = n0.reshape(1, -1) @ g_plain_h
        return g, factored_product(w1.T, g_plain_h), m if inverter_push is None else m + inverter_push
    junctions = lift(np.zeros((1, following.n_out))) if next_junctions is None else next_junctions
    m = junctions @ g_plain_h
    return g, lift(np.zeros((width, width))), m if inverter_push is None else m + inverter_push


def _inverter_input_offset(ctx: Context, stage: int, inverted_used: np.ndarray) -> Var | None:
    """Amperes (n_in,) the inverters of a stage push into their inputs on a board with op-amp
    input errors (``input_errors.inverter_input_offset``; 0 where a signal has no inverter)."""
    errors = input_errors.inverter_errors(ctx.circuit, stage)
    if errors is None:
        return None
    push = input_errors.inverter_input_offset(errors, ctx.conductance[INVERTER_PATH], ctx.gain)
    return push * inverted_used


def refuse_breakdown(circuit: Circuit, stage: int, reverse: np.ndarray, role: str) -> None:
    """The surrogate models no diode breakdown: refuse, rather than be wrong, a stage whose
    diodes' reverse voltage (n, w), volts, comes within the operating margin of BV."""
    breakdown = float(circuit.diode.params.get("BV", math.inf))
    if not math.isfinite(breakdown) or reverse.size == 0:
        return
    limit = (1.0 - OperatingLimits().breakdown_margin) * breakdown
    worst = float(np.max(reverse))
    if worst > limit:
        unit = int(np.unravel_index(np.argmax(reverse), reverse.shape)[1])
        raise SurrogateLimitError(
            f"a diode of neuron {nodes.neuron(stage, unit, role)} is reverse biased by {worst:.4g} V, past "
            f"{limit:.4g} V ({100 * (1 - OperatingLimits().breakdown_margin):g} % of its BV = {breakdown:g} V); "
            f"the surrogate does not model breakdown. Keep the signals smaller (scale the data to about +-1, or "
            f"lower volts_per_unit), or use a diode with a higher BV"
        )
