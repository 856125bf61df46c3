"""``passive``: the lecture's rectifier (a resistive divider, a diode, a load).

Each hidden neuron's node ``s_j`` is tied by resistors to the input rails and the bias
rails, so its open-circuit voltage is a weighted average ``V_th = sum_k d_k P_k`` with
``sum_k |d_k| <= 1`` (a resistor to ground takes up the rest), behind the Thevenin
resistance ``1 / G_tot``. A diode from ``s_j`` to ``h_j`` and a load from ``h_j`` to ground
rectify it: ``h_j ~ g_j * max(0, V_th - v_on)``, where ``g_j = G_tot / (G_tot + G_loads)``
is the divider between the Thevenin resistance and everything that loads ``h_j`` (the load
resistor, the inverter and output-summer resistors into virtual grounds).

A passive average can only attenuate, so each neuron is realised at the largest
attenuation ``beta_j`` that fits (``V_th - v_on = beta_j * s * z_j``, ``sum |d| = 1``) and
the output weights are divided by ``activation_scale_j = g_j * beta_j`` to make up for it.
Only the input inverters and the output summer are active; one hidden layer at most
(a second passive layer would load the first one's rectifiers nonlinearly).
"""

from __future__ import annotations

import numpy as np

from ..errors import RealisationError
from ..model import nodes
from ..model.circuit import Circuit, Stage
from ..model.devices import DiodeModel
from ..model.elements import Element, resistor
from ..model.network import Layer, ReLUNet
from ..solvers.rectifiers import diode_rectifier
from ..solvers.stages import refuse_breakdown, weighted_inflow
from . import shared_blocks as blocks
from .base import RealisationOptions, Topology, realise_summer_stage

# Below this, "1 - sum |d|" is rounding error and no ground resistor is fitted.
_GROUND_SHARE_EPSILON = 1e-9
_MAX_SIZING_ROUNDS = 50
# Attenuations tried for a hidden neuron, as fractions of the largest that fits.
_ATTENUATION_FRACTIONS = (1.0, 0.98, 0.95, 0.9, 0.8, 0.7, 0.5, 0.35, 0.25, 0.1)


