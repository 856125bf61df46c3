"""training/task.py: what differs between regression and classification lives in the task,
so the stages never ask which task they fit."""

import ast
from pathlib import Path

import numpy as np
import pytest

from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.losses import MeanSquared, RailBounded, SoftmaxCrossEntropy
from circuitnet.training.task import SWING_SHARE, ClassificationTask, RegressionTask, task_for

TRAINING = Path(__file__).resolve().parents[1] / "circuitnet" / "training"
TASK_WORDS = {"regress", "classify", "classifier", "regressor"}


@pytest.mark.parametrize("module", ["fit_stages.py", "fit_state.py"])
def test_the_stages_never_ask_which_task_they_fit(module):
    tree = ast.parse((TRAINING / module).read_text())
    named = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and node.value in TASK_WORDS]
    # a comparison of a task (config.task == ..., task.name != ...) or a classify flag is a branch on it
    compared = [ast.unparse(node) for node in ast.walk(tree) if isinstance(node, ast.Compare)
                and any(isinstance(part, ast.Attribute) and part.attr in {"task", "name"}
                        for part in [node.left, *node.comparators])]
    looked_up = compared + [node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                            and node.attr == "classify"]
    assert named == [] and looked_up == []


def test_each_task_owns_its_outputs_loss_and_bounds():
    split = target_split("abs", 20, seed=1)
    regression, classification = task_for("regress"), task_for("classify")
    assert isinstance(regression, RegressionTask) and isinstance(classification, ClassificationTask)
    regressor = FitConfig()
    classifier = FitConfig(task="classify", classes=[0, 1, 2], score_gain=2.0)
    assert regression.n_outputs(regressor, split) == 1 and classification.n_outputs(classifier, split) == 3
    assert isinstance(regression.loss(regressor, None), MeanSquared)
    assert isinstance(regression.loss(regressor, 0.5), MeanSquared)  # a regressor's outputs are the target's
    bounded = classification.loss(classifier, 0.5)
    assert isinstance(bounded, RailBounded) and isinstance(bounded.loss, SoftmaxCrossEntropy)
    assert bounded.loss.gain == 2.0 and bounded.swing == 0.5
    # the hidden summers' bound is the same for both (a regressor's outputs are not bounded by it)
    assert regression.swing_volts(15.0, -12.0) == pytest.approx(SWING_SHARE * 12.0)
    assert classification.swing_volts(15.0, -12.0) == pytest.approx(SWING_SHARE * 12.0)
    assert regression.projection((1e3, 1e6)) is None and classification.projection((1e3, 1e6)) is not None
    assert classification.scaling_targets(classifier, split).shape == (1, 3)  # class scores are never rescaled
    outputs, truth = np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([[1.0], [1.0]])
    assert classification.score(outputs, truth) == 0.5
    assert regression.score(np.array([[1.0], [3.0]]), np.array([[0.0], [3.0]])) == pytest.approx(np.sqrt(0.5))
