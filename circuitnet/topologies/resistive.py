"""``resistive``: an energy-based network of resistors and diodes, for equilibrium propagation.

No op-amp inside the network: it is reciprocal (resistors, junction diodes, independent
sources), so its DC solution minimises its co-content, which is what equilibrium propagation
(``training/eqprop.py``) needs. As in Scellier et al. 2024's deep resistive networks:

- **Inputs** are doubled: an ideal source for ``x_k`` (node ``xK``) and one for ``-x_k``
  (``xK_inv``). Making ``-x`` takes an inverting amplifier, but it sits outside the network as
  a source (an E source here).
- **Bias** rails: the references ``+v_ref`` and ``-v_ref``.
- **Each hidden node** ``lLnJ_h`` is tied to *every* input rail and both bias rails by a
  trainable conductance, to ground by a leak (the largest resistor in range: a node nothing
  drives still has a defined voltage), and to the diode bias source ``vdiode`` (v_on volts)
  by a diode, anode at the source: the node can't fall much below v_on minus the diode's
  drop, about 0 V. That is the rectifier: ``h ~ max(V_th, 0)`` with V_th the node's own
  conductance-weighted average of the rails (ignoring what the outputs draw).
- **Each output** is a node pair ``y_p``, ``y_n``, each tied to every hidden node and to
  ``+v_ref`` by trainable conductances and loaded to ground by ``r_load``; the output is
  ``V(y_p) - V(y_n)``, which an ideal difference amplifier outside the network (an E source
  driving node ``y``, drawing no current) reads with gain ``activation_scale[o]`` (default
  READOUT_GAIN): a passive network only attenuates, and the gain outside it gives the output
  the slopes a target needs (Scellier et al. put a large gain at the inputs instead).

Stage fields. Hidden stage: ``r_plain[j, k]`` from ``+x_k`` (the last column: ``+v_ref``) into
``h_j``, ``r_inverted[j, k]`` from ``-x_k`` (last: ``-v_ref``); ``r_load[j]`` the leak;
``activation_scale`` ones. Output stage: ``r_plain[o, j]`` from ``h_j`` into ``y_p`` (last:
``+v_ref`` into ``y_p``), ``r_inverted[o, j]`` from ``h_j`` into ``y_n`` (last: ``+v_ref`` into
``y_n``); ``r_ground[o]`` the load of both nodes of the pair; ``activation_scale[o]`` the
readout's gain, V/V.

Realisation and read-back. The network is coupled: every node's voltage depends on all the
others, so no ReLU network equals it, and the circuit is trained as a circuit (surrogate,
spice-loop or eqprop mode). ``realise`` is a starting point and ``read_back`` its inverse:
weight ``w = (G_plain - G_inverted) / g_unit`` (bias: ``... * v_ref / volts_per_unit``) with
``g_unit = 1 / (20 r_min)``, and every pair has at least ``1 / r_max`` on both sides, so every
conductance exists and training can move a weight through 0. The read-back network is this
bookkeeping, not the circuit's function; ngspice and the surrogate give that.
"""

from __future__ import annotations

import numpy as np

from ..errors import RealisationError
from ..model import nodes
from ..model.circuit import Circuit, Stage
from ..model.devices import DiodeModel
from ..model.elements import Element, NetlistEntry, number, resistor
from ..model.network import Layer, ReLUNet
from ..solvers.autodiff import custom
from ..solvers.junction import Junction
from ..solvers.resistive_equilibrium import Equilibrium, NetworkGraph, branch_current, solve
from ..solvers.stages import refuse_breakdown
from . import shared_blocks as blocks
from .base import RealisationOptions, Topology
from .opamp_supply import supply_entries

BIAS_NODE = "vdiode"  # the diodes' bias source, v_on volts
READOUT_GAIN = 25.0  # V/V of the difference amplifier that reads each output pair
UNIT_SHARE = 1.0 / 20.0  # one data unit of weight is this share of the largest conductance, 1 / r_min


def unit_conductance(circuit: Circuit) -> float:
    """Siemens per data unit of weight: ``g_unit = UNIT_SHARE / r_min``."""
    return UNIT_SHARE / circuit.resistor_range[0]


def output_pair(unit: int, n_outputs: int) -> tuple[str, str]:
    """The (plus, minus) node names of output ``unit``: ``y_p``, ``y_n`` (``y1_p``... with several)."""
    out = nodes.output_node(unit, n_outputs)
    return f"{out}_p", f"{out}_n"


