"""Benchmarks of classifiers built with real op-amps (issue #18, item 3): the ngspice test accuracy
of Monte Carlo boards whose op-amps carry their part's data-sheet input offsets and bias currents
(``circuitnet.model.opamp_offsets``) beside 1 % resistors.

- digits: the 8x8 digits classifier (diode, 32 neurons, surrogate training, seed 0), 100 boards,
  with no op-amp errors (resistors only), with the TL072's and with the OPA4277's; median, worst
  and yield (accuracy >= 95 %) on the whole test split, and the summers' noise gains
  (1 + R_f sum G, which multiply each V_os).
- the 784-100-10 classifier's boards, energy and win-back: ``opamp_offset_784_cases``.
- recover: what wins back what the TL072's offsets cost the digits circuit: ``spice-loop`` training
  against one board with them (that board's accuracy, and 50 other boards'), and a larger signal
  (3 V per unit instead of 1 V, the same network: offsets are volts, so they shrink against it).
"""

from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from circuitnet import keep_freed_memory
from circuitnet.analysis.classifier_compare import board_accuracies, board_figures
from circuitnet.analysis.montecarlo import BoardDraw
from circuitnet.backends.spice.sharded import simulate_sharded
from circuitnet.model.board import Board
from circuitnet.topologies import shared_blocks as blocks
from circuitnet.training.classes import load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.run import FitRun
from circuitnet.util.executor import LocalExecutor

PARTS = (None, "TL072", "OPA4277")  # None: the generic op-amp, no input errors
TOLERANCE = 0.01
YIELD_AT = 0.95
TABLE = ["| circuit | op-amp errors | boards | accuracy: nominal (ngspice) | median | worst | yield (>= 95 %) | "
         "boards beyond their operating limits (fail the yield) | seconds |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def with_part(circuit, part: str | None):
    """The circuit built with this op-amp part (its Monte Carlo boards then draw the part's offsets)."""
    return replace(circuit, opamp=replace(circuit.opamp, part=part))


def noise_gains(circuit) -> list[np.ndarray]:
    """Each stage's summers' noise gains 1 + R_f sum G (the factor on each V_os), (n_out,)."""
    gains = []
    for stage in circuit.stages:
        if stage.r_feedback is None:
            continue
        total = (blocks.conductance(stage.r_plain).sum(1) + blocks.conductance(stage.r_inverted).sum(1)
                 + (0.0 if stage.r_offset is None else blocks.conductance(stage.r_offset)))
        gains.append(1.0 + stage.r_feedback * total)
    return gains


def noise_gain_text(circuit) -> str:
    return "; ".join(f"stage {index + 1}: median {np.median(g):.1f}, max {np.max(g):.1f}"
                     for index, g in enumerate(noise_gains(circuit)))


def board_row(name: str, circuit, split, boards: int, executor, seed: int = 0) -> tuple[str, np.ndarray]:
    """One table row: ``boards`` Monte Carlo boards of ``circuit`` (with its part's offsets, if it
    has a part) on the whole test split, each checked against its operating limits on them;
    and the accuracies."""
    x, truth = split.x_test, split.y_test[:, 0].astype(np.int64)
    started = time.monotonic()
    nominal = _accuracy(circuit, split, executor)
    draw = BoardDraw(TOLERANCE, seed)
    accuracies, beyond = board_accuracies(circuit, x, truth, boards, draw, executor)
    seconds = time.monotonic() - started
    part = circuit.opamp.part
    # a board with a part outside its operating limits fails the yield, as compare's do
    judged = board_figures(accuracies, beyond, draw, part, YIELD_AT)
    errors = f"{part}: data-sheet V_os, I_b, I_os" if part else "none (resistors only)"
    row = (f"| {name} | {errors} | {boards} | {100 * nominal:.2f} % | {100 * np.median(accuracies):.2f} % | "
           f"{100 * np.min(accuracies):.2f} % | {100 * judged.yield_fraction:.0f} % | {judged.boards_beyond_limits} | "
           f"{seconds:.0f} |")
    print(row, flush=True)
    return row, accuracies


def _classifier(dataset: str, hidden: int, **settings):
    keep_freed_memory()
    data = load_dataset(dataset)
    config = FitConfig(hidden=[hidden], seed=0, task="classify", classes=[int(c) for c in data.classes], **settings)
    return FitRun(stratified_split(data, 0), config).run(), stratified_split(data, 0)


def digits_case(boards: int = 100) -> list[str]:
    result, split = _classifier("digits", 32, topology="diode", mode="surrogate")
    executor = LocalExecutor(2)
    rows = [board_row("digits 8x8, diode, 32 neurons", with_part(result.circuit, part), split, boards, executor)[0]
            for part in PARTS]
    return TABLE + rows + ["", f"Summers' noise gains (1 + R_f sum G): {noise_gain_text(result.circuit)}; "
                               f"resistors within +-{100 * TOLERANCE:g} %, board k from seed (0, k)."]


def recover_case(boards: int = 50) -> list[str]:
    """spice-loop against one TL072 board, and 3 V per unit, against the digits circuit's loss."""
    executor = LocalExecutor(2)
    base, split = _classifier("digits", 32, topology="diode", mode="surrogate")
    board = Board(tolerance=TOLERANCE, seed=1, opamp_offsets=True, opamp_part="TL072")
    before = _accuracy(board.apply(base.circuit), split, executor)
    rows = [board_row("surrogate training, 1 V per unit", with_part(base.circuit, "TL072"), split, boards,
                      executor)[0]]
    started = time.monotonic()
    looped, _ = _classifier("digits", 32, topology="diode", mode="spice-loop", epochs=60,
                            board={"tolerance": TOLERANCE, "seed": 1, "opamp_offsets": True, "opamp_part": "TL072"})
    seconds = time.monotonic() - started
    rows.append(board_row(f"spice-loop against the board of seed 1 (at most 60 epochs: {seconds:.0f} s)",
                          with_part(looped.circuit, "TL072"), split, boards, executor)[0])
    after = looped.report["test_accuracy_spice"]  # measured on its own board
    larger, _ = _classifier("digits", 32, topology="diode", mode="surrogate", volts_per_unit=3.0)
    rows.append(board_row("surrogate training, 3 V per unit", with_part(larger.circuit, "TL072"), split, boards,
                          executor)[0])
    return TABLE + rows + ["", f"The board spice-loop trained against (seed 1: TL072 offsets, 1 % resistors): test "
                               f"accuracy {100 * before:.2f} % with the surrogate-trained circuit, {100 * after:.2f} % "
                               f"after spice-loop training against it. Monte Carlo board k is drawn from seed (0, k)."]


def _accuracy(circuit, split, executor) -> float:
    """ngspice test accuracy of one circuit (a board) on the whole test split."""
    truth = split.y_test[:, 0].astype(np.int64)
    return float(np.mean(np.argmax(simulate_sharded(circuit, split.x_test, 27.0, executor).y, axis=1) == truth))


def digits_suite():
    yield ("Op-amp offsets: digits (8x8), 32 neurons, diode, 100 boards with TL072 / OPA4277 offsets", digits_case())


def recover_suite():
    yield ("Op-amp offsets: winning back the TL072's offsets on the digits circuit", recover_case())