class PassiveTopology(Topology):
    name = "passive"
    reported_roles = ("s", "h")
    summary = "resistive divider + diode + load per neuron (the lecture's Figure 5.2)"
    max_hidden_layers = 1
    default_v_ref = 5.0  # a large reference leaves most of the divider's budget to the weights

    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        return diode.forward_voltage(options.volts_per_unit / options.r_load)

    # -- realisation ----------------------------------------------------------------------
    def realise_stages(self, net: ReLUNet, circuit: Circuit, options: RealisationOptions) -> tuple[Stage, ...]:
        if len(net.layers) == 1:
            return (realise_summer_stage(net.layers[0], 0, np.ones(net.n_inputs), np.ones(net.n_outputs),
                                         0.0, circuit, options),)
        hidden_layer, output_layer = net.layers
        if circuit.v_on >= circuit.v_ref:
            raise RealisationError(
                f"v_on = {circuit.v_on:.4g} V is not below v_ref = {circuit.v_ref:.4g} V; the passive divider "
                f"can't reach the diode's drop. Raise v_ref"
            )
        rows, beta = [], np.empty(hidden_layer.n_out)
        for j in range(hidden_layer.n_out):
            beta[j], row = self._size_neuron(hidden_layer, j, circuit)
            rows.append(row)
        r_plain, r_inverted, r_ground = (np.array(part) for part in zip(*rows, strict=False))
        g_thevenin = (blocks.conductance(r_plain).sum(1) + blocks.conductance(r_inverted).sum(1)
                      + blocks.conductance(r_ground))
        r_load = np.full(hidden_layer.n_out, float(options.r_load))

        scale, r_feedback = self._activation_scale(output_layer, beta, g_thevenin, r_load, circuit, options)
        output = realise_summer_stage(output_layer, 1, scale, np.ones(output_layer.n_out), 0.0, circuit, options,
                                      r_feedback=r_feedback)
        hidden = Stage(r_plain=r_plain, r_inverted=r_inverted, r_load=r_load, r_ground=r_ground,
                       activation_scale=scale)
        return hidden, output

    def _size_neuron(self, layer: Layer, j: int,
                     circuit: Circuit) -> tuple[float, tuple[np.ndarray, np.ndarray, float]]:
        """(beta_j, divider resistors) for hidden neuron j: the largest attenuation that fits.

        At the largest beta the bias share ``(beta s b + v_on) / v_ref`` can nearly cancel
        (b close to -v_on / (beta s)), which needs a resistor beyond r_max; a slightly smaller
        beta moves it away, at the cost of a share to ground. So try beta_max, then smaller.
        """
        beta_max = self._attenuation(layer.weights[j], layer.biases[j], circuit)
        label = blocks.weight_label(0, j, layer.n_in)
        first_error: RealisationError | None = None
        for fraction in _ATTENUATION_FRACTIONS:
            beta = beta_max * fraction
            d = np.append(layer.weights[j] * beta,
                          (beta * circuit.volts_per_unit * layer.biases[j] + circuit.v_on) / circuit.v_ref)
            try:
                return beta, _size_divider(d, circuit.resistor_range, label)
            except RealisationError as error:
                first_error = first_error or error
        assert first_error is not None  # _ATTENUATION_FRACTIONS is not empty
        raise first_error

    @staticmethod
    def _attenuation(weights: np.ndarray, bias: float, circuit: Circuit) -> float:
        """The largest beta > 0 with ``beta * sum|w| + |beta * s * b + v_on| / v_ref = 1``.

        The left side is convex and piecewise linear in beta and below 1 at beta = 0
        (v_on < v_ref), so there is one root; it lies on the piece where the bias term is
        positive or on the one where it is negative. A neuron with no weights and no bias has
        no root: it is realised at beta = 1 with the rest of the budget to ground.
        """
        a = float(np.abs(weights).sum())
        slope = circuit.volts_per_unit * bias / circuit.v_ref
        start = circuit.v_on / circuit.v_ref
        for beta in ((1 - start) / (a + slope) if a + slope > 0 else np.inf,
                     (1 + start) / (a - slope) if a - slope > 0 else np.inf):
            if np.isfinite(beta) and beta > 0 and abs(a * beta + abs(beta * slope + start) - 1) < 1e-9:
                return float(beta)
        return 1.0

    @staticmethod
    def _activation_scale(output_layer: Layer, beta: np.ndarray, g_thevenin: np.ndarray, r_load: np.ndarray,
                          circuit: Circuit, options: RealisationOptions) -> tuple[np.ndarray, np.ndarray]:
        """(``g_j * beta_j`` for every hidden unit, each output summer's R_f): g_j is the divider
        that the output summer's own resistors take part in.

        Output o takes unit j through ``G_oj = |W_oj| / (scale_j * R_f,o)`` from ``h_j`` itself
        when ``W_oj < 0`` (else from the inverter, which loads ``h_j`` with 1/r_inverter). So
        ``D_j = G_th + G_fixed + q_j D_j`` with ``q_j = sum_{W_oj<0} |W_oj| / (beta_j G_th R_f,o)``,
        solved in closed form for a given R_f,o.
        """
        weights = output_layer.weights
        inverter_used = (weights > 0).any(axis=0)
        g_fixed = 1.0 / r_load + inverter_used / circuit.r_inverter
        negative = np.where(weights < 0, -weights, 0.0)
        scale = beta * g_thevenin / (g_thevenin + g_fixed)
        r_feedback: np.ndarray | None = None
        # R_f depends on the gains 1/scale and scale on R_f; the loop settles in a few rounds
        # because R_f only moves when the gains push it against the range.
        for _ in range(_MAX_SIZING_ROUNDS):
            sized = realise_summer_stage(output_layer, 1, scale, np.ones(output_layer.n_out), 0.0, circuit,
                                         options).required("r_feedback")
            q = (negative / sized[:, None]).sum(0) / (beta * g_thevenin)
            if np.any(q >= 1):
                j = int(np.argmax(q))
                raise RealisationError(
                    f"the negative output weights of hidden neuron {j} (layers[1].weights[:, {j}]) load its "
                    f"passive rectifier more than its divider can drive; scale those weights down (and the "
                    f"neuron's incoming weights up), or widen resistor_range"
                )
            scale = beta * g_thevenin * (1 - q) / (g_thevenin + g_fixed)
            if r_feedback is not None and np.array_equal(sized, r_feedback):
                break
            r_feedback = sized
        return scale, sized  # the last R_f (equal to r_feedback when the loop settled)

    # -- read-back ------------------------------------------------------------------------
    def hidden_transfer(self, circuit: Circuit, stage_index: int) -> tuple[np.ndarray, np.ndarray]:
        stage = circuit.stages[stage_index]
        g_plain, g_inverted = blocks.conductance(stage.r_plain), blocks.conductance(stage.r_inverted)
        g_thevenin = g_plain.sum(1) + g_inverted.sum(1) + blocks.conductance(stage.required("r_ground"))
        divider = (g_plain - g_inverted) / g_thevenin[:, None]
        load = rectifier_load_conductance(circuit, stage_index)
        gain = g_thevenin / (g_thevenin + load)
        return gain[:, None] * divider, gain * circuit.v_on

    def surrogate_cell(self, ctx, stage_index, signals, load, coupling, offset):
        inflow, g_in = weighted_inflow(ctx, stage_index, signals)
        g_thevenin = g_in + ctx.g(stage_index, "r_ground")
        v_thevenin = inflow / g_thevenin
        g_load = ctx.g(stage_index, "r_load") + load
        h = diode_rectifier(v_thevenin, 1.0 / g_thevenin, g_load, coupling, offset, ctx.junction,
                            at=ctx.at(stage_index, self.operating_point_role))
        current = g_load * h - (h @ coupling + offset)
        s = v_thevenin - current / g_thevenin
        refuse_breakdown(ctx.circuit, stage_index, h.value - s.value, "h")
        return h, {"s": s, "h": h}, None

    def hidden_stage_fields(self) -> tuple[str, ...]:
        return ("r_load", "r_ground", "activation_scale")

    # -- netlist --------------------------------------------------------------------------
    def hidden_cell(self, circuit: Circuit, stage_index: int, unit: int) -> list[Element]:
        stage = circuit.stages[stage_index]
        s, h = nodes.neuron(stage_index, unit, "s"), nodes.neuron(stage_index, unit, "h")
        parts = blocks.weight_resistors(blocks.rails(circuit, stage_index), stage.r_plain[unit],
                                        stage.r_inverted[unit], s)
        if np.isfinite(stage.required("r_ground")[unit]):
            parts.append(resistor(f"{s}_gnd", s, "0", stage.required("r_ground")[unit]))
        return parts + [
            Element(f"D{h}", (s, h), circuit.diode.spice_name, "diode"),
            resistor(f"{h}_load", h, "0", stage.required("r_load")[unit]),
        ]


