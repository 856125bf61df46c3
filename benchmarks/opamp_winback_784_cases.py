"""Benchmark of issue #18's win-back on the 784-100-10 classifier: the trained circuit calibrated
against one built board with the TL072's offsets (chip in the loop), per board.

The boards are ``opamp_offset_784_cases``'s: the circuit with the TL072's data-sheet offsets and
1 % resistors, board k from seed (0, k), ranked by the surrogate's test accuracy. The worst and the
median board are each calibrated by a warm start (``fit --start-from``, ``training.warm_start``)
from the trained resistor values:

- *surrogate, board known*: the surrogate simulates that board (its resistor errors and op-amp
  offsets, which it models within 1 uV of ngspice; ``FitConfig.surrogate_board``), Adam's rate
  chosen on validation data among LEARNING_RATES, at most EPOCHS epochs over the training split,
  the best epoch on validation. This needs the board's errors known, as a Monte Carlo board's are.
- *spice-loop*: ngspice measures the board, the surrogate gives the direction; it needs no
  knowledge of the board, but one epoch on this circuit (ngspice on a board with offsets falls
  back to gmin stepping) is timed from one step on SPICE_LOOP_SAMPLES training samples, not run.

Each board's test accuracy in ngspice on the whole 359-sample test split before and after, the
epochs, seconds, and the largest op-amp output (surrogate, every test sample) against the
TL072's +-13.5 V swing on +-15 V. What a calibration wins is that board's: every board has its own.

The circuit is CIRCUITNET_DIGITS28_MODEL's model file (made by ``circuitnet fit --dataset digits28
--hidden 100 --topology diode --mode surrogate``), or one trained first.
"""

from __future__ import annotations

import os
import time

import numpy as np

from circuitnet.analysis.montecarlo import board_seed
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.sharded import simulate_sharded
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.formats import modelfile
from circuitnet.model.board import Board
from circuitnet.model.opamp_parts import opamp_model
from circuitnet.training import fit_stages
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.config import FitConfig
from circuitnet.training.fit_state import FitContext, FitState
from circuitnet.training.run import FitRun
from circuitnet.training.warm_start import started_config
from circuitnet.util.executor import LocalExecutor

from .opamp_offset_784_cases import BOARDS, SLOW_RUN_TIMEOUT_S, _split_and_base, surrogate_boards
from .opamp_offset_cases import TOLERANCE, with_part

PART = "TL072"
LEARNING_RATES = (1e-3, 3e-3, 1e-2)
EPOCHS = 60
SPICE_LOOP_SAMPLES = 10  # training samples of the one spice-loop step that is timed
WORKERS = 2


def board_dict(k: int) -> dict:
    """Monte Carlo board k of the offsets benchmark as FitConfig.board (``monte_carlo_board``'s)."""
    return {"tolerance": TOLERANCE, "seed": board_seed(0, k), "opamp_offsets": True, "opamp_part": PART}


