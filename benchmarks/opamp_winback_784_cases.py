"""Benchmark of issue #18's win-back on the 784-100-10 classifier: the trained circuit calibrated
against one built board with the TL072's offsets (chip in the loop), per board.

The boards are ``opamp_offset_784_cases``'s: the circuit with the TL072's data-sheet offsets and
1 % resistors, board k from seed (0, k), ranked by the surrogate's test accuracy. The worst and the
median board are each calibrated by a warm start (``fit --start-from``, ``training.warm_start``)
from the trained resistor values:

- *toward the design, board known*: the board's outputs trained toward the nominal circuit's on
  the training inputs (mean squared error, volts per unit; no labels), the surrogate simulating
  that board (its resistor errors and op-amp offsets, which it models within 1 uV of ngspice;
  ``FitConfig.surrogate_board``). Adam's rate chosen on validation data (the nominal outputs on
  the validation inputs) among LEARNING_RATES, at most EPOCHS epochs, the best epoch on
  validation. It needs the board's errors known, as a Monte Carlo board's are. (Trained on the
  labels' cross-entropy instead, the board's validation loss stopped improving after one or two
  epochs: the trained circuit classifies every training sample right, so the labels say little
  about what the offsets moved; the design's outputs say all of it.)
- *spice-loop*: ngspice measures the board, the surrogate gives the direction; it needs no
  knowledge of the board, but one epoch on this circuit (ngspice on a board with offsets falls
  back to gmin stepping) is timed from one step on SPICE_LOOP_SAMPLES training samples, not run.

Each board's test accuracy in the surrogate and, for SPICE_BOARDS, in ngspice on the whole
359-sample test split before and after (the before and after runs side by side), the epochs,
seconds, and the largest op-amp output (surrogate, every test sample) against the
TL072's +-13.5 V swing on +-15 V. What a calibration wins is that board's: every board has its own.

The circuit is CIRCUITNET_DIGITS28_MODEL's model file (made by ``circuitnet fit --dataset digits28
--hidden 100 --topology diode --mode surrogate``), or one trained first.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

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
from circuitnet.training.data import Split
from circuitnet.training.fit_state import FitContext, FitState
from circuitnet.training.warm_start import started_config, toward_design
from circuitnet.util.executor import LocalExecutor

from .opamp_offset_784_cases import BOARDS, SLOW_RUN_TIMEOUT_S, _split_and_base, surrogate_boards
from .opamp_offset_cases import TOLERANCE, with_part

PART = "TL072"
LEARNING_RATES = (1e-3, 3e-3, 1e-2)
EPOCHS = 60
SPICE_LOOP_SAMPLES = 10  # training samples of the one spice-loop step that is timed
WORKERS = 2
SPICE_BOARDS = ("worst", "median")  # the boards checked in ngspice (each check ~15 min on 2 shared cores)


def board_dict(k: int) -> dict:
    """Monte Carlo board k of the offsets benchmark as FitConfig.board (``monte_carlo_board``'s)."""
    return {"tolerance": TOLERANCE, "seed": board_seed(0, k), "opamp_offsets": True, "opamp_part": PART}


def chosen_boards(circuit, split) -> tuple[list[tuple[str, int]], np.ndarray]:
    """[("worst", k), ("median", k)] of the TL072 boards by their surrogate test accuracy (the
    median as ``monte_carlo``'s: sorted index (count - 1) // 2), and every board's accuracy."""
    accuracies, _ = surrogate_boards(with_part(circuit, PART), BOARDS, split, f"{PART} boards")
    order = np.argsort(accuracies, kind="stable")
    return [("worst", int(order[0])), ("median", int(order[(BOARDS - 1) // 2]))], accuracies


def calibrated(model: str, k: int, target: Split) -> tuple[object, float, dict, float]:
    """Board k's calibration toward the design for each of LEARNING_RATES (the fit's stages,
    without their ngspice measurement): (the circuit of the rate with the lowest validation loss,
    that rate, rate -> (best validation loss, its epoch), seconds)."""
    started, found, circuits = time.monotonic(), {}, {}
    for lr in LEARNING_RATES:
        config = started_config(FitConfig(mode="surrogate", surrogate_board=True, board=board_dict(k),
                                          start_from=model, task="regress", scale=False, lr=lr, epochs=EPOCHS,
                                          patience=None))
        context, state = FitContext.of(target, config, None), FitState()
        fit_stages.start_from(context, state, context.start)
        circuits[lr] = fit_stages.train_circuit(context, state)
        loop_state = state.circuit_state
        assert loop_state is not None  # trained
        found[lr] = (loop_state.best_val, loop_state.epoch - loop_state.since_best)
        print(f"  board {k}: lr {lr:g}: best validation loss {found[lr][0]:.5f} at epoch {found[lr][1]}", flush=True)
    best = min(found, key=lambda lr: found[lr][0])
    return circuits[best], best, found, time.monotonic() - started


def surrogate_accuracy(circuit, board: Board, split) -> float:
    y = SurrogateBackend().simulate(board.apply(circuit), split.x_test, board.temperature_c).y
    return float(np.mean(np.argmax(y, axis=1) == split.y_test[:, 0].astype(np.int64)))


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


def spice_cells(name: str, pair, board: Board, split) -> tuple[str, str, str]:
    """The ngspice cells (before, after, parts beyond their limits) of a board in SPICE_BOARDS,
    the two runs side by side; 'not run' for the others."""
    if name not in SPICE_BOARDS:
        return "not run", "not run", "not run"
    with ThreadPoolExecutor(2) as threads:
        before, after = threads.map(lambda circuit: spice_board_accuracy(circuit, board, split), pair)
    return (f"{100 * before[0]:.2f} % ({before[2]:.0f} s)", f"{100 * after[0]:.2f} % ({after[2]:.0f} s)",
            f"{before[1]} before, {after[1]} after")


def board_row(model: str, name: str, k: int, base, split, target: Split) -> str:
    """One board's row: before, the calibration toward the design, after."""
    started = time.monotonic()
    board = Board(**board_dict(k))
    circuit, lr, rates, seconds = calibrated(model, k, target)
    modelfile.save(circuit, f"/tmp/circuitnet-winback-784/board{k}.json")  # to check again by hand
    before_spice, after_spice, beyond = spice_cells(name, (base.circuit, circuit), board, split)
    before, after = surrogate_accuracy(base.circuit, board, split), surrogate_accuracy(circuit, board, split)
    row = (f"| {name} (board {k}) | {100 * before:.2f} % -> {100 * after:.2f} % | {before_spice} | {after_spice} | "
           f"toward the design: lr {lr:g} on validation, best at epoch {rates[lr][1]} of {EPOCHS} | {seconds:.0f} | "
           f"{largest_output(base.circuit, board, split):.2f} -> {largest_output(circuit, board, split):.2f} "
           f"(TL072 swing +-{opamp_model(PART).v_pos:g}) | {beyond} | {time.monotonic() - started:.0f} |")
    print(row, flush=True)
    return row


def spice_loop_epoch_seconds(model: str, k: int, split) -> float:
    """Seconds of one spice-loop step (ngspice on board k, the surrogate's adjoint) on
    SPICE_LOOP_SAMPLES training samples, scaled to an epoch: every training sample once, and the
    validation split twice (its loss, and its accuracy)."""
    config = started_config(FitConfig(mode="spice-loop", board=board_dict(k), start_from=model, task="classify",
                                      classes=list(range(10)), epochs=1))
    with WorkerPool(1, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        spice = SpiceBackend(pool)
        context = FitContext.of(split, config, spice)
        problem = CircuitProblem(context.start, config.lam, config.mode, context.board, spice, loss=context.loss)
        x, y = split.x_train[:SPICE_LOOP_SAMPLES], split.y_train[:SPICE_LOOP_SAMPLES]
        started = time.monotonic()
        problem.loss_and_grad(problem.initial_params(), x, y)
        seconds = time.monotonic() - started
    return seconds * (len(split.x_train) + 2 * len(split.x_val)) / SPICE_LOOP_SAMPLES


TABLE = ["| board (TL072 offsets, 1 % resistors) | test accuracy, surrogate: before -> after | ngspice before "
         "(seconds) | ngspice after (seconds) | calibration | calibration seconds (3 rates) | largest op-amp "
         "output before -> after (V) | parts beyond their limits in ngspice | seconds |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def winback_suite():
    """The worst and the median TL072 board, calibrated toward the design; spice-loop's epoch timed."""
    split, base = _split_and_base()
    model = os.environ.get("CIRCUITNET_DIGITS28_MODEL")
    if not model:  # the warm start reads a model file
        model = str(modelfile.save(base.circuit, "/tmp/circuitnet-winback-784/model.json"))
    boards, accuracies = chosen_boards(base.circuit, split)
    target = toward_design(base.circuit, split)
    rows = [board_row(model, name, k, base, split, target) for name, k in boards]
    epoch_s = spice_loop_epoch_seconds(model, boards[0][1], split)
    print(f"spice-loop: {epoch_s:.0f} s per epoch", flush=True)
    yield ("Op-amp offsets: winning back the TL072's offsets on the digits28 circuit by calibrating each board "
           "(warm start)", TABLE + rows + [
               "", f"The {BOARDS} TL072 boards' surrogate accuracies: median {100 * np.median(accuracies):.2f} %, "
                   f"worst {100 * np.min(accuracies):.2f} %; the nominal circuit {100 * base.nominal:.2f} % in "
                   f"ngspice. Each calibration starts from the trained resistor values (`--start-from`) and trains "
                   f"the weight resistors of one board toward the design's outputs: what it wins is that board's. "
                   f"spice-loop (ngspice measuring the board, no knowledge of its errors) was timed, not run: one "
                   f"step on {SPICE_LOOP_SAMPLES} training samples of the worst board scales to "
                   f"{epoch_s / 60:.0f} min per epoch ({len(split.x_train)} training samples and the "
                   f"{len(split.x_val)} validation samples twice). The circuit {base.source}."])


__all__ = ["winback_suite"]