class ResistiveTopology(Topology):
    name = "resistive"
    summary = "reciprocal resistor-diode network (no op-amps inside), trainable by equilibrium propagation"
    max_hidden_layers = 1
    reported_roles = ("h",)
    operating_point_role = "h"
    read_back_is_its_function = False  # every node is coupled to every other: see the module's docstring
    energy_based = True
    outputs_are_summers = False
    in_auto_choice = False  # a different kind of circuit: fit --topology auto never picks it
    weight_ratio_limited = False  # both conductances of a weight exist; no ratio between weights is refused

    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        # the diode's drop at the current one data unit drives through the load: the node then
        # clamps near 0 V
        return diode.forward_voltage(options.volts_per_unit / options.r_load)

    def hidden_stage_fields(self) -> tuple[str, ...]:
        return ("r_load", "activation_scale")

    def output_stage_fields(self) -> tuple[str, ...]:
        return ("r_ground", "activation_scale")

    # -- realisation and read-back ---------------------------------------------------------
    def realise_stages(self, net: ReLUNet, circuit: Circuit, options: RealisationOptions) -> tuple[Stage, ...]:
        if len(net.layers) != 2:
            raise RealisationError(f"the resistive topology realises networks with one hidden layer; this one has "
                                   f"{len(net.layers) - 1}. Use --hidden N (one number)")
        hidden_layer, output_layer = net.layers
        r_min, r_max = circuit.resistor_range
        hidden = _conductance_pair(hidden_layer, 0, circuit)
        output = _conductance_pair(output_layer, 1, circuit)
        return (
            Stage(r_plain=1.0 / hidden[0], r_inverted=1.0 / hidden[1], r_load=np.full(hidden_layer.n_out, r_max),
                  activation_scale=np.ones(hidden_layer.n_out)),
            Stage(r_plain=1.0 / output[0], r_inverted=1.0 / output[1],
                  r_ground=np.full(output_layer.n_out, float(options.r_load)),
                  activation_scale=np.full(output_layer.n_out, READOUT_GAIN)),
        )

    def read_back(self, circuit: Circuit) -> ReLUNet:
        g_unit = unit_conductance(circuit)
        layers = []
        for stage in circuit.stages:
            signed = (blocks.conductance(stage.r_plain) - blocks.conductance(stage.r_inverted)) / g_unit
            if not stage.is_hidden:  # the readout's gain scales the output layer
                signed = signed * stage.required("activation_scale")[:, None] / READOUT_GAIN
            layers.append(Layer(signed[:, :-1], signed[:, -1] * circuit.v_ref / circuit.volts_per_unit))
        return ReLUNet(tuple(layers))

    def hidden_transfer(self, circuit: Circuit, stage_index: int) -> tuple[np.ndarray, np.ndarray]:
        """The read-back bookkeeping (see the module): c = (G_plain - G_inverted) / g_unit, no offset."""
        stage = circuit.stages[stage_index]
        signed = (blocks.conductance(stage.r_plain) - blocks.conductance(stage.r_inverted)) / unit_conductance(circuit)
        return signed, np.zeros(stage.n_out)

    # -- netlist ----------------------------------------------------------------------------
    def netlist(self, circuit: Circuit, input_volts=None, input_elements: list[Element] | None = None,
                temperature_c: float | None = None) -> list[NetlistEntry]:
        entries: list[NetlistEntry] = [
            f"* a coupled network: the header's read-back network is its conductances' bookkeeping "
            f"(weight = (G_plain - G_inverted) / g_unit, g_unit = {unit_conductance(circuit):.6g} S), "
            f"not its function; the output is V(y_p) - V(y_n)"]
        entries += blocks.sources(circuit, input_volts, input_elements)
        entries.append("* inverted inputs -x: ideal sources (an inverting amplifier outside the network)")
        for k in range(circuit.n_inputs):
            node = nodes.input_node(k)
            entries.append(Element(f"E{nodes.inverted(node)}", (nodes.inverted(node), "0", node, "0"), "-1",
                                   "source"))
        entries.append(f"* the diodes' bias source: v_on = {circuit.v_on:.6g} V")
        entries.append(Element(f"V{BIAS_NODE}", (BIAS_NODE, "0"), f"DC {number(circuit.v_on)}", "source"))
        entries.append(f"* hidden layer 1: {circuit.hidden_sizes[0]} resistive neuron(s)")
        for unit in range(circuit.hidden_sizes[0]):
            entries += self.hidden_cell(circuit, 0, unit)
        entries += _output_pairs(circuit)
        entries += supply_entries(circuit, entries)  # the board's amplifiers are all off the network
        entries.append(f"* diode model: {circuit.diode.name} ({circuit.diode.source})")
        entries.append(circuit.diode.model_line())
        entries += blocks.option_lines(temperature_c)
        return entries

    def hidden_cell(self, circuit: Circuit, stage_index: int, unit: int) -> list[Element]:
        stage = circuit.stages[stage_index]
        h = nodes.neuron(stage_index, unit, "h")
        parts = blocks.weight_resistors(blocks.rails(circuit, stage_index), stage.r_plain[unit],
                                        stage.r_inverted[unit], h)
        return parts + [
            resistor(f"{h}_load", h, "0", stage.required("r_load")[unit]),
            Element(f"D{h}", (BIAS_NODE, h), circuit.diode.spice_name, "diode"),
        ]

    def reported_nodes(self, circuit: Circuit) -> list[str]:
        """Every hidden node, then every output pair's two nodes."""
        pairs = [name for o in range(circuit.n_outputs) for name in output_pair(o, circuit.n_outputs)]
        return super().reported_nodes(circuit) + pairs

    def operating_point_nodes(self, circuit: Circuit) -> list[str]:
        """The whole network's state: every hidden node and output node (spice-loop linearises there)."""
        return self.reported_nodes(circuit)

    # -- surrogate -------------------------------------------------------------------------
    def surrogate_cell(self, ctx, stage_index, signals, load, coupling, offset):
        raise NotImplementedError("the resistive network is solved whole: see surrogate_network")

    def surrogate_network(self, ctx, x: np.ndarray):
        """(output volts Var (n, n_out), reported node -> (n,) volts) of the whole coupled network,
        by Newton's method on its node equations (``solvers.resistive_equilibrium``), with exact
        gradients with respect to every conductance and v_ref by one adjoint solve."""
        circuit = ctx.circuit
        network = network_of(circuit)
        fixed = network.fixed_volts(circuit, x, float(ctx.v_ref.value))
        conductance = network.conductances({path: var.value for path, var in ctx.conductance.items()})
        junction = ctx.junction
        if ctx.operating_point is None:
            state = solve(network.graph, conductance, fixed, junction)
        else:
            state = network.at_operating_point(conductance, fixed, junction, ctx.operating_point)
        volts = state.free_volts
        _refuse_breakdown(circuit, network.graph, volts, fixed)
        plus, minus = network.output_columns()
        gain = circuit.stages[-1].required("activation_scale")
        y_volts = (volts[:, plus] - volts[:, minus]) * gain
        paths = list(network.edge_paths)
        inputs = [ctx.conductance[path] for path in paths] + [ctx.v_ref]

        def vjp(y_bar):
            v_bar = np.zeros_like(volts)
            v_bar[:, plus] = y_bar * gain   # each output has its own two nodes
            v_bar[:, minus] = -y_bar * gain
            lam = state.adjoint(v_bar)
            by_edge = state.conductance_gradient(lam)
            by_fixed = state.fixed_gradient(lam).sum(axis=0)
            return [network.field_gradient(path, by_edge) for path in paths] + [network.v_ref_gradient(by_fixed)]

        output = custom(y_volts, inputs, vjp)
        reported = {name: volts[:, network.graph.free.index(name)] for name in self.reported_nodes(circuit)}
        return output, reported