def rectifier_load_conductance(circuit: Circuit, stage_index: int) -> np.ndarray:
    """Siemens hanging on each rectifier output of a stage, shape (n_out,): its load resistor,
    the next stage's resistors from the plain rail, and the inverter's input resistor where
    the next stage uses the inverted rail (virtual grounds taken as 0 V)."""
    stage, following = circuit.stages[stage_index], circuit.stages[stage_index + 1]
    return (blocks.conductance(stage.required("r_load"))
            + blocks.conductance(following.r_plain[:, :-1]).sum(0)
            + following.inverted_signals() / circuit.r_inverter)


def _size_divider(d: np.ndarray, resistor_range: tuple[float, float],
                  label: blocks.WeightLabel) -> tuple[np.ndarray, np.ndarray, float]:
    """Resistors that make a node's open-circuit voltage ``sum_k d_k P_k``.

    d: shape (n_in + 1,), with sum |d| <= 1. Each resistor has ``G_k = |d_k| * G_tot``; G_tot is
    as large as the range allows (the stiffest divider), and ``1 - sum|d|`` of it goes to ground.
    Returns (r_plain, r_inverted, r_ground) in ohms, inf where absent.
    """
    r_min, r_max = resistor_range
    magnitude = np.abs(d)
    used = magnitude > 0
    largest = int(np.argmax(magnitude))
    g_total = 1.0 / (r_min * magnitude[largest])
    ground_share = 1.0 - magnitude.sum()
    shares = np.append(magnitude, ground_share if ground_share > _GROUND_SHARE_EPSILON else 0.0)
    smallest = int(np.argmin(np.where(shares > 0, shares, np.inf)))
    if shares[smallest] * g_total * r_max < 1 - 1e-12:
        what = "the divider's share to ground" if smallest == len(d) else label(smallest)
        error = RealisationError(
            f"{what} needs a share {shares[smallest]:.6g} of a passive divider whose largest share is "
            f"{label(largest)} ({magnitude[largest]:.6g}); that ratio needs resistors outside the range "
            f"{r_min:g}..{r_max:g} ohm. Set the small weight to 0, rescale the network, or widen resistor_range"
        )
        if smallest < len(d):
            error.weight = (label.layer, label.unit, smallest)
        raise error
    with np.errstate(divide="ignore"):
        resistance = np.where(used, 1.0 / (np.where(used, magnitude, 1.0) * g_total), np.inf)
    r_ground = 1.0 / (shares[-1] * g_total) if shares[-1] > 0 else np.inf
    return np.where(d > 0, resistance, np.inf), np.where(d < 0, resistance, np.inf), r_ground
