"""A warm start (``fit --start-from MODEL``, ``training.warm_start``): a trained circuit
calibrated against one built board, in spice-loop (ngspice measuring the board) and in surrogate
mode with the board known (``FitConfig.surrogate_board``); and the flag's bad values refused."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import CircuitnetError
from circuitnet.formats import modelfile
from circuitnet.model.board import Board
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.classes import ClassDataset, load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.fit_state import FitContext
from circuitnet.training.losses import loss_for
from circuitnet.training.run import FitRun
from circuitnet.training.task import SWING_SHARE
from circuitnet.training.warm_start import started_config, toward_design

BOARD = {"tolerance": 0.01, "seed": 3, "opamp_offsets": True, "opamp_part": "TL072"}
CLASSES = [0, 1, 2]
MODELS = Path(__file__).parent / "models"


def three_digits(seed: int = 0):
    """150 digits of classes 0-2, split as a fit splits them."""
    digits = load_dataset("digits")
    keep = np.flatnonzero(digits.labels < 3)[:150]
    return stratified_split(ClassDataset(digits.x[keep], digits.labels[keep], (8, 8), {}), seed)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(split, the model file of a small digits classifier trained in surrogate mode, its circuit)."""
    split = three_digits()
    result = FitRun(split, FitConfig(hidden=[6], mode="surrogate", epochs=30, pretrain_epochs=200,
                                     task="classify", classes=CLASSES)).run()
    path = modelfile.save(result.circuit, tmp_path_factory.mktemp("start") / "model.json")
    return split, path, result.circuit


def warm(path, mode: str, **settings) -> FitConfig:
    return started_config(FitConfig(mode=mode, task="classify", classes=CLASSES, board=BOARD, start_from=str(path),
                                    patience=None, **settings))


@pytest.mark.ngspice
def test_a_warm_started_spice_loop_calibrates_the_trained_circuit_against_its_board(trained, spice):
    split, path, circuit = trained
    board = Board(**BOARD)
    result = FitRun(split, warm(path, "spice-loop", epochs=4), spice=spice).run()
    train_loss = result.history["circuit"]["train"]
    assert "ideal" not in result.history  # no pretraining: the run started from the model's resistors
    # its first epoch's loss is the model's own on the board, measured in ngspice here
    context = FitContext.of(split, warm(path, "spice-loop", epochs=4), spice)
    problem = CircuitProblem(context.start, 1e-6, "spice-loop", board, spice, loss=context.loss)
    first, _ = problem.loss_and_grad(problem.initial_params(), split.x_train, split.y_train)
    assert train_loss[0] == pytest.approx(first, rel=1e-9)
    assert train_loss[-1] < 0.9 * train_loss[0]  # the board's training loss falls
    assert not np.array_equal(result.circuit.stages[0].r_plain, circuit.stages[0].r_plain)
    # within its limits on the board: no part beyond them, every summer inside the trained swing
    built = board.apply(replace(result.circuit, data_scaling=None))
    assert spice.violations(built, split.all_inputs()) == []
    nodes = spice.simulate(built, split.all_inputs()).nodes
    summers = [np.max(np.abs(v)) for name, v in nodes.items() if name.endswith("_a")]
    assert summers and max(summers) <= SWING_SHARE * built.opamp.v_pos
    assert result.report["test_accuracy_spice"] >= 0.9


@pytest.mark.ngspice  # the trained fixture's fit ends in ngspice
def test_the_surrogate_trains_against_a_known_board_with_the_gradient_of_its_loss(trained):
    split, _, circuit = trained
    board = Board(**BOARD)
    loss = loss_for("classify", 4.0, 9.0)
    nominal = replace(circuit, data_scaling=None, data_record=None)
    problem = CircuitProblem(nominal, 1e-6, "surrogate", board, loss=loss).on_known_board(True)
    theta = problem.initial_params()
    x, y = split.x_train[:30], split.y_train[:30]
    value, gradient = problem.loss_and_grad(theta, x, y)
    on_board = loss.value(SurrogateBackend().simulate(board.apply(nominal), x).y, y)
    ridge = 1e-6 * float(np.sum((np.exp(theta[0]) / 1e-3) ** 2))
    assert value == pytest.approx(on_board + ridge, rel=1e-12)  # the board's loss, not the nominal circuit's
    assert abs(on_board - loss.value(SurrogateBackend().simulate(nominal, x).y, y)) > 1e-6
    for index in np.random.default_rng(1).choice(len(theta[0]), 6, replace=False):
        step = np.zeros_like(theta[0])
        step[index] = 1e-5
        up, _ = problem.loss_and_grad([theta[0] + step], x, y)
        down, _ = problem.loss_and_grad([theta[0] - step], x, y)
        assert gradient[0][index] == pytest.approx((up - down) / 2e-5, rel=1e-4, abs=1e-12)