def _conductance_pair(layer: Layer, layer_index: int, circuit: Circuit) -> tuple[np.ndarray, np.ndarray]:
    """(G_plain, G_inverted), siemens, shape (n_out, n_in + 1), for a layer's weights and biases:
    ``G_plain - G_inverted = w g_unit`` with at least 1 / r_max on each side."""
    r_min, r_max = circuit.resistor_range
    g_unit = unit_conductance(circuit)
    signed = np.concatenate([layer.weights, (layer.biases * circuit.volts_per_unit / circuit.v_ref)[:, None]], axis=1)
    floor = 1.0 / r_max
    g_plain = floor + np.maximum(signed, 0.0) * g_unit
    g_inverted = floor + np.maximum(-signed, 0.0) * g_unit
    too_large = np.maximum(g_plain, g_inverted) > (1.0 / r_min) * (1 + 1e-12)
    if too_large.any():
        j, k = (int(i) for i in np.argwhere(too_large)[0])
        label = blocks.weight_label(layer_index, j, layer.n_in)(k)
        limit = (1.0 / r_min - floor) / g_unit
        raise RealisationError(
            f"{label} = {signed[j, k]:.6g} (in conductance units) needs a resistor below r_min: the resistive "
            f"topology realises weights up to {limit:.4g} units with resistors in the range {r_min:g}..{r_max:g} "
            f"ohm. Scale the network down or widen resistor_range"
        )
    return g_plain, g_inverted


