"""``--mode eqprop``: training a resistive circuit from its own equilibria, in ngspice.

Equilibrium propagation (Scellier and Bengio 2017; Kendall et al. 2020 for resistor-diode
networks in SPICE). A reciprocal network settles where its co-content

    E(V) = 1/2 sum_e G_e dV_e^2 + (the diodes' terms)

is smallest, and dE/dG_e at the equilibrium is ``dV_e^2 / 2``: the squared voltage across the
resistor itself. Nudge the outputs with currents ``I = -beta g dC/dV`` (C the sample's loss,
g a reference conductance, V an output node's voltage), let the circuit settle again, and

    dC/dG_e = lim_{beta -> 0} [dV_e^2(nudged) - dV_e^2(free)] / (2 beta g)

or, centered (phases at +beta and -beta, error O(beta^2) instead of O(beta)):
``[dV_e^2(+beta) - dV_e^2(-beta)] / (4 beta g)``.

**Nothing else is needed: no surrogate and no model of the circuit.** Each step runs two (or
three) equilibria of the same sample set in ngspice and reads the node voltages; the only
knowledge of the circuit used is its wiring, which two nodes each resistor joins, which
the netlist says. The same measurements on a built board would train the board.

The nudging current follows from the free phase's outputs (the loss's cotangent there), so it
is one fixed current per sample and output node, a ``pwl`` B source over the sample set
(``backends.spice.equilibria``); the phases' chunks run side by side on the worker pool.
With a board (tolerances, temperature) the phases are the board's, and each nominal
conductance moves by the gradient of its built value: ``dL/dG_nominal = dL/dG_board * G_board /
G_nominal``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..backends.spice.equilibria import equilibria
from ..errors import CircuitnetError
from ..model.circuit import Circuit, resistors
from ..topologies import get_topology
from ..topologies.resistive import ResistiveNetwork, output_pair, unit_conductance


@dataclass(frozen=True)
class EqPropSettings:
    """beta: the nudging strength, dimensionless: each output node takes ``-(beta / gain) *
    g_unit * (1 V)^2 * dC/dV`` amperes (g_unit: the topology's siemens per unit of weight; C the
    sample's loss; gain: the largest readout gain, which multiplies dC/dV, so that beta means the
    same whatever the gain). centered: nudge at +beta and -beta (three phases a step) instead of 0 and +beta."""

    beta: float = 0.05
    centered: bool = True

    def __post_init__(self) -> None:
        if not (np.isfinite(self.beta) and 0 < self.beta <= 10):
            raise CircuitnetError(f"beta = {self.beta!r}; give a nudging strength above 0 and at most 10")


class EqPropGradient:
    """dL/dR of every resistor of a resistive circuit from ngspice's free and nudged equilibria.

    spice: the SpiceBackend whose worker pool simulates the phases. solves: how many sample
    equilibria ngspice has solved so far (phases x samples), for the comparison tables.
    """

    def __init__(self, spice, settings: EqPropSettings | None = None) -> None:
        self.spice = spice
        self.settings = settings or EqPropSettings()
        self.solves = 0

    def loss_and_gradient(self, nominal: Circuit, built: Circuit, x: np.ndarray, y: np.ndarray, loss,
                          temperature_c: float) -> tuple[float, dict, np.ndarray]:
        """(loss of the free phase, {resistor path: dL/dR of the nominal ohms, shaped like the
        field}, the free phase's outputs (n, n_outputs) circuit units).

        nominal: the circuit whose values are trained; built: the one ngspice simulates (the
        board: nominal with tolerances drawn). x (n, n_inputs), y targets: circuit units.
        """
        topology = get_topology(built.topology)
        if not topology.energy_based:
            raise CircuitnetError(f"--mode eqprop trains an energy-based circuit; the {built.topology} topology has "
                                  f"op-amps inside. Use --topology resistive")
        network = ResistiveNetwork(built)
        wanted = topology.reported_nodes(built)
        free = equilibria(self.spice.pool, built, x, [None], temperature_c, wanted)[0]
        y_free = self._outputs(built, free)
        value, y_bar = loss.value_and_cotangent(y_free, y)
        currents = self._nudges(built, np.asarray(y_bar, dtype=float) * len(x))
        beta = self.settings.beta / float(np.max(built.stages[-1].required("activation_scale")))
        signs = (1.0, -1.0) if self.settings.centered else (1.0,)
        nudged = equilibria(self.spice.pool, built, x, [{node: sign * beta * amperes for node, amperes in
                                                        currents.items()} for sign in signs], temperature_c, wanted)
        self.solves += len(x) * (1 + len(signs))
        fixed = network.fixed_volts(built, x, built.v_ref)
        drops = [self._squared_drops(network, phase, fixed) for phase in nudged]
        if self.settings.centered:
            per_edge = (drops[0] - drops[1]) / (4.0 * beta)
        else:
            per_edge = (drops[0] - self._squared_drops(network, free, fixed)) / (2.0 * beta)
        # dL/dG = mean over samples of dC_s/dG, with the 1 / g_unit of the nudge's scale
        d_conductance = per_edge.mean(axis=0) / unit_conductance(built)
        return value, self._per_resistor(network, nominal, built, d_conductance), y_free

    @staticmethod
    def _outputs(circuit: Circuit, volts: dict) -> np.ndarray:
        pairs = [output_pair(o, circuit.n_outputs) for o in range(circuit.n_outputs)]
        gain = circuit.stages[-1].required("activation_scale")
        return np.column_stack([volts[p] - volts[m] for p, m in pairs]) * gain / circuit.volts_per_unit

    def _nudges(self, circuit: Circuit, per_sample_cotangent: np.ndarray) -> dict:
        """node -> (n,) amperes at beta = 1: ``-g_unit dC_s/dV`` into each output pair's nodes
        (y = gain (V_p - V_n) / volts_per_unit, so dC/dV_p = -dC/dV_n = gain dC/dy / volts_per_unit)."""
        g = unit_conductance(circuit)
        gain = circuit.stages[-1].required("activation_scale")
        currents = {}
        for o in range(circuit.n_outputs):
            plus, minus = output_pair(o, circuit.n_outputs)
            d_v = per_sample_cotangent[:, o] * gain[o] / circuit.volts_per_unit
            currents[plus], currents[minus] = -g * d_v, g * d_v
        return currents

    @staticmethod
    def _squared_drops(network: ResistiveNetwork, phase: dict, fixed: np.ndarray) -> np.ndarray:
        """(n, E) squared volts across every edge at one equilibrium."""
        graph = network.graph
        free = np.column_stack([phase[name] if name in phase else np.zeros(len(fixed)) for name in graph.free])
        volts = np.concatenate([free, fixed], axis=1)
        drop = volts[:, graph.edge_a] - volts[:, graph.edge_b]
        return drop * drop

    @staticmethod
    def _per_resistor(network: ResistiveNetwork, nominal: Circuit, built: Circuit, d_conductance: np.ndarray) -> dict:
        """{path: dL/dR_nominal}: dL/dR_n = -dL/dG_b G_b G_n (G_b = G_n (1 + drawn error))."""
        built_ohms = dict(resistors(built))
        gradients = {}
        for path, ohms in resistors(nominal):
            if path not in network.edge_paths:
                continue
            d_g = network.field_gradient(path, d_conductance)
            with np.errstate(divide="ignore"):
                gradients[path] = np.where(np.isfinite(ohms), -d_g / (built_ohms[path] * ohms), 0.0)
        return gradients
