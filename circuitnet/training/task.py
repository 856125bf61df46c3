"""What a fit learns, regression or classification, as one object: its outputs, its loss and
metrics, the bounds its stages keep, and how its circuit is measured for the report.

The stages (``fit_stages``) call the task and never ask which task it is: a new task is a
new class here and one entry in TASKS.

- Regression: one output per target column, mean squared error, no bound on the weights or
  the outputs (they are the target's); its hidden summers stay within SWING_SHARE of the
  rails as a classifier's do (the ideal stage's penalty, and the circuit stages' validation
  loss, ``summer_swing``); measured by ngspice on every split (``measure.measure``), after
  checking that every part stays in its safe operating area at every input of the data.
- Classification: one output per class, softmax cross-entropy at ``score_gain``; the ideal
  stage keeps every summer's weights within the resistor range's ratio (``realisable``);
  every stage pays for summer outputs beyond SWING_SHARE of the rails (``losses.RailBounded``),
  and after training and after snapping the output summers are scaled down until none passes
  that swing at any input of the data (``output_swing``: the argmax, the prediction, is kept).
  Measured on the whole test split in ngspice, sharded over an executor
  (``measure.measure_classifier``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from ..errors import OperatingLimitError
from ..model.board import Board
from ..model.circuit import Circuit
from ..model.limits import current_remedy, rail_remedy
from ..model.network import ReLUNet
from ..model.scaling import WINDOW
from ..topologies import get_topology
from .data import Split
from .losses import accuracy, loss_for
from .measure import measure, measure_classifier, rmse
from .output_swing import keep_outputs_within
from .realisable import RowRatioProjection, zero_weights
from .results import ClassifierFigures, Figures, RegressionFigures

if TYPE_CHECKING:
    from .config import FitConfig

SWING_SHARE = 0.6  # a classifier's summers are trained to stay within this share of the op-amp rails


@dataclass
class Measuring:
    """What measuring a circuit takes besides the circuit: the data (user's units), the board
    and ngspice, and what the run has to add to a classifier's figures. executor: where a
    test split is simulated (None: local threads); samples: a progress(done, total) callback;
    loss: the run's loss; pruned_weights, output_swing: what realisation and the swing bound
    did; classes: the class labels."""

    split: Split
    board: Board
    spice: Any
    loss: Any = None
    executor: Any = None
    samples: Any = None
    pruned_weights: int = 0
    output_swing: list[dict] = field(default_factory=list)
    classes: list = field(default_factory=list)


class Task(Protocol):
    """The task-specific half of a fit; every method is called by the stages of fit_stages."""

    name: str  # FitConfig.task

    @property
    def figures(self) -> type:
        """Its report figures' class (results.RegressionFigures or ClassifierFigures)."""

    def n_outputs(self, config: FitConfig, split: Split) -> int: ...
    def record_classes(self, config: FitConfig) -> list | None: ...
    def scaling_targets(self, config: FitConfig, split: Split) -> np.ndarray: ...
    def swing_volts(self, v_pos: float, v_neg: float) -> float | None: ...
    def loss(self, config: FitConfig, swing: float | None): ...
    def projection(self, resistor_range: tuple[float, float]): ...
    def zero_weights(self, network: ReLUNet) -> int: ...
    def metrics(self, problem) -> dict: ...
    def score(self, outputs: np.ndarray, targets: np.ndarray) -> float: ...
    def outputs_inside(self, circuit: Circuit, x: np.ndarray, swing_volts: float | None, board: Board,
                       series: np.ndarray | None) -> tuple[Circuit, dict | None]: ...
    def measure(self, circuit: Circuit, given: Measuring) -> tuple[Figures, dict | None]: ...


class RegressionTask:
    name = "regress"
    figures = RegressionFigures

    def n_outputs(self, config: FitConfig, split: Split) -> int:
        return split.y_train.shape[1]

    def record_classes(self, config: FitConfig) -> list | None:
        return None  # the data record names no classes

    def scaling_targets(self, config: FitConfig, split: Split) -> np.ndarray:
        """The targets DataScaling fits to, (n, n_outputs): the training targets."""
        return split.y_train

    def swing_volts(self, v_pos: float, v_neg: float) -> float | None:
        """SWING_SHARE of the nearer rail, volts: the hidden summers' bound (its outputs are
        the target's; the operating-limits check refuses one beyond a rail)."""
        return SWING_SHARE * min(v_pos, -v_neg)

    def loss(self, config: FitConfig, swing: float | None):
        return loss_for(self.name)

    def projection(self, resistor_range: tuple[float, float]):
        return None

    def zero_weights(self, network: ReLUNet) -> int:
        return 0

    def metrics(self, problem) -> dict:
        return {}

    def score(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        return rmse(outputs, targets)

    def outputs_inside(self, circuit: Circuit, x: np.ndarray, swing_volts: float | None, board: Board,
                       series: np.ndarray | None) -> tuple[Circuit, dict | None]:
        return circuit, None

    def measure(self, circuit: Circuit, given: Measuring) -> tuple[Figures, dict | None]:
        """No figures for a circuit that could not be built: every part of the board must stay
        in its safe operating area at every input of the data (see ``model.limits``)."""
        split, board = given.split, given.board
        found = given.spice.violations(board.apply(circuit), split.all_inputs(), board.temperature_c)
        if found:
            raise OperatingLimitError(
                f"the trained circuit leaves its parts' safe operating area at {len(found)} part(s); the worst: "
                f"{found[0].message()}.{_scaling_advice(circuit, split)}{rail_remedy(circuit, found)}"
                f"{current_remedy(circuit, found)}", found)
        return RegressionFigures(**measure(circuit, split, board, given.spice)), None


def _scaling_advice(circuit: Circuit, split: Split) -> str:
    """What to do about the data: scale it to about +-1 where the circuit sees it beyond
    +-``WINDOW`` (``--scale none``); data already about +-1, or scaled to it, need the
    circuit's own settings instead (``rail_remedy``)."""
    y = np.vstack([split.y_train, split.y_val, split.y_test])
    if circuit.data_scaling is None and max(np.abs(split.all_inputs()).max(), np.abs(y).max()) > WINDOW:
        return " Scale the data to about +-1 (inputs and target), or use parts with wider limits."
    return " The data are about +-1 already (as the circuit sees them); use parts with wider limits, or:"


class ClassificationTask:
    name = "classify"
    figures = ClassifierFigures

    def n_outputs(self, config: FitConfig, split: Split) -> int:
        return len(config.class_labels())

    def record_classes(self, config: FitConfig) -> list | None:
        """The class labels the circuit's data record names."""
        return config.classes

    def scaling_targets(self, config: FitConfig, split: Split) -> np.ndarray:
        return np.zeros((1, self.n_outputs(config, split)))  # class scores are never rescaled

    def swing_volts(self, v_pos: float, v_neg: float) -> float | None:
        """SWING_SHARE of the nearer rail, volts: the summers stay well inside the rails."""
        return SWING_SHARE * min(v_pos, -v_neg)

    def loss(self, config: FitConfig, swing: float | None):
        return loss_for(self.name, config.score_gain, swing)

    def projection(self, resistor_range: tuple[float, float]):
        return RowRatioProjection(resistor_range)

    def zero_weights(self, network: ReLUNet) -> int:
        return zero_weights(network)

    def metrics(self, problem) -> dict:
        """Validation accuracy per epoch (history["val_accuracy"])."""
        return {"val_accuracy": lambda params, x, y: accuracy(problem.predict(params, x), y)}

    def score(self, outputs: np.ndarray, targets: np.ndarray) -> float:
        return accuracy(outputs, targets)

    def outputs_inside(self, circuit: Circuit, x: np.ndarray, swing_volts: float | None, board: Board,
                       series: np.ndarray | None) -> tuple[Circuit, dict | None]:
        """The circuit with its output summers scaled down until none passes ``swing_volts`` at
        any of x (every input of the data in circuit units, no labels; see output_swing), and
        what that did. series: the E-series values the resistors keep to, or None."""
        if not get_topology(circuit.topology).outputs_are_summers:
            return circuit, None  # a resistive network's outputs are node pairs inside its rails: nothing to scale
        assert swing_volts is not None  # a classifier's (see swing_volts)
        kept, scaling = keep_outputs_within(circuit, x, swing_volts, board, series)
        return kept, scaling.to_dict()

    def measure(self, circuit: Circuit, given: Measuring) -> tuple[Figures, dict | None]:
        """measure_classifier, refusing a circuit outside its operating limits at a test sample;
        the details are the test outputs of each backend."""
        from ..util.executor import executor_for
        figures, details = measure_classifier(circuit, given.split, given.board, given.executor or executor_for(),
                                              given.samples, given.loss, given.spice)
        found = details["violations"]
        if found:
            raise OperatingLimitError(
                f"the trained circuit leaves its parts' safe operating area at {len(found)} part(s); the worst: "
                f"{found[0].message()}. Train with a larger --lam (smaller class scores), or use parts with "
                f"wider limits.{current_remedy(circuit, found)}", found)
        return ClassifierFigures(**figures, pruned_weights=given.pruned_weights, output_swing=given.output_swing,
                                 classes=given.classes), details


TASKS: dict[str, Task] = {"regress": RegressionTask(), "classify": ClassificationTask()}


def task_for(name: str) -> Task:
    """The task of FitConfig.task ``name`` (FitConfig has checked it)."""
    return TASKS[name]


__all__ = ["SWING_SHARE", "TASKS", "Measuring", "ClassificationTask", "RegressionTask", "Task", "task_for"]
