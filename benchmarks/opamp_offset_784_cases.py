"""Benchmarks of the 784-100-10 classifier built with real op-amps (issue #18): Monte Carlo boards
with the op-amps' data-sheet input offsets and bias currents, the energy per inference with the
op-amps' supply current, and a design that wins back what the offsets cost.

- boards: the digits28 classifier (784 inputs, 100 hidden, diode, surrogate training, seed 0),
  ``BOARDS`` boards with 1 % resistors and no op-amp errors, with the TL072's and with the
  OPA4277's. Each board's accuracy on the whole 359-sample test split comes from ngspice (one
  sample-set netlist per board, ``SPICE_WORKERS`` boards at once), with the surrogate's accuracy
  for the same board beside it and the largest output difference between the two. Every board's
  row is printed as it is measured, so a run that stops keeps them. (Before boards with offsets
  chose strict pivots, ``shared_blocks.PIVOT_OPTIONS``, ngspice fell back to gmin stepping on
  them and a whole board was not affordable.)
- energy: the nominal circuit built with each part (``--opamp``), a transient over its first
  ``ENERGY_IMAGES`` test images as steps: settling, inferences per second and the energy per
  inference (op-amp supply included) with its split.
- recover: the same boards of the same circuit at the most volts per unit that keeps its TL072
  boards' op-amp outputs inside the TL072's swing (offsets are volts, so they shrink against a
  larger signal: the 8x8 digits' win-back, there retrained at 3 V per unit; at 784 inputs a fit
  at 3 V per unit took its hidden summers beyond the rails).

The circuit is trained first unless CIRCUITNET_DIGITS28_MODEL names a model file made by
``circuitnet fit --dataset digits28 --hidden 100 --topology diode --mode surrogate``; its nominal
ngspice accuracy is then read from the fit's report.json beside the model, or measured.
"""

from __future__ import annotations

import json
import math
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from circuitnet import load_model, transient
from circuitnet.analysis.montecarlo import inside_limits, monte_carlo_board, worst_beyond
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.interface.opamp_choice import circuit_with_opamp, transient_dynamics
from circuitnet.model.opamp_parts import opamp_model
from circuitnet.training.classes import load_dataset, stratified_split

from .opamp_offset_cases import PARTS, TOLERANCE, YIELD_AT, _classifier, noise_gain_text, with_part

BOARDS = 20
ENERGY_IMAGES = 3  # test images as transient steps (each step simulates 992 op-amps' dynamics)
ENERGY_PARTS = (("TL072", 50e-6), ("OPA4277", 200e-6))  # part, step time (the OPA4277 is slow)
DIGITS28 = "digits28 784-100-10, diode"
SPICE_WORKERS = 2  # ngspice workers, each simulating one whole board at a time
SPICE_ORDER = ("TL072", "OPA4277", None)  # None: resistors only
# A transient is one ngspice run, and so is a board's test split: on a shared machine they outlast the
# worker's default 300 s limit (there to stop hung runs, not slow ones; measured: the TL072
# board's 20 samples did not finish within it twice at a load average of 12 on 2 cores)
SLOW_RUN_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class Trained:
    """A digits28 circuit and where it came from: its nominal ngspice test accuracy (a
    fraction) and a sentence for the block's notes."""

    circuit: object
    nominal: float
    source: str


def trained(variable: str, volts_per_unit: float, split) -> Trained:
    """The circuit the environment variable names (a model file), or one trained now."""
    started = time.monotonic()
    model = os.environ.get(variable)
    if not model:
        result, _ = _classifier("digits28", 100, topology="diode", mode="surrogate", volts_per_unit=volts_per_unit)
        return Trained(result.circuit, result.report["test_accuracy_spice"],
                       f"trained first ({time.monotonic() - started:.0f} s, with its ngspice test split)")
    circuit = load_model(model)
    report = Path(model).with_name("report.json")
    if report.exists():
        return Trained(circuit, json.loads(report.read_text())["test_accuracy_spice"],
                       f"loaded from {model} (nominal ngspice accuracy from the fit's report.json)")
    return Trained(circuit, spice_accuracy(circuit, split), f"loaded from {model}")


