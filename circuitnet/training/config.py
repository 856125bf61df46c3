"""The settings of one fit run, all of them recorded in its report and its checkpoint."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import CircuitnetError, UnknownNameError
from ..model.board import Board
from ..model.devices import OpAmpModel
from ..model.devices import diode as library_diode
from ..model.opamp_parts import DEFAULT_SUPPLY_V, opamp_model, opamp_part
from ..topologies import TOPOLOGIES, get_topology
from ..util.choices import Choice
from .eqprop import EqPropSettings
from .resistor_range import check_resistor_range


class TrainingMode(Choice):
    """What a fit trains (``FitConfig.mode``, ``fit --mode``)."""

    IDEAL = "ideal"            # an ideal ReLU network, realised as a circuit afterwards
    SURROGATE = "surrogate"    # the resistors, through the differentiable surrogate
    SPICE_LOOP = "spice-loop"  # the resistors, ngspice's outputs and operating point in the loop
    EQPROP = "eqprop"          # the resistors, by equilibrium propagation from ngspice's equilibria alone


MODES = TrainingMode.values()
TASKS = ("regress", "classify")
# The most epochs of each mode's own stage. Stages end when validation stops improving, so
# these are caps: the surrogate stage's is the highest because it keeps improving longest
# (docs/training.md); spice-loop epochs each cost an ngspice run per batch.
DEFAULT_EPOCHS = {TrainingMode.IDEAL: 4000, TrainingMode.SURROGATE: 5000, TrainingMode.SPICE_LOOP: 400,
                  TrainingMode.EQPROP: 400}
DEFAULT_PATIENCE = 200  # epochs without a better validation loss before a stage ends


@dataclass
class FitConfig:
    """Hyperparameters and settings of one fit (all recorded in the report).

    epochs: the most passes over the training data in the mode's own stage (the ideal
    pretraining of the circuit modes runs at most ``pretrain_epochs``); a stage ends sooner
    when its validation loss has not improved for ``patience`` epochs, and the report says
    which ended it. lam: ridge strength (on weights in the ideal stage, on conductances in mS
    in the circuit stage). lr: Adam's initial rate (cosine decay over ``epochs``).
    batch_size: None for full-batch gradient descent.
    """

    topology: str = "diode"  # a registered topology, or "auto": the best on validation (see topology_choice)
    hidden: list = field(default_factory=lambda: [16])
    mode: str = TrainingMode.SURROGATE.value
    epochs: int | None = None
    pretrain_epochs: int = 4000
    lr: float = 0.01
    pretrain_lr: float = 0.01
    lam: float = 1e-6
    batch_size: int | None = None
    patience: int | None = DEFAULT_PATIENCE
    seed: int = 0
    e_series: str | None = None
    e_series_pairs: bool = False  # with e_series: a resistor may be two series values in series (snap_pairs)
    scale: bool = True  # map data beyond the circuits' window onto it (see model.scaling)
    volts_per_unit: float = 1.0  # volts per circuit unit: larger signals make a diode's knee relatively sharper
    diode: str = "1N4148"
    board: dict | None = None  # Board fields; None: the nominal circuit at 27 C
    task: str = "regress"  # or "classify": one output per class, softmax cross-entropy, argmax prediction
    classes: list | None = None  # classify: the labels, in the order of the outputs
    score_gain: float = 4.0  # classify: softmax logits per data unit of output (see losses.SoftmaxCrossEntropy)
    opamp: str | None = None  # a part of model.opamp_parts.OPAMP_PARTS; None: the generic finite-gain op-amp
    supply_v: float = 15.0  # the part's symmetric supply, +-volts
    resistor_range: list | None = None  # [min, max] ohms; None: the topology's (1 kOhm .. 1 MOhm)
    buffer_loads: int | None = None  # the most resistors one op-amp output drives (topologies.rail_buffers)
    beta: float = 0.05  # eqprop: the nudging strength (see training.eqprop.EqPropSettings)
    centered: bool = True  # eqprop: nudge at +beta and -beta (three ngspice phases a step)
    start_from: str | None = None  # a model file whose circuit the circuit stage continues (training.warm_start)
    surrogate_board: bool = False  # surrogate mode: the surrogate simulates the board (its errors known), not nominal

    def __post_init__(self):
        self._check_names()
        if self.epochs is None:
            self.epochs = DEFAULT_EPOCHS[TrainingMode(self.mode)]
        for name in ("epochs", "pretrain_epochs"):
            if int(getattr(self, name)) < 1:
                raise CircuitnetError(f"{name} = {getattr(self, name)}; give at least 1")
        if not (np.isfinite(self.volts_per_unit) and 1e-3 <= self.volts_per_unit <= 100):
            raise CircuitnetError(f"volts_per_unit = {self.volts_per_unit}; give 0.001 to 100 V per unit")
        EqPropSettings(self.beta, self.centered)  # refuses a bad beta before any training
        if not (self.lr > 0 and self.pretrain_lr > 0 and self.lam >= 0):
            raise CircuitnetError(f"lr = {self.lr}, lam = {self.lam}: need lr > 0 and lam >= 0")
        self.hidden = [int(h) for h in self.hidden]
        if not self.hidden or min(self.hidden) < 1:
            raise CircuitnetError(f"hidden = {self.hidden}; give one or more layer widths >= 1")
        if self.e_series_pairs and not self.e_series:
            raise CircuitnetError("--e-series-pairs (e_series_pairs) is on without --e-series: a pair is two values "
                                  "of one series; name the series too, e.g. --e-series E24 --e-series-pairs")
        self._check_parts()

    def _check_names(self) -> None:
        """The topology, mode and task are known ones; a classifier has its labels."""
        if self.topology != "auto" and self.topology not in TOPOLOGIES:
            raise UnknownNameError(f"topology = {self.topology!r}; choose one of {', '.join(TOPOLOGIES)} or auto")
        if self.mode not in MODES:
            raise CircuitnetError(f"mode = {self.mode!r}; choose one of {', '.join(MODES)}")
        if (self.mode == TrainingMode.EQPROP and self.topology != "auto"
                and not get_topology(self.topology).energy_based):
            energy = [name for name, t in TOPOLOGIES.items() if t.energy_based]
            raise CircuitnetError(f"mode = 'eqprop' trains an energy-based circuit (no op-amps inside); the "
                                  f"{self.topology} topology has op-amps. Use --topology {' or '.join(energy)}")
        if self.task not in TASKS:
            raise CircuitnetError(f"task = {self.task!r}; choose one of {', '.join(TASKS)}")
        if self.task == "classify" and (self.classes is None or len(self.classes) < 2):
            raise CircuitnetError(f"classes = {self.classes!r}; a classifier needs its two or more labels")

    def stage_epochs(self) -> int:
        """``epochs`` as ``__post_init__`` resolved it (None there: the mode's default)."""
        assert self.epochs is not None  # __post_init__ set it
        return self.epochs

    def snapping_series(self) -> str:
        """``e_series`` for the code that snaps, which runs only when one was asked for."""
        if self.e_series is None:
            raise CircuitnetError("this fit asks for no E-series (e_series = None); there is nothing to snap to")
        return self.e_series

    def class_labels(self) -> list:
        """A classifier's labels, in the order of its outputs."""
        if self.classes is None:
            raise CircuitnetError("only a classifier (task = 'classify') has class labels; give classes")
        return self.classes

    def _check_parts(self) -> None:
        """Every part name and the topology's depth, checked before any training or file: a
        name that fails at realisation would fail after minutes, and fail again on resume."""
        if self.topology != "auto":  # auto leaves out the topologies too shallow (topology_choice)
            get_topology(self.topology).check_depth(len(self.hidden))
        library_diode(self.diode)
        if self.opamp is None and self.supply_v != DEFAULT_SUPPLY_V:  # it would be ignored
            raise CircuitnetError(f"supply_v = {self.supply_v:g} is a real op-amp's supply; the generic op-amp "
                                  f"(opamp = None) has none: name the part too, e.g. opamp='TL072'")
        self.opamp_model()  # an unknown part, or a supply outside its range, fails here
        check_resistor_range(self.resistor_range)
        if self.buffer_loads is not None and not (isinstance(self.buffer_loads, int) and self.buffer_loads >= 1):
            raise CircuitnetError(f"buffer_loads = {self.buffer_loads!r}; give a whole number of at least 1")
        if self.board and self.board.get("diode") is not None:
            try:
                library_diode(self.board["diode"])
            except UnknownNameError as error:
                raise UnknownNameError(f"the board's {error}") from None
        if self.board and self.board.get("opamp_part") is not None:
            try:
                opamp_part(self.board["opamp_part"])
            except UnknownNameError as error:
                raise UnknownNameError(f"the board's {error}") from None

    def opamp_model(self) -> OpAmpModel | None:
        """The circuit's op-amp: the part on its supply, or None for the topology's default."""
        return None if self.opamp is None else opamp_model(self.opamp, self.supply_v)

    def board_model(self) -> Board:
        return Board(**self.board) if self.board else Board()
