"""The surrogate backend: the circuit's DC solution in NumPy, and its exact gradients.

A pass walks the stages in order. Each stage forms its weighted sums from the previous
stage's outputs (rails and inverters folded into small matrices, ``solvers.stages``), lets
the topology's cell solve its rectifiers (``Topology.surrogate_cell``) under the load the
next stage puts on them, and hands its rectifier outputs on; the output stage is a summer.
Everything is vectorised over samples and units; the rectifiers are solved in closed form
(``solvers.rectifiers``), with Newton iterations only for the few precision-cell elements at
a knee.

A hidden stage whose junctions are not linear in its inputs (``Topology.linear_junction``
False) loads the stage before it through them; such circuits take a second pass with the
junction voltages of the first (the correction is of order 1e-5 of a microvolt-sized term).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..errors import UnknownNameError
from ..model import nodes
from ..model.circuit import Circuit
from ..model.network import check_inputs
from ..solvers.autodiff import Var, grad
from ..solvers.stages import Context, loading, summer
from ..topologies import get_topology
from .protocol import ComponentGradient, Cotangent, NodeCotangent, OperatingPoint, PointwiseSweep
from .result import SimulationResult, circuit_inputs, in_data_units


def forward(ctx: Context, x: np.ndarray, at: dict[str, np.ndarray] | None = None,
            role_vars: dict[tuple[int, str], Var] | None = None) -> tuple[Var, dict[str, np.ndarray]]:
    """(output volts (n, n_out), reported node name -> (n,) volts) for inputs x in circuit units
    (data units unless the circuit has a data scaling; see ``result.circuit_inputs``). at: a
    dict that receives the operating-point nodes' volts (``Topology.operating_point_nodes``).
    role_vars: a dict that receives (stage index, role) -> the Var (n, width) volts of every
    ``reported_roles`` node of the hidden stages solved one by one, so that a gradient can take
    cotangents of hidden nodes too (a coupled network reports values only)."""
    circuit = ctx.circuit
    topology = get_topology(circuit.topology)
    whole = topology.surrogate_network(ctx, x)  # a coupled network is solved at once
    if whole is not None:
        if at is not None:  # its operating point is the whole network's state, which it reports
            at.update({name: whole[1][name] for name in topology.operating_point_nodes(circuit)})
        return whole
    n_hidden = len(circuit.stages) - 1
    junctions: dict[int, Var] = {}
    # hidden junctions that are not linear feed back into the stage before: one more pass
    passes = 1 if topology.linear_junction or n_hidden < 2 else 2
    for _ in range(passes):
        # at 1 V per unit the inputs are the volts: no (n, n_inputs) product (784 columns for MNIST)
        signals = Var(x if circuit.volts_per_unit == 1.0 else x * circuit.volts_per_unit)
        reported: dict[str, np.ndarray] = {}
        for index in range(n_hidden):
            next_linear = topology.linear_junction or index + 1 == n_hidden  # the output stage is a summer
            load, coupling, offset = loading(ctx, index, junctions.get(index + 1), next_linear)
            signals, by_role, junction = topology.surrogate_cell(ctx, index, signals, load, coupling, offset)
            if role_vars is not None:  # the last pass's, as ``reported`` is
                role_vars.update({(index, role): by_role[role] for role in topology.reported_roles})
            for unit in range(signals.shape[1]):
                for role in topology.reported_roles:
                    reported[nodes.neuron(index, unit, role)] = by_role[role].value[:, unit]
                if at is not None:
                    at[nodes.neuron(index, unit, topology.operating_point_role)] = \
                        by_role[topology.operating_point_role].value[:, unit]
            if junction is not None:
                junctions[index] = junction
        output = summer(ctx, n_hidden, signals)
    return output, reported


class SurrogateBackend(PointwiseSweep):
    """Simulate and differentiate circuits with the NumPy surrogate (``protocol.Measuring`` and
    ``protocol.Differentiable``)."""

    name = "surrogate"

    def simulate(self, circuit: Circuit, x, temperature_c: float = 27.0) -> SimulationResult:
        x = check_inputs(x, circuit.n_inputs)
        inside = circuit_inputs(circuit, x)
        output, reported = forward(Context.of(circuit, temperature_c), inside)
        return in_data_units(_result(circuit, inside, output, reported, temperature_c, self.name), circuit, x)

    def operating_point(self, circuit: Circuit, x, temperature_c: float = 27.0
                        ) -> tuple[SimulationResult, OperatingPoint]:
        """Outputs at x (data units) and the surrogate's own volts at the nodes a gradient is
        linearised at (``Topology.operating_point_nodes``)."""
        x = check_inputs(x, circuit.n_inputs)
        inside = circuit_inputs(circuit, x)
        at: dict[str, np.ndarray] = {}
        output, reported = forward(Context.of(circuit, temperature_c), inside, at)
        result = in_data_units(_result(circuit, inside, output, reported, temperature_c, self.name), circuit, x)
        return result, OperatingPoint(at, float(temperature_c), self.name)

    def vjp(self, circuit: Circuit, x, y_bar, temperature_c: float = 27.0,
            operating_point: OperatingPoint | Mapping[str, np.ndarray] | None = None,
            node_bar: Mapping[str, np.ndarray] | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """Outputs at x and the gradient of ``sum(y_bar * y) + sum(node_bar * v)`` with respect to
        every component.

        y_bar: (n_samples, n_outputs), d(loss)/d(y) with y in data units.
        operating_point: the volts (n_samples,) of every rectifier output ``lLnJ_h``
            (``lLnJ_o`` for the precision topology), e.g. from ngspice, as an OperatingPoint or
            a node name -> volts mapping: the derivatives are then those of the circuit
            linearised there, not at the surrogate's own solution.
        node_bar: hidden node name (a ``reported_roles`` node) -> (n_samples,) d(loss)/d(volts)
            of a loss that depends on those nodes too (a summer's swing penalty), or None.
        """
        nodes_cotangent = None if node_bar is None else (lambda volts: node_bar)
        return self.gradient(circuit, x, lambda y: y_bar, temperature_c, operating_point, nodes_cotangent)

    def gradient(self, circuit: Circuit, x, cotangent: Cotangent, temperature_c: float = 27.0,
                 operating_point: OperatingPoint | Mapping[str, np.ndarray] | None = None,
                 node_cotangent: NodeCotangent | None = None) -> tuple[SimulationResult, ComponentGradient]:
        """Like ``vjp``, with y_bar computed from the outputs: ``cotangent(y) -> y_bar`` (data
        units), so a loss needs one forward pass (e.g. ``lambda y: 2 * (y - t) / t.size``);
        likewise node_bar = ``node_cotangent(reported node volts)`` when it is given."""
        x = check_inputs(x, circuit.n_inputs)
        inside = circuit_inputs(circuit, x)
        point = operating_point.nodes if isinstance(operating_point, OperatingPoint) else operating_point
        ctx = Context.of(circuit, temperature_c, None if point is None else dict(point))
        role_vars: dict[tuple[int, str], Var] = {}
        output, reported = forward(ctx, inside, role_vars=role_vars)
        keys = list(ctx.conductance)
        wrt = [ctx.conductance[key] for key in keys] + [ctx.v_ref]
        y = output.value / circuit.volts_per_unit
        scaling = circuit.data_scaling
        if scaling is None:
            y_bar = np.asarray(cotangent(y), dtype=float)
        else:  # the loss sees data units: y_data = offset + scale * y
            y_bar = np.asarray(cotangent(scaling.to_data(y)), dtype=float) * scaling.y_scale
        y_bar = y_bar / circuit.volts_per_unit
        pairs = [(output, y_bar)]
        if node_cotangent is not None:
            pairs += hidden_node_pairs(role_vars, node_cotangent(reported))
        grads = grad(pairs, wrt)
        resistors = {}
        for key, g_bar in zip(keys, grads[:-1], strict=True):  # the last is v_ref's
            conductance = ctx.conductance[key].value
            # dG/dR = -G^2 (0 for an absent resistor), in place: g_bar is grad's fresh array
            g_bar *= conductance
            g_bar *= conductance
            resistors[key] = np.negative(g_bar, out=g_bar)
        return (in_data_units(_result(circuit, inside, output, reported, temperature_c, self.name), circuit, x),
                ComponentGradient(resistors, float(grads[-1])))


def hidden_node_pairs(role_vars: Mapping[tuple[int, str], Var], node_bar: Mapping[str, np.ndarray]
                      ) -> list[tuple[Var, np.ndarray]]:
    """(Var (n, width), its cotangent (n, width)) of every hidden stage's role that ``node_bar``
    names a node of (node name -> (n,) d(loss)/d(volts); a unit it leaves out gets 0).
    role_vars: ``forward``'s. A cotangent of zeros is left out: it adds nothing, and a circuit
    whose summers are all inside their swing keeps the outputs' gradient to the bit. A name no
    stage solved one by one reports is refused: its term would be lost without a word."""
    pairs, used = [], set()
    for (index, role), var in role_vars.items():
        names = [nodes.neuron(index, unit, role) for unit in range(var.shape[1])]
        if any(name in node_bar for name in names):
            used.update(names)
            columns = [np.broadcast_to(np.asarray(node_bar.get(name, 0.0), dtype=float), var.shape[:1])
                       for name in names]
            cotangent = np.column_stack(columns)
            if np.any(cotangent):
                pairs.append((var, cotangent))
    unknown = sorted(set(node_bar) - used)
    if unknown:
        raise UnknownNameError(
            f"the surrogate differentiates no hidden node {unknown[0]!r}: a cotangent is taken only at a "
            "hidden neuron's reported node (Topology.reported_roles) of a topology solved stage by stage")
    return pairs


def _result(circuit, x, output: Var, reported: dict, temperature_c: float, backend: str) -> SimulationResult:
    y_volts = output.value
    return SimulationResult(x=x, y=y_volts / circuit.volts_per_unit, y_volts=y_volts,
                            nodes=reported,
                            backend=backend, temperature_c=float(temperature_c))


__all__ = ["ComponentGradient", "SurrogateBackend", "forward", "hidden_node_pairs"]