def _output_pairs(circuit: Circuit) -> list[NetlistEntry]:
    stage = circuit.stages[-1]
    hidden = nodes.stage_inputs(1, stage.n_in)
    entries: list[NetlistEntry] = ["* output layer: node pairs, output = V(y_p) - V(y_n), read by an ideal "
                                   "difference amplifier outside the network"]
    for o in range(stage.n_out):
        plus, minus = output_pair(o, stage.n_out)
        for into, row in ((plus, stage.r_plain[o]), (minus, stage.r_inverted[o])):
            for node, ohms in zip([*hidden, nodes.REF], row, strict=True):
                if np.isfinite(ohms):
                    entries.append(resistor(f"{into}_{node}", node, into, ohms))
            entries.append(resistor(f"{into}_load", into, "0", stage.required("r_ground")[o]))
        out = nodes.output_node(o, stage.n_out)
        entries.append(Element(f"E{out}", (out, "0", plus, minus), number(stage.required("activation_scale")[o]),
                               "source"))
    return entries


class _Wiring:
    """Edges as they are added: their two ends (indices into ``index``) and, per resistor
    path, which element of the field's array each edge is."""

    def __init__(self, index: dict[str, int]) -> None:
        self.index = index
        self.a: list[int] = []
        self.b: list[int] = []
        self.paths: dict[tuple, tuple[list[int], list[int]]] = {}

    def add(self, path: tuple, flat: int, node_a: str, node_b: str) -> None:
        flats, ids = self.paths.setdefault(path, ([], []))
        flats.append(flat)
        ids.append(len(self.a))
        self.a.append(self.index[node_a])
        self.b.append(self.index[node_b])