@pytest.mark.ngspice  # the trained fixture's fit ends in ngspice
def test_a_known_board_calibration_lowers_that_boards_validation_loss(trained):
    split, path, _ = trained
    config = warm(path, "surrogate", surrogate_board=True, epochs=20)
    context = FitContext.of(split, config, None)
    before = CircuitProblem(context.start, config.lam, "surrogate", context.board,
                            loss=context.loss).on_known_board(True)
    start_loss = before.val_loss(before.initial_params(), split.x_val, split.y_val)
    result = FitRun(split, config).run()
    assert min(result.history["circuit"]["val"]) < start_loss


@pytest.mark.ngspice  # the trained fixture's fit ends in ngspice
def test_a_start_model_that_does_not_fit_the_data_is_refused(trained):
    split, path, _ = trained
    with pytest.raises(CircuitnetError, match="test rows trained or validated the circuit of .*the same --seed"):
        FitContext.of(three_digits(seed=1), warm(path, "surrogate"), None)
    with pytest.raises(CircuitnetError, match="hidden = \\[16\\], but the circuit of .* has \\[6\\]"):
        FitContext.of(split, FitConfig(mode="surrogate", task="classify", classes=CLASSES, start_from=str(path)),
                      None)
    with pytest.raises(CircuitnetError, match="mode 'ideal' trains no resistors"):
        FitContext.of(split, warm(path, "ideal"), None)


def fit(*words, timeout=300):
    return subprocess.run([sys.executable, "-m", "circuitnet", "fit", *words], capture_output=True, text=True,
                          timeout=timeout)


@pytest.mark.ngspice  # the trained fixture's fit ends in ngspice
@pytest.mark.parametrize("words, message", [
    (["--start-from", "{missing}"], "can't read the model file"),
    (["--start-from", "{model}", "--hidden", "8"], "--hidden can't change the circuit --start-from"),
    (["--start-from", "{model}", "--search"], "--search can't change the circuit --start-from"),
    (["--start-from", "{step}"], "has 1 input\\(s\\) and 1 output\\(s\\); this fit's data has 64 and 10"),
])
def test_fit_start_from_refuses_bad_values_with_exit_2_and_writes_nothing(tmp_path, trained, words, message):
    names = {"missing": str(tmp_path / "none.json"), "model": str(trained[1]),
             "step": str(MODELS / "step_diode_tl072_trained.json")}
    out = tmp_path / "run"
    done = fit("--dataset", "digits", "--mode", "spice-loop", *[w.format(**names) for w in words], "--out", str(out))
    assert done.returncode == 2, done.stderr
    assert re.search(message, done.stderr), done.stderr
    assert "Traceback" not in done.stderr and not out.exists()


@pytest.mark.ngspice
def test_a_spice_loop_calibration_toward_the_design_brings_the_board_closer_to_it(trained, spice):
    split, path, circuit = trained
    target = toward_design(replace(circuit, data_scaling=None, data_record=None), split)
    # the targets are the nominal circuit's outputs, in ngspice too (the surrogate agrees within 1 uV)
    assert np.max(np.abs(target.y_val - spice.simulate(circuit, split.x_val).y)) < 1e-5
    config = started_config(FitConfig(mode="spice-loop", task="regress", scale=False, board=BOARD,
                                      start_from=str(path), epochs=4, patience=None))
    result = FitRun(target, config, spice=spice).run()
    board = Board(**BOARD)
    before = np.abs(spice.simulate(board.apply(circuit), split.x_test).y - target.y_test).max()
    after = np.abs(spice.simulate(board.apply(result.circuit), split.x_test).y - target.y_test).max()
    assert after < 0.8 * before  # the board's outputs moved toward the design's on held-out inputs
    assert result.history["circuit"]["train"][-1] < result.history["circuit"]["train"][0]


@pytest.mark.ngspice
def test_a_stopped_warm_start_resumes_from_its_model_where_it_stopped(trained, tmp_path, spice):
    from conftest import StopAfter
    split, path, _ = trained
    config = warm(path, "surrogate", surrogate_board=True, epochs=12)
    described = {"dataset": "digits, classes 0-2"}
    whole = FitRun.start(split, config, tmp_path / "whole", described, spice=spice).run()
    stopped = FitRun.start(split, config, tmp_path / "parts", described, spice=spice,
                           progress=StopAfter("surrogate training", 5)).run()
    assert stopped.interrupted
    resumed = FitRun.resume(tmp_path / "parts", spice=spice).run()
    assert resumed.report["hyperparameters"]["start_from"] == str(path)
    assert "ideal" not in resumed.history
    assert modelfile.dumps(resumed.circuit) == modelfile.dumps(whole.circuit)


def test_a_started_run_takes_a_real_parts_op_amp_and_supply_from_its_model():
    from circuitnet.training.warm_start import structure_of
    circuit = modelfile.load(MODELS / "step_diode_tl072_trained.json")
    found = structure_of(circuit)
    assert (found["opamp"], found["supply_v"]) == ("TL072", 15.0)
    config = started_config(FitConfig(mode="surrogate", start_from=str(MODELS / "step_diode_tl072_trained.json")))
    assert config.opamp_model() == circuit.opamp and config.hidden == list(circuit.hidden_sizes)