def spice_accuracy(circuit, split) -> float:
    """ngspice test accuracy of one circuit on the whole test split, a fraction."""
    truth = split.y_test[:, 0].astype(np.int64)
    with WorkerPool(workers=1, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        y = SpiceBackend(pool).simulate(circuit, split.x_test).y
    return float(np.mean(np.argmax(y, axis=1) == truth))


def surrogate_boards(circuit, boards: int, split, label: str) -> tuple[np.ndarray, float]:
    """Boards 0 .. boards - 1 of ``circuit`` (its part's offsets, if it has a part) in the
    surrogate on the whole test split: (accuracies (boards,), fractions; the largest |op-amp
    output| of any board, volts, over the hidden summers and the output summers). Each board
    is printed as it is measured."""
    surrogate, truth = SurrogateBackend(), split.y_test[:, 0].astype(np.int64)
    accuracies, largest = [], 0.0
    for k in range(boards):
        result = surrogate.simulate(monte_carlo_board(circuit, k, TOLERANCE, 0), split.x_test)
        accuracies.append(float(np.mean(np.argmax(result.y, axis=1) == truth)))
        summers = [np.max(np.abs(v)) for name, v in result.nodes.items() if name.endswith("_a")]
        largest = max(largest, float(np.max(np.abs(result.y_volts))), *summers)
        print(f"  {label}: board {k}: {100 * accuracies[-1]:.2f} %", flush=True)
    return np.array(accuracies), largest


def board_rows(base: Trained, split, boards: int, name: str = DIGITS28, parts=PARTS) -> tuple[list[str], dict]:
    """One ``BOARD_TABLE`` row per part (None: resistors only): the boards' median, worst and
    yield in the surrogate, the largest op-amp output. Returns (rows, part -> accuracies)."""
    rows, found = [], {}
    for part in parts:
        started = time.monotonic()
        accuracies, largest = surrogate_boards(with_part(base.circuit, part), boards, split,
                                               f"{name}, {part or 'resistors only'}")
        rows.append(part_row(base, name, part, boards, started, [
            f"{100 * np.median(accuracies):.2f} %", f"{100 * np.min(accuracies):.2f} %",
            f"{100 * np.mean(accuracies >= YIELD_AT):.0f} %", f"{largest:.2f}"]))
        found[part] = accuracies
    return rows, found


def part_row(base: Trained, name: str, part: str | None, boards: int, started: float, cells: list[str]) -> str:
    """A boards table's row, printed: the circuit, the part's errors, the boards, the nominal
    ngspice accuracy, ``cells``, and the seconds since ``started`` (``time.monotonic``)."""
    errors = f"{part}: data-sheet V_os, I_b, I_os" if part else "none (resistors only)"
    row = (f"| {name} | {errors} | {boards} | {100 * base.nominal:.2f} % | " + " | ".join(cells)
           + f" | {time.monotonic() - started:.0f} |")
    print(row, flush=True)
    return row


@dataclass(frozen=True)
class BoardFigures:
    """One board on the whole test split: its accuracy in ngspice and in the surrogate
    (fractions), the largest |output difference| between them (volts) and the samples they class
    differently, the largest |op-amp output| of its summers in ngspice (volts), ngspice's wall
    time for the board (seconds), and its worst part outside its safe operating area on the test
    split, in words ("" where every part stays inside: ``montecarlo.worst_beyond``)."""

    spice: float
    surrogate: float
    difference_v: float
    changes: int
    largest_v: float
    seconds: float
    beyond: str = ""


def board_figures(board, split, spice: SpiceBackend) -> BoardFigures:
    """``BoardFigures`` of one board (a circuit with its drawn errors), simulated on ``spice``:
    its accuracy and its operating limits from one ngspice run (``simulate_limited``), as
    ``compare`` judges a classifier's Monte Carlo boards."""
    truth, x = split.y_test[:, 0].astype(np.int64), split.x_test
    started = time.monotonic()
    measured, violations = spice.simulate_limited(board, x)
    seconds = time.monotonic() - started
    modelled = SurrogateBackend().simulate(board, x)
    classes, expected = np.argmax(measured.y, axis=1), np.argmax(modelled.y, axis=1)
    summers = [np.max(np.abs(v)) for name, v in measured.nodes.items() if name.endswith("_a")]
    return BoardFigures(float(np.mean(classes == truth)), float(np.mean(expected == truth)),
                        float(np.max(np.abs(measured.y_volts - modelled.y_volts))), int(np.sum(classes != expected)),
                        max(float(np.max(np.abs(measured.y_volts))), *summers), seconds, worst_beyond(violations))


def spice_boards(circuit, boards: int, split, label: str, pool: WorkerPool) -> list[BoardFigures]:
    """Boards 0 .. boards - 1 of ``circuit`` (its part's offsets, if it has a part), each on the
    whole test split in ngspice (as many boards at once as ``pool`` has workers) and in the
    surrogate, in board order. Each board is printed as it finishes."""
    spice = SpiceBackend(pool)

    def measure(k: int) -> BoardFigures:
        found = board_figures(monte_carlo_board(circuit, k, TOLERANCE, 0), split, spice)
        print(f"  {label}: board {k}: ngspice {100 * found.spice:.2f} %, surrogate {100 * found.surrogate:.2f} %, "
              f"largest output difference {1e6 * found.difference_v:.3f} uV, {found.changes} class changes, "
              f"{found.seconds:.0f} s" + (f"; beyond its limits: {found.beyond}" if found.beyond else ""), flush=True)
        return found

    with ThreadPoolExecutor(max_workers=pool.size) as threads:
        return list(threads.map(measure, range(boards)))


SPICE_TABLE = ["| circuit | op-amp errors | boards | accuracy: nominal (ngspice) | median (ngspice) | "
               "worst (ngspice) | yield (>= 95 % and inside the operating limits, ngspice) | "
               "boards beyond their operating limits | median, worst (surrogate, same boards) | "
               "largest output difference, ngspice vs surrogate, any board (uV) | samples classed differently, "
               "all boards | largest op-amp output, any board (V) | ngspice seconds per board, median | seconds |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def spice_board_rows(base: Trained, split, boards: int, pool: WorkerPool, name: str = DIGITS28,
                     parts=PARTS) -> tuple[list[str], dict]:
    """One ``SPICE_TABLE`` row per part (None: resistors only), from ``spice_boards``.
    Returns (rows, part -> ngspice accuracies (boards,))."""
    rows, found = [], {}
    for part in parts:
        started = time.monotonic()
        figures = spice_boards(with_part(base.circuit, part), boards, split, f"{name}, {part or 'resistors only'}",
                               pool)
        spice, surrogate = (np.array([getattr(f, key) for f in figures]) for key in ("spice", "surrogate"))
        inside = inside_limits([f.beyond for f in figures])  # a board beyond its limits fails the yield
        rows.append(part_row(base, name, part, boards, started, [
            f"{100 * np.median(spice):.2f} %", f"{100 * np.min(spice):.2f} %",
            f"{100 * np.mean((spice >= YIELD_AT) & inside):.0f} %", beyond_cell(figures),
            f"{100 * np.median(surrogate):.2f} %, {100 * np.min(surrogate):.2f} %",
            f"{1e6 * max(f.difference_v for f in figures):.3f}", f"{sum(f.changes for f in figures)}",
            f"{max(f.largest_v for f in figures):.2f}", f"{np.median([f.seconds for f in figures]):.0f}"]))
        found[part] = spice
    return rows, found


def beyond_cell(figures: list[BoardFigures]) -> str:
    """How many boards leave their safe operating area, and the first one's worst part."""
    beyond = [(k, f.beyond) for k, f in enumerate(figures) if f.beyond]
    return f"{len(beyond)}" + (f" (board {beyond[0][0]}: {beyond[0][1]})" if beyond else "")


BOARD_TABLE = ["| circuit | op-amp errors | boards | accuracy: nominal (ngspice) | median (surrogate) | worst | "
               "yield (>= 95 %) | largest op-amp output, any board (V) | seconds |",
               "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]


def cost_sentence(found: dict) -> str:
    """How many points each part's offsets cost the boards' median and worst."""
    plain = found[None]
    return "; ".join(f"{part} offsets cost the median {100 * (np.median(plain) - np.median(a)):.2f} points and the "
                     f"worst {100 * (np.min(plain) - np.min(a)):.2f} points" for part, a in found.items() if part)


def boards_lines(base: Trained, rows: list[str], found: dict, split, table: list[str] = SPICE_TABLE) -> list[str]:
    """The boards' block: ``spice_board_rows``'s rows under ``table``, what the offsets cost,
    the noise gains."""
    return table + rows + ["", f"{cost_sentence(found)} (against the same boards' resistors alone; one test "
                                     f"sample is {100 / len(split.y_test):.2f} points). Summers' noise gains "
                                     f"(1 + R_f sum G): {noise_gain_text(base.circuit)}; resistors within "
                                     f"+-{100 * TOLERANCE:g} %, board k from seed (0, k); the circuit {base.source}."]


def energy_case(base: Trained, split, images: int = ENERGY_IMAGES) -> list[str]:
    """The nominal circuit built with each part: a transient over its first test images as
    input steps; the energy per inference over one inference period at the settling rate, the
    supply current of the whole board's amplifiers (``model.board_amplifiers.board_inventory``:
    the network's op-amps, the reference's, the spare units) and the output stages included,
    its split, and how much of the total the split's parts add up to."""
    x = split.x_test[:images]
    rows = ["Every figure includes the supply current (typical) of every amplifier on the board, the simulated and "
            "the only counted ones (the board column), and the op-amps' output stages.", "",
            "| op-amp | board | step (us) | images | worst settling to 0.1 % (us) | inferences per second | energy per "
            "inference: median, worst (uJ) | of the median: op-amp supply, output stages, resistors, diodes (uJ) | "
            "split's sum / median | static power, median (W) | seconds |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for part, step in ENERGY_PARTS:
        started = time.monotonic()
        circuit = circuit_with_opamp(base.circuit, part, None)
        with WorkerPool(workers=1, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
            run = transient(circuit, x, transient_dynamics(circuit), step_time=step, spice=SpiceBackend(pool))
        summary = run.summary
        energy, split_j = summary.energy_per_inference_j, summary.energy_per_inference_split_j
        settled = summary.worst_settling_time_s
        rate = "-" if settled is None else f"{summary.inferences_per_second:.3g}"
        keys = ("opamp_supply", "opamp_output_stages", "resistors", "diodes")
        shares = ", ".join(f"{1e6 * split_j[key]:.1f}" for key in keys)
        added = sum(split_j[key] for key in keys) / energy.median
        rows.append(f"| {part} | {summary.opamp_board} | {1e6 * step:g} | {images} | "
                    f"{'not settled' if settled is None else f'{1e6 * settled:.2f}'} | {rate} | "
                    f"{1e6 * energy.median:.1f}, {1e6 * energy.worst:.1f} | {shares} | {100 * added:.2f} % | "
                    f"{float(np.median([s.energy_j / step for s in run.steps])):.2f} | "
                    f"{time.monotonic() - started:.0f} |")
        print(rows[-1], flush=True)
    return rows


def recover_lines(rows: list[str], found: dict, larger: Trained, more: list[str], found_larger: dict) -> list[str]:
    """The win-back block: the 1 V per unit circuit's rows and boards (resistors only, TL072)
    beside the larger signal's, the same boards."""
    gained = (f"median {100 * (np.median(found_larger['TL072']) - np.median(found['TL072'])):+.2f} points, worst "
              f"{100 * (np.min(found_larger['TL072']) - np.min(found['TL072'])):+.2f} points")
    return BOARD_TABLE + rows + more + [
        "", f"At 1 V per unit: {cost_sentence(found)}. With the larger signal: {cost_sentence(found_larger)}. Its "
            f"TL072 boards against those at 1 V per unit: {gained}. The larger signal: {larger.source}. No board here "
            "is checked in ngspice (a TL072 board's check took longer than the rest of the run on a shared machine); "
            "the boards block checks the surrogate's offset terms against ngspice."]


def larger_signal(base: Trained, split, part: str = "TL072") -> Trained:
    """The same trained circuit at the most volts per unit (in tenths) that keeps every op-amp
    output of its ``part`` boards inside the part's output swing on +-15 V: offsets are volts,
    so they shrink against a larger signal. No retraining: the resistors stay, the inputs and
    references scale (a fit at 3 V per unit took its hidden summers beyond the rails)."""
    _, largest = surrogate_boards(with_part(base.circuit, part), BOARDS, split, f"{part} at 1 V per unit")
    swing = min(abs(rail) for rail in (opamp_model(part).v_neg, opamp_model(part).v_pos))
    volts = math.floor(10 * swing / largest * base.circuit.volts_per_unit) / 10
    circuit = replace(base.circuit, volts_per_unit=volts)
    return Trained(circuit, spice_accuracy(circuit, split),
                   f"the same circuit at {volts:g} V per unit (the largest op-amp output of its {part} boards at "
                   f"{base.circuit.volts_per_unit:g} V per unit was {largest:.2f} V, against the {part}'s "
                   f"+-{swing:g} V swing on +-15 V; nominal accuracy in ngspice)")


def _split_and_base():
    split = stratified_split(load_dataset("digits28"), 0)
    return split, trained("CIRCUITNET_DIGITS28_MODEL", 1.0, split)


def boards_suite():
    """The boards of the 1 V per unit circuit with each part's offsets, every board in ngspice."""
    split, base = _split_and_base()
    with WorkerPool(workers=SPICE_WORKERS, timeout_s=SLOW_RUN_TIMEOUT_S) as pool:
        # the boards with offsets first: they are the target, and a run that stops keeps their rows
        rows, found = spice_board_rows(base, split, BOARDS, pool, f"{DIGITS28}, 1 V per unit", SPICE_ORDER)
    yield (f"Op-amp offsets: digits28 (784-100-10), diode, {BOARDS} boards each with no op-amp errors, TL072 and "
           "OPA4277 offsets, every board in ngspice", boards_lines(base, rows, found, split))


def energy_suite():
    split, base = _split_and_base()
    yield ("Op-amp offsets: digits28 (784-100-10), energy per inference with the op-amps' supply current",
           energy_case(base, split))


def recover_suite():
    """The same boards of the circuit at 1 V per unit and with the larger signal, resistors
    only and TL072."""
    split, base = _split_and_base()
    parts = (None, "TL072")
    larger = larger_signal(base, split)
    rows, found = board_rows(base, split, BOARDS, f"{DIGITS28}, 1 V per unit", parts)
    name = f"{DIGITS28}, {larger.circuit.volts_per_unit:g} V per unit"
    more, found_larger = board_rows(larger, split, BOARDS, name, parts)
    yield ("Op-amp offsets: winning back the TL072's offsets on the digits28 circuit (a larger signal)",
           recover_lines(rows, found, larger, more, found_larger))