class ResistiveNetwork:
    """A resistive circuit's node graph (``solvers.resistive_equilibrium.NetworkGraph``) and the
    bookkeeping between its edges and the Stage arrays.

    Free nodes: each hidden node, each output pair (a diode's internal RS node is eliminated
    by the solver). Fixed: the inputs, their inverses, +-v_ref, the diode bias, ground.
    """

    def __init__(self, circuit: Circuit) -> None:
        hidden, output = circuit.stages
        self.n_inputs, self.n_hidden, self.n_outputs = circuit.n_inputs, hidden.n_out, output.n_out
        self.rs = circuit.diode.get("RS")
        h_names = [nodes.neuron(0, j, "h") for j in range(self.n_hidden)]
        pairs = [name for o in range(self.n_outputs) for name in output_pair(o, self.n_outputs)]
        inputs = [nodes.input_node(k) for k in range(self.n_inputs)]
        fixed = inputs + [nodes.inverted(n) for n in inputs] + [nodes.REF, nodes.inverted(nodes.REF), BIAS_NODE, "0"]
        wiring = _Wiring({name: i for i, name in enumerate(h_names + pairs + fixed)})
        self._wire_hidden(wiring, inputs, h_names)
        self._wire_outputs(wiring, h_names)
        # path -> (flat indices into the field's array, ids of the edges they are)
        self.edge_paths = {path: (np.array(flat), np.array(ids)) for path, (flat, ids) in wiring.paths.items()}
        index = wiring.index
        self.graph = NetworkGraph(tuple(h_names + pairs), tuple(fixed), np.array(wiring.a), np.array(wiring.b),
                                  np.full(self.n_hidden, index[BIAS_NODE]), np.array([index[n] for n in h_names]),
                                  self.rs)
        self.shapes = {(0, name): getattr(hidden, name).shape for name in ("r_plain", "r_inverted", "r_load")}
        self.shapes.update({(1, name): getattr(output, name).shape for name in ("r_plain", "r_inverted", "r_ground")})
        self.v_on = circuit.v_on

    def _wire_hidden(self, wiring: _Wiring, inputs: list[str], h_names: list[str]) -> None:
        """Each hidden node's resistors from every rail (plain and inverted) and its leak, in
        the order of the Stage arrays (``r_plain[j, k]`` is flat index j * (n_inputs + 1) + k)."""
        columns = [(node, nodes.inverted(node)) for node in inputs] + [(nodes.REF, nodes.inverted(nodes.REF))]
        width = self.n_inputs + 1
        for j, h in enumerate(h_names):
            for k, (plain, inverted) in enumerate(columns):
                wiring.add((0, "r_plain"), j * width + k, plain, h)
                wiring.add((0, "r_inverted"), j * width + k, inverted, h)
            wiring.add((0, "r_load"), j, h, "0")

    def _wire_outputs(self, wiring: _Wiring, h_names: list[str]) -> None:
        """Each output pair's resistors from every hidden node and +v_ref, and its two loads."""
        width = self.n_hidden + 1
        for o in range(self.n_outputs):
            plus, minus = output_pair(o, self.n_outputs)
            for j, source in enumerate([*h_names, nodes.REF]):
                wiring.add((1, "r_plain"), o * width + j, source, plus)
                wiring.add((1, "r_inverted"), o * width + j, source, minus)
            wiring.add((1, "r_ground"), o, plus, "0")
            wiring.add((1, "r_ground"), o, minus, "0")

    def conductances(self, by_path: dict) -> np.ndarray:
        """(E,) siemens from path -> conductance array (as ``Context.conductance`` holds them)."""
        g = np.empty(len(self.graph.edge_a))
        for path, (flat, ids) in self.edge_paths.items():
            g[ids] = np.asarray(by_path[path]).ravel()[flat]
        return g

    def fixed_volts(self, circuit: Circuit, x: np.ndarray, v_ref: float) -> np.ndarray:
        """(n, F) volts of the fixed nodes for inputs x (n, n_inputs) in circuit units."""
        volts = x * circuit.volts_per_unit
        n = len(x)
        constants = np.tile([v_ref, -v_ref, circuit.v_on, 0.0], (n, 1))
        return np.concatenate([volts, -volts, constants], axis=1)

    def output_columns(self) -> tuple[np.ndarray, np.ndarray]:
        """Free-node indices of each output's plus and minus node, (n_outputs,) each."""
        free = self.graph.free
        pairs = [output_pair(o, self.n_outputs) for o in range(self.n_outputs)]
        return np.array([free.index(p) for p, _ in pairs]), np.array([free.index(m) for _, m in pairs])

    def field_gradient(self, path, by_edge: np.ndarray) -> np.ndarray:
        """dL/dG shaped like the field at ``path`` from the per-edge gradient (E,)."""
        flat, ids = self.edge_paths[path]
        out = np.zeros(int(np.prod(self.shapes[path])))
        np.add.at(out, flat, by_edge[ids])
        return out.reshape(self.shapes[path])

    def v_ref_gradient(self, by_fixed: np.ndarray) -> float:
        """dL/dv_ref from dL/dU summed over samples (F,): +v_ref and -v_ref move together."""
        ref = 2 * self.n_inputs
        return float(by_fixed[ref] - by_fixed[ref + 1])

    def at_operating_point(self, conductance: np.ndarray, fixed: np.ndarray, junction: Junction,
                           point: dict) -> Equilibrium:
        """The network linearised at given node voltages (e.g. ngspice's, on a board): every hidden
        and output node's from ``point``."""
        volts = np.column_stack([point[name] for name in self.graph.free])
        everything = np.concatenate([volts, fixed], axis=1)
        branch = everything[:, self.graph.anode] - everything[:, self.graph.cathode]
        _, slope = branch_current(junction, self.rs, branch)
        return Equilibrium(self.graph, conductance, everything, slope)


def network_of(circuit: Circuit) -> ResistiveNetwork:
    """The node graph of a resistive circuit (cheap to build: a few thousand edges for digits)."""
    return ResistiveNetwork(circuit)


def _refuse_breakdown(circuit, graph, free_volts: np.ndarray, fixed_volts: np.ndarray) -> None:
    """Like the stage-wise cells, the whole-network surrogate models no diode breakdown: refuse
    samples whose diodes (one per hidden node, in order) are reverse biased near BV."""
    incidence = graph.incidence(graph.anode, graph.cathode)  # (diodes, free + fixed nodes)
    forward = free_volts @ incidence[:, :graph.n_free].T + fixed_volts @ incidence[:, graph.n_free:].T
    refuse_breakdown(circuit, 0, -forward, "h")