def chosen_boards(circuit, split) -> tuple[list[tuple[str, int, float]], np.ndarray]:
    """[("worst", k, accuracy), ("median", k, accuracy)] of the TL072 boards in the surrogate
    (the median as ``monte_carlo``'s: sorted index (count - 1) // 2), and every board's accuracy."""
    accuracies, _ = surrogate_boards(with_part(circuit, PART), BOARDS, split, f"{PART} boards")
    order = np.argsort(accuracies, kind="stable")
    return [("worst", int(order[0]), float(accuracies[order[0]])),
            ("median", int(order[(BOARDS - 1) // 2]), float(accuracies[order[(BOARDS - 1) // 2]]))], accuracies


def spice_board_accuracy(circuit, board: Board, split) -> tuple[float, int, float]:
    """(ngspice test accuracy of ``board`` built from ``circuit`` on the whole test split, parts
    beyond their limits, seconds), over WORKERS local workers."""
    started = time.monotonic()
    with WorkerPool(WORKERS, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        run = simulate_sharded(board.apply(circuit), split.x_test, board.temperature_c, LocalExecutor(WORKERS),
                               spice=SpiceBackend(pool))
    truth = split.y_test[:, 0].astype(np.int64)
    return float(np.mean(np.argmax(run.y, axis=1) == truth)), len(run.violations), time.monotonic() - started


def largest_output(circuit, board: Board, split) -> float:
    """The largest |op-amp output| of the board in the surrogate over the test split, volts
    (hidden summers and output summers)."""
    result = SurrogateBackend().simulate(board.apply(circuit), split.x_test, board.temperature_c)
    summers = [float(np.max(np.abs(v))) for name, v in result.nodes.items() if name.endswith("_a")]
    return max(float(np.max(np.abs(result.y_volts))), *summers)


def config_of(model: str, k: int, mode: str, **settings) -> FitConfig:
    """The warm start of ``model`` against board k in ``mode``."""
    return started_config(FitConfig(mode=mode, board=board_dict(k), start_from=model, task="classify",
                                    classes=list(range(10)), **settings))


def chosen_rate(model: str, k: int, split) -> tuple[float, dict]:
    """Adam's rate among LEARNING_RATES whose calibration (surrogate, board known) has the lowest
    validation loss; and each rate's (best validation loss, epochs run). The fit's stages run
    without their ngspice measurement."""
    found = {}
    for lr in LEARNING_RATES:
        config = config_of(model, k, "surrogate", surrogate_board=True, lr=lr, epochs=EPOCHS, patience=None)
        context, state = FitContext.of(split, config, None), FitState()
        fit_stages.start_from(context, state, context.start)
        fit_stages.train_circuit(context, state)
        assert state.circuit_state is not None  # trained
        found[lr] = (state.circuit_state.best_val, state.circuit_state.epoch - state.circuit_state.since_best)
        print(f"  board {k}: lr {lr:g}: best validation loss {found[lr][0]:.5f} at epoch {found[lr][1]}", flush=True)
    return min(found, key=lambda lr: found[lr][0]), found


def spice_loop_epoch_seconds(model: str, k: int, split) -> float:
    """Seconds of one spice-loop step (ngspice on board k, the surrogate's adjoint) on
    SPICE_LOOP_SAMPLES training samples, scaled to an epoch: every training sample once, and the
    validation split twice (its loss, and its accuracy)."""
    config = config_of(model, k, "spice-loop", epochs=1)
    with WorkerPool(1, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        spice = SpiceBackend(pool)
        context = FitContext.of(split, config, spice)
        problem = CircuitProblem(context.start, config.lam, config.mode, context.board, spice, loss=context.loss)
        x, y = split.x_train[:SPICE_LOOP_SAMPLES], split.y_train[:SPICE_LOOP_SAMPLES]
        started = time.monotonic()
        problem.loss_and_grad(problem.initial_params(), x, y)
        seconds = time.monotonic() - started
    return seconds * (len(split.x_train) + 2 * len(split.x_val)) / SPICE_LOOP_SAMPLES


def board_row(model: str, name: str, k: int, surrogate_before: float, base, split) -> str:
    """One board's row: ngspice before, the calibration (surrogate, board known) and ngspice after."""
    started = time.monotonic()
    board = Board(**board_dict(k))
    lr, rates = chosen_rate(model, k, split)
    before, before_beyond, before_s = spice_board_accuracy(base.circuit, board, split)
    with WorkerPool(WORKERS, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        config = config_of(model, k, "surrogate", surrogate_board=True, lr=lr, epochs=EPOCHS, patience=None)
        result = FitRun(split, config, spice=SpiceBackend(pool), executor=LocalExecutor(WORKERS)).run()
    after = result.report["test_accuracy_spice"]
    best_epoch = rates[lr][1]
    swing = opamp_model(PART).v_pos
    row = (f"| {name} (board {k}) | {100 * surrogate_before:.2f} % | {100 * before:.2f} % ({before_s:.0f} s) | "
           f"surrogate, board known: lr {lr:g} on validation, {EPOCHS} epochs, best at epoch {best_epoch} | "
           f"{100 * after:.2f} % | {100 * (after - before):+.2f} | {result.report['seconds']:.0f} | "
           f"{largest_output(base.circuit, board, split):.2f} -> {largest_output(result.circuit, board, split):.2f} "
           f"(swing +-{swing:g}) | {before_beyond} before, 0 after | {time.monotonic() - started:.0f} |")
    print(row, flush=True)
    return row


TABLE = ["| board (TL072 offsets, 1 % resistors) | accuracy before: surrogate | before: ngspice (seconds) | "
         "calibration | after: ngspice | points won | calibration seconds (with its ngspice test split) | "
         "largest op-amp output before -> after (V) | parts beyond their limits | seconds |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def winback_suite():
    """The worst and the median TL072 board, calibrated; spice-loop's epoch timed."""
    split, base = _split_and_base()
    model = os.environ.get("CIRCUITNET_DIGITS28_MODEL")
    if not model:  # the warm start reads a model file
        model = str(modelfile.save(base.circuit, "/tmp/circuitnet-winback-784/model.json"))
    boards, accuracies = chosen_boards(base.circuit, split)
    rows = [board_row(model, name, k, accuracy, base, split) for name, k, accuracy in boards]
    epoch_s = spice_loop_epoch_seconds(model, boards[0][1], split)
    print(f"spice-loop: {epoch_s:.0f} s per epoch", flush=True)
    yield ("Op-amp offsets: winning back the TL072's offsets on the digits28 circuit by calibrating each board "
           "(warm start)", TABLE + rows + [
               "", f"The {BOARDS} TL072 boards' surrogate accuracies: median {100 * np.median(accuracies):.2f} %, "
                   f"worst {100 * np.min(accuracies):.2f} %. Each calibration starts from the trained resistor values "
                   f"(`fit --start-from`) and trains against one board: what it wins is that board's. spice-loop "
                   f"(ngspice measuring the board, no knowledge of its errors) was timed, not run: one step on "
                   f"{SPICE_LOOP_SAMPLES} training samples of the worst board scales to {epoch_s / 60:.0f} min per "
                   f"epoch ({len(split.x_train)} training samples and the {len(split.x_val)} validation samples "
                   f"twice). The circuit {base.source}."])


__all__ = ["winback_suite"]
