"""Training component values: the ``surrogate`` and ``spice-loop`` modes.

The parameters are the log-conductances of every weight resistor (the resistors in
``r_plain`` and ``r_inverted`` of every stage), clipped so each resistor stays inside the
circuit's resistor range. Which rail a weight hangs on (its sign) is fixed; feedback, load,
offset, ground and inverter resistors keep their values (E-series snapping, which must
choose a value for every resistor, trains an ``EveryResistorProblem``, whose parameters they
are too).

Loss: the task's loss of the outputs (mean squared error, or softmax cross-entropy for
classes; see ``losses``) plus ``lam * sum((G / 1 mS)**2)`` over the trained conductances (a
ridge penalty on conductance, hence on static power), plus, for a problem ``bounded`` by a
swing, the hidden summers' swing penalty (``summer_swing``), in training and validation
alike. The clipping to the resistor range is the realisability constraint of this stage:
every parameter vector is a circuit that can be built.

Both modes go through the backend interface (``backends.protocol``): a ``Differentiable``
backend (the surrogate) gives the gradient, and in spice-loop a ``Measuring`` one (ngspice)
the outputs and the operating point that gradient is linearised at.

- ``surrogate``: outputs and gradients from the NumPy surrogate.
- ``spice-loop``: outputs from ngspice simulating the *board* (the circuit as built, see
  Board), gradients from the surrogate's Jacobian linearised at ngspice's node voltages
  (as in physics-aware training): the loss is the real circuit's, the direction the model's.
  The hidden summers' swing penalty likewise: of ngspice's summer volts, its direction the
  surrogate's at ngspice's operating point.
- ``eqprop`` (energy-based topologies): outputs and gradients from ngspice's free and nudged
  equilibria of the board, no surrogate at all (``eqprop``).

``board_known`` (surrogate mode, ``FitConfig.surrogate_board``): the surrogate simulates the
board instead of the nominal circuit, its resistor errors and op-amp offsets included (it models
them within 1 uV of ngspice): calibration against a board whose errors are known, as a Monte
Carlo board's are. A built board's are not; ``spice-loop`` measures them.
"""

from __future__ import annotations

import numpy as np

from ..backends.protocol import ComponentGradient, Differentiable, Measuring
from ..backends.result import SimulationResult
from ..backends.surrogate import SurrogateBackend
from ..errors import CircuitnetError
from ..model.board import Board
from ..model.circuit import RESISTOR_FIELDS, Circuit, map_resistors, resistors
from ..model.devices import NOMINAL_TEMPERATURE_C
from .config import TrainingMode
from .eqprop import EqPropGradient, EqPropSettings
from .losses import MeanSquared
from .summer_swing import hidden_swing_penalty_and_cotangent, swing_nodes

TRAINED_FIELDS = ("r_plain", "r_inverted")  # the weight resistors; the sign of each is its rail
SIEMENS_SCALE = 1e-3  # the ridge penalty counts conductance in millisiemens


