"""What a topology is, and the parts of realisation and read-back that all topologies share.

A topology says how a hidden neuron is built (its *cell*): how to size it from weights,
what ideal transfer its components give, its netlist elements, and its surrogate (the same
equations, differentiable). Rails, inverters, the output summer and the bookkeeping of
scales are shared and live here and in ``shared_blocks``.

Scales. Hidden unit j of stage l outputs ``activation_scale[j] * volts_per_unit * relu(z_j)``
volts, where ``z_j = w_j . u + b_j`` is the ideal pre-activation in data units. A cell
reports its ideal transfer as ``h_j = relu(c_j . P - offset_j)`` with P the plain rail
voltages of its stage; ``read_back`` turns that into weights in data units.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace

import numpy as np

from ..errors import RealisationError
from ..model import nodes
from ..model.circuit import Circuit, Stage
from ..model.devices import DiodeModel, OpAmpKind, OpAmpModel
from ..model.devices import diode as library_diode
from ..model.elements import Element, NetlistEntry
from ..model.network import Layer, ReLUNet
from ..model.opamp_parts import opamp_model
from ..solvers.autodiff import Var
from ..solvers.stages import Context
from . import shared_blocks as blocks
from .opamp_supply import supply_entries
from .rail_buffers import buffered_rails


@dataclass(frozen=True)
class RealisationOptions:
    """Choices made when a network becomes a circuit; None means the topology's default.

    diode: a DiodeModel or a library name (``1N4148``, ``1N914``, ``BAT54``).
    opamp: op-amp model of every inverter, summer and superdiode, or a part's name
        (``opamp_parts.OPAMP_PARTS``: that part on +-15 V).
    volts_per_unit: volts per data unit (inputs, activations, outputs).
    v_ref: bias reference, volts.
    v_on: diode drop to shift biases by, volts; default: the diode's forward voltage at the
        current one data unit drives through the load.
    r_load: rectifier load resistor, ohms.
    r_feedback: preferred summer feedback resistor, ohms (moved inside the feasible
        interval when a summer's weights need it).
    r_inverter: unity inverter resistors, ohms.
    resistor_range: (min, max) ohms every resistor must lie in.
    buffer_loads: the most resistors one op-amp output drives (``Circuit.buffer_loads``), or None.
    """

    diode: DiodeModel | str = "1N4148"
    opamp: OpAmpModel | str | None = None
    volts_per_unit: float = 1.0
    v_ref: float | None = None
    v_on: float | None = None
    r_load: float = 10e3
    r_feedback: float = 10e3
    r_inverter: float = 10e3
    resistor_range: tuple[float, float] = (1e3, 1e6)
    buffer_loads: int | None = None

    def diode_model(self) -> DiodeModel:
        return self.diode if isinstance(self.diode, DiodeModel) else library_diode(self.diode)

    def opamp_model(self, default: OpAmpModel) -> OpAmpModel:
        """The op-amp as given, a part by name on +-15 V, or ``default`` (the topology's) for None."""
        if isinstance(self.opamp, str):
            return opamp_model(self.opamp)
        return self.opamp or default


class Topology(ABC):
    """A way of building ReLU neurons from diodes, resistors and op-amps."""

    name: str
    summary: str
    max_hidden_layers: int | None = None
    default_v_ref: float = 1.0
    default_opamp: OpAmpModel = OpAmpModel(OpAmpKind.FINITE_GAIN.value)
    # Facts about a hidden neuron that backends and training read instead of testing the name:
    # the node roles (see nodes.neuron) that the spice and surrogate backends report;
    reported_roles: tuple[str, ...] = ("h",)
    # the role whose voltage fixes the neuron's state, where the surrogate linearises at an
    # operating point taken from ngspice (spice-loop training);
    operating_point_role: str = "h"
    # whether the neuron's summing junction is a linear function of its inputs (a summer's
    # virtual ground is; a precision rectifier's junction depends on which diode conducts).
    linear_junction: bool = True
    # whether each weight is one resistor whose ratio to its neighbours' the resistor range bounds
    # (a summer's or a divider's); the resistive topology ties both rails to every node instead.
    weight_ratio_limited: bool = True
    # whether the read-back ReLU network computes what the circuit does (up to the diode knees);
    # a coupled network's read-back is its conductances' bookkeeping only (see resistive.py)
    read_back_is_its_function: bool = True
    # whether the outputs are op-amp summers (a classifier's are scaled to stay inside the rails)
    outputs_are_summers: bool = True
    # the reported roles whose voltage bounds the neuron's op-amp output (training keeps them
    # inside the swing, ``training.summer_swing``): a summer's own output, or a node the op-amp
    # output follows within a diode drop; () where a neuron has no op-amp of its own.
    swing_roles: tuple[str, ...] = ()
    # whether the circuit is reciprocal (resistors, diodes, independent sources), so that its DC
    # solution minimises an energy and ``--mode eqprop`` can train it
    energy_based: bool = False
    # whether ``fit --topology auto`` may choose it (the resistive topology is a different kind
    # of circuit, trained as a circuit: it is chosen only when asked for by name)
    in_auto_choice: bool = True

    # -- what each topology provides ---------------------------------------------------
    @abstractmethod
    def default_v_on(self, diode: DiodeModel, options: RealisationOptions) -> float:
        """The diode drop, volts, that biases are shifted by."""

    def hidden_summer_lift(self, options: RealisationOptions) -> float:
        """Volts a hidden summer's output sits above ``s * z`` (its pre-activation z at s volts
        per unit) where it is a ``swing_roles`` node: 0 unless a topology lifts it (the diode
        summer's ``a = s * z + v_on``), so that training bounds z within the swing less this."""
        return 0.0

    @abstractmethod
    def realise_stages(self, net: ReLUNet, circuit: Circuit, options: RealisationOptions) -> tuple[Stage, ...]:
        """Component values of every stage; ``circuit`` carries the settings (its stages are empty)."""

    @abstractmethod
    def hidden_transfer(self, circuit: Circuit, stage_index: int) -> tuple[np.ndarray, np.ndarray]:
        """The ideal transfer of a hidden stage: (c of shape (n_out, n_in + 1), offset of shape
        (n_out,) volts) such that unit j outputs ``relu(c[j] . P - offset[j])`` volts."""

    @abstractmethod
    def hidden_cell(self, circuit: Circuit, stage_index: int, unit: int) -> list[Element]:
        """The elements of one hidden neuron (its weights, rectifier and load)."""

    @abstractmethod
    def surrogate_cell(self, ctx: Context, stage_index: int, signals: Var, load: Var, coupling: Var, offset: Var):
        """The surrogate of one hidden stage: the same neuron's DC equations, differentiable.

        signals: (n, n_in) volts that the stage's rails are made from (``solvers.stages`` forms
        the weighted sums from them). load (w,) siemens, coupling (w, w), offset (n or 1, w)
        amperes: how the next stage loads the rectifier outputs (``solvers.stages.loading``).
        Returns (rectifier outputs h (n, w) volts, {role: (n, w) volts} for every role in
        ``reported_roles``, the junction voltages (n, w) where ``linear_junction`` is False,
        else None); all Vars.
        """

    def hidden_stage_fields(self) -> tuple[str, ...]:
        """The Stage fields a hidden stage of this topology has besides r_plain and r_inverted."""
        return ("r_feedback", "r_load", "activation_scale")

    def output_stage_fields(self) -> tuple[str, ...]:
        """The Stage fields the output stage has besides r_plain and r_inverted."""
        return ("r_feedback",)

    def surrogate_network(self, ctx: Context, x: np.ndarray):
        """The surrogate of the whole circuit at once, for a topology whose stages are coupled
        (``resistive``): (output volts Var (n, n_out), reported node -> (n,) volts), or None
        for a topology solved stage by stage through ``surrogate_cell``. x: (n, n_inputs),
        circuit units."""
        return None

    # -- shared machinery ---------------------------------------------------------------
    def check_depth(self, n_hidden: int) -> None:
        """Refuse a network of ``n_hidden`` hidden layers this topology can't realise (fit checks
        it before training, realise again for any network)."""
        if self.max_hidden_layers is not None and n_hidden > self.max_hidden_layers:
            raise RealisationError(
                f"the {self.name} topology realises at most {self.max_hidden_layers} hidden layer(s); "
                f"this network has {n_hidden}. Use the diode or precision topology for deeper networks"
            )

    def realise(self, net: ReLUNet, options: RealisationOptions | None = None) -> Circuit:
        """The circuit of this topology that realises ``net``."""
        options = options or RealisationOptions()
        self.check_depth(len(net.layers) - 1)
        diode = options.diode_model()
        settings = Circuit(
            topology=self.name,
            stages=(),
            diode=diode,
            opamp=options.opamp_model(self.default_opamp),
            volts_per_unit=_positive("volts_per_unit", options.volts_per_unit),
            v_ref=_positive("v_ref", options.v_ref if options.v_ref is not None else self.default_v_ref),
            v_on=0.0,
            r_inverter=options.r_inverter,
            resistor_range=_resistor_range(options.resistor_range),
            buffer_loads=options.buffer_loads,
        )
        v_on = float(options.v_on if options.v_on is not None else self.default_v_on(diode, options))
        if not (np.isfinite(v_on) and 0.0 <= v_on < 10.0):
            raise RealisationError(f"v_on = {v_on!r}; the diode drop must be from 0 to 10 V")
        settings = replace(settings, v_on=v_on)
        for name in ("r_load", "r_feedback", "r_inverter"):
            blocks.check_in_range(name, getattr(options, name), settings.resistor_range)
        return replace(settings, stages=self.realise_stages(net, settings, options))

    def read_back(self, circuit: Circuit) -> ReLUNet:
        """The ideal ReLU network that the component values realise, in data units (circuit units
        for a circuit with data scaling: ``circuit.data_scaling`` maps them to data units)."""
        scale_in = np.ones(circuit.n_inputs)
        layers = []
        for index, stage in enumerate(circuit.stages):
            if stage.is_hidden:
                c, offset = self.hidden_transfer(circuit, index)
                scale_out = stage.required("activation_scale")
            else:
                c, offset = blocks.summer_coefficients(stage), np.zeros(stage.n_out)
                scale_out = np.ones(stage.n_out)
            weights = c[:, :-1] * scale_in[None, :] / scale_out[:, None]
            biases = (c[:, -1] * circuit.v_ref - offset) / (scale_out * circuit.volts_per_unit)
            layers.append(Layer(weights, biases))
            scale_in = scale_out
        return ReLUNet(tuple(layers))

    def netlist(self, circuit: Circuit, input_volts=None, input_elements: list[Element] | None = None,
                temperature_c: float | None = None) -> list[NetlistEntry]:
        """Every element, comment, model and option line of the circuit (no title, analysis or .end).

        input_volts: shape (n_inputs,), volts on the DC input sources (default 0).
        input_elements: sources that replace the DC input sources (each must drive node xK).
        temperature_c: the circuit temperature (``.temp``); default ngspice's 27 C.
        """
        entries = blocks.sources(circuit, input_volts, input_elements)
        for index, stage in enumerate(circuit.stages[:-1]):
            entries.append(f"* hidden layer {index + 1}: {stage.n_out} {self.name} neuron(s)")
            entries += blocks.inverters(circuit, index)
            for unit in range(stage.n_out):
                entries += self.hidden_cell(circuit, index, unit)
        entries += blocks.output_stage(circuit)
        entries = buffered_rails(circuit, entries)  # as they were unless circuit.buffer_loads is set
        entries += supply_entries(circuit, entries)  # nothing for the generic op-amp
        entries.append(f"* diode model: {circuit.diode.name} ({circuit.diode.source})")
        entries.append(circuit.diode.model_line())
        entries += blocks.option_lines(temperature_c, strict_pivots=circuit.opamp_offsets is not None)
        return entries

    def reported_nodes(self, circuit: Circuit) -> list[str]:
        """The hidden nodes the spice and surrogate backends report: every ``reported_roles``
        node of every hidden neuron, neuron by neuron."""
        return hidden_nodes(circuit, self.reported_roles)

    def operating_point_nodes(self, circuit: Circuit) -> list[str]:
        """The ``operating_point_role`` node of every hidden neuron."""
        return hidden_nodes(circuit, (self.operating_point_role,))


def hidden_nodes(circuit: Circuit, roles: tuple[str, ...]) -> list[str]:
    """Node names of these roles for every hidden neuron, stage by stage, unit by unit."""
    return [nodes.neuron(stage, unit, role)
            for stage, width in enumerate(circuit.hidden_sizes) for unit in range(width) for role in roles]


class SummerFedTopology(Topology, ABC):
    """A topology whose hidden neurons are fed by an op-amp summer: ``diode`` and ``precision``.

    The summer's stiff output drives the rectifier, so every hidden unit's ideal transfer is
    ``relu(a_j - v_on)`` with ``a_j`` the summer output; activation scales are 1. Where v_on > 0
    (the diode topology) each summer has an offset resistor that lifts ``a_j`` by v_on.
    """

    def realise_stages(self, net: ReLUNet, circuit: Circuit, options: RealisationOptions) -> tuple[Stage, ...]:
        stages = []
        scale_in = np.ones(net.n_inputs)
        for index, layer in enumerate(net.layers):
            hidden = index < len(net.layers) - 1
            scale_out = np.ones(layer.n_out)
            stage = realise_summer_stage(layer, index, scale_in, scale_out, circuit.v_on if hidden else 0.0,
                                         circuit, options)
            if hidden:
                stage = replace(stage, r_load=np.full(layer.n_out, float(options.r_load)),
                                activation_scale=scale_out)
            stages.append(stage)
            scale_in = scale_out
        return tuple(stages)

    def hidden_transfer(self, circuit: Circuit, stage_index: int) -> tuple[np.ndarray, np.ndarray]:
        stage = circuit.stages[stage_index]
        offset = np.full(stage.n_out, circuit.v_on)
        if stage.r_offset is not None:
            offset -= stage.required("r_feedback") * circuit.v_ref / stage.r_offset
        return blocks.summer_coefficients(stage), offset


def realise_summer_stage(layer: Layer, layer_index: int, scale_in: np.ndarray, scale_out: np.ndarray,
                         offset: float, circuit: Circuit, options: RealisationOptions,
                         r_feedback: np.ndarray | None = None) -> Stage:
    """A stage whose units are inverting summers: hidden (with a rectifier load) or output.

    The summer of unit j must output ``scale_out[j] * volts_per_unit * z_j + offset`` volts,
    i.e. gains ``c = [scale_out w / scale_in, scale_out * s * b / v_ref]`` plus, when offset > 0,
    an offset resistor from -v_ref with gain ``offset / v_ref`` (returned as ``r_offset``).
    r_feedback: shape (n_out,) ohms, to impose each summer's feedback resistor instead of sizing it.
    """
    s = circuit.volts_per_unit
    columns = [layer.weights * scale_out[:, None] / scale_in[None, :],
               (scale_out * s * layer.biases / circuit.v_ref)[:, None]]
    if offset > 0:
        columns.append(np.full((layer.n_out, 1), offset / circuit.v_ref))
    gains = np.concatenate(columns, axis=1)
    rows = [blocks.size_summer(gains[j], options.r_feedback if r_feedback is None else r_feedback[j],
                               circuit.resistor_range, blocks.weight_label(layer_index, j, layer.n_in),
                               fixed=r_feedback is not None)
            for j in range(layer.n_out)]
    r_plain, r_inverted, r_feedback = (np.array(part) for part in zip(*rows, strict=False))
    if offset > 0:  # the offset column always draws from -v_ref: split it off
        return Stage(r_plain=r_plain[:, :-1], r_inverted=r_inverted[:, :-1], r_feedback=r_feedback,
                     r_offset=r_inverted[:, -1])
    return Stage(r_plain=r_plain, r_inverted=r_inverted, r_feedback=r_feedback)


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise RealisationError(f"{name} = {value!r}; it must be a positive, finite number of volts")
    return value


def _resistor_range(resistor_range) -> tuple[float, float]:
    r_min, r_max = (float(r) for r in resistor_range)
    if not (np.isfinite(r_min) and np.isfinite(r_max) and 0 < r_min < r_max):
        raise RealisationError(
            f"resistor_range = ({r_min!r}, {r_max!r}); need 0 < min < max, both finite ohms"
        )
    return r_min, r_max