class CircuitProblem:
    """The trained resistors of ``base`` as a training problem (see the module docstring).

    spice: the Measuring backend whose outputs spice-loop trains on (a SpiceBackend; unused
    in surrogate mode). surrogate: the Differentiable backend whose vector-Jacobian product
    gives every gradient (default: a SurrogateBackend). Both are the caller's.
    ``bounded(volts)`` bounds its hidden summers in training and validation (see there);
    unbounded by default.
    ``on_known_board(True)`` makes surrogate mode train and validate on the board's surrogate
    (see the module docstring); by default the nominal circuit's.
    """

    fields: tuple[str, ...] = TRAINED_FIELDS  # the Stage fields whose resistors are parameters

    def __init__(self, base: Circuit, lam: float, mode: str = TrainingMode.SURROGATE.value, board: Board | None = None,
                 spice: Measuring | None = None, loss=None,
                 surrogate: Differentiable | None = None,
                 eqprop: EqPropSettings | None = None):
        self.base = base
        self.board_known = False
        self.hidden_swing_volts: float | None = None
        self.swing_nodes: list[str] = []
        self.lam = lam
        self.loss = loss or MeanSquared()
        self.mode = mode
        self.board = board or Board()
        self.temperature_c = NOMINAL_TEMPERATURE_C  # the surrogate's: the model, nominal (the board has its own)
        self.spice = spice
        self.surrogate: Differentiable = surrogate or SurrogateBackend()
        self.eqprop = EqPropGradient(spice, eqprop) if mode == TrainingMode.EQPROP else None
        # (stage index, field) -> (bool mask of its resistors that are trained, their slice of params[0])
        self.slots: dict[tuple, tuple[np.ndarray, slice]] = {}
        start = 0
        for path, ohms in resistors(base):
            if path[1] in self.fields:
                mask = np.isfinite(ohms)
                self.slots[path] = (mask, slice(start, start + int(mask.sum())))
                start += int(mask.sum())
        r_min, r_max = base.resistor_range
        self.bounds = (np.log(1.0 / r_max), np.log(1.0 / r_min))

    def bounded(self, hidden_swing_volts: float | None) -> CircuitProblem:
        """This problem, its training loss (with its gradient) and its validation loss paying
        for hidden summers beyond ``hidden_swing_volts`` volts (``summer_swing``); None: no
        bound. Returns self."""
        self.hidden_swing_volts = hidden_swing_volts
        self.swing_nodes = swing_nodes(self.base) if hidden_swing_volts is not None else []
        return self

    def on_known_board(self, known: bool) -> CircuitProblem:
        """This problem, its surrogate mode simulating the board (``known``) or the nominal
        circuit; the other modes measure the board anyway. Returns self."""
        self.board_known = known and self.mode == TrainingMode.SURROGATE
        return self

    # -- parameters <-> circuit ------------------------------------------------------------
    def initial_params(self) -> list[np.ndarray]:
        """[log-conductances of the trained resistors, log(siemens)], shape (n_trained,), in the
        order of ``slots``."""
        stages = self.base.stages
        return [np.concatenate([np.log(1.0 / getattr(stages[index], name)[mask])
                                for (index, name), (mask, _) in self.slots.items()])]

    def circuit(self, params) -> Circuit:
        """The nominal circuit with the trained conductances exp(params[0])."""
        resistance = np.exp(-params[0])

        def trained(path, ohms):
            if path not in self.slots:
                return ohms
            mask, part = self.slots[path]
            ohms = ohms.copy()
            ohms[mask] = resistance[part]
            return ohms

        return map_resistors(self.base, trained)

    def project(self, params):
        return [np.clip(params[0], *self.bounds)]

    # -- losses ----------------------------------------------------------------------------
    def _ridge(self, params) -> tuple[float, np.ndarray]:
        scaled = np.exp(params[0]) / SIEMENS_SCALE
        return self.lam * float(np.sum(scaled ** 2)), 2.0 * self.lam * scaled ** 2

    def loss_and_grad(self, params, x, y):
        circuit = self.circuit(params)
        value = {"swing": 0.0}

        def cotangent(prediction):
            value["loss"], y_bar = self.loss.value_and_cotangent(prediction, y)
            return y_bar

        def node_cotangent(node_volts):
            value["swing"], node_bar = self._hidden_swing(node_volts)
            return node_bar

        # an energy-based (eqprop) topology has no op-amp per neuron, so no swing nodes
        swing = node_cotangent if self.swing_nodes else None
        if self.eqprop is not None:
            value["loss"], gradient_by_path, _ = self.eqprop.loss_and_gradient(
                circuit, self.board.apply(circuit), x, y, self.loss, self.board.temperature_c)
            gradient = ComponentGradient(gradient_by_path, 0.0)
        elif self.mode == TrainingMode.SPICE_LOOP:
            measured, point = self._measuring().operating_point(self.board.apply(circuit), x, self.board.temperature_c)
            # the penalty of ngspice's summer volts, its direction the surrogate's there, as the outputs' loss
            _, gradient = self.surrogate.vjp(circuit, x, cotangent(measured.y), self.temperature_c,
                                             operating_point=point,
                                             node_bar=None if swing is None else swing(measured.nodes))
        elif self.board_known:
            built = self.board.apply(circuit)
            _, gradient = self.surrogate.gradient(built, x, cotangent, self.board.temperature_c, node_cotangent=swing)
            # the board's resistor is the nominal one times a fixed factor, so its log-conductance
            # moves with theta: dL/dtheta = -R_board * dL/dR_board
            return self._with_ridge(value["loss"] + value["swing"],
                                    -self._trained(gradient.resistors) * self._trained(built), params)
        else:
            _, gradient = self.surrogate.gradient(circuit, x, cotangent, self.temperature_c, node_cotangent=swing)
        # dL/dtheta with G = exp(theta), R = 1/G: dL/dtheta = dL/dR * dR/dtheta = -R * dL/dR
        return self._with_ridge(value["loss"] + value["swing"],
                                -self._trained(gradient.resistors) * np.exp(-params[0]), params)

    def _hidden_swing(self, node_volts) -> tuple[float, dict[str, np.ndarray]]:
        """The hidden summers' swing penalty of ``node_volts`` (node name -> (n,) volts) and its
        gradient per volt (node name -> (n,)); (0, {}) for a problem not ``bounded``."""
        if not self.swing_nodes:
            return 0.0, {}
        assert self.hidden_swing_volts is not None  # the nodes are listed only with a swing
        return hidden_swing_penalty_and_cotangent(node_volts, self.swing_nodes, self.hidden_swing_volts,
                                                  self.base.volts_per_unit)

    def _trained(self, values) -> np.ndarray:
        """The trained resistors' entries of ``values`` (a Circuit's ohms, or a gradient's path ->
        array), in the order of params[0], shape (n_trained,)."""
        if isinstance(values, Circuit):
            return np.concatenate([getattr(values.stages[index], name)[mask]
                                   for (index, name), (mask, _) in self.slots.items()])
        return np.concatenate([values[path][mask] for path, (mask, _) in self.slots.items()])

    def _with_ridge(self, loss: float, d_theta: np.ndarray, params) -> tuple[float, list[np.ndarray]]:
        """(loss + the ridge penalty, [its gradient in theta]) from the task's loss and gradient."""
        ridge, d_ridge = self._ridge(params)
        return loss + ridge, [d_theta + d_ridge]

    def simulate(self, params, x) -> SimulationResult:
        """The training mode's view of the circuit: the surrogate's (of the board when
        ``board_known``), or ngspice's on the board."""
        circuit = self.circuit(params)
        if self.mode in (TrainingMode.SPICE_LOOP, TrainingMode.EQPROP):
            return self._measuring().simulate(self.board.apply(circuit), x, self.board.temperature_c)
        if self.board_known:
            return self.surrogate.simulate(self.board.apply(circuit), x, self.board.temperature_c)
        return self.surrogate.simulate(circuit, x, self.temperature_c)

    def predict(self, params, x) -> np.ndarray:
        """The training mode's view of the outputs (``simulate``'s)."""
        return self.simulate(params, x).y

    def val_loss(self, params, x, y) -> float:
        """The task's loss of the outputs, plus the hidden summers' beyond the swing (if bounded)."""
        result = self.simulate(params, x)
        return self.loss.value(result.y, y) + self._hidden_swing(result.nodes)[0]

    def _measuring(self) -> Measuring:
        """The backend spice-loop measures the board with; the run that asks for the mode gives one."""
        if self.spice is None:
            raise CircuitnetError("the spice-loop mode measures the board in ngspice: give CircuitProblem a spice "
                                  "backend (a SpiceBackend)")
        return self.spice


class EveryResistorProblem(CircuitProblem):
    """The same problem with every resistor of every stage a parameter (E-series snapping
    chooses a value for each), not only the weights."""

    fields = RESISTOR_FIELDS

