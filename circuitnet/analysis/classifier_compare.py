"""How a classifier circuit holds up as built: accuracy on real boards, across temperature,
and the static power of each inference, all in ngspice.

``compare_classifier`` simulates the test samples on:

- the nominal circuit at each temperature (sharded over the executor), giving the accuracy
  against temperature, the confusion matrix at 27 C, the static power while inferring (the
  power drawn from every source at each sample's operating point) and the operating-limits
  check at every sample;
- ``montecarlo`` boards, each resistor drawn uniformly within its tolerance (``montecarlo``
  module: board k from seed (seed, k), the same on any executor), each board's accuracy on
  every test sample; their distribution, and the yield: the share of boards whose accuracy
  is at least ``yield_threshold`` and whose parts all stay inside their operating limits at
  every test sample (checked from the same ngspice run as the accuracy): a board whose summer
  goes past its rail is no board anyone could build to that accuracy, so it fails the yield,
  is counted and named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.opamp_summary import opamp_summary
from ..backends.spice.backend import SpiceBackend, owns_spice_for_call
from ..backends.spice.power_summary import power_summary
from ..backends.spice.sharded import simulate_sharded
from ..backends.surrogate import SurrogateBackend
from ..model.circuit import Circuit
from ..training.measure import confusion_matrix
from ..util.executor import LocalExecutor
from .classifier_results import (
    AccuracySpread,
    BoardAccuracies,
    ClassifierAccuracy,
    ClassifierComparison,
    TemperatureAccuracy,
)
from .montecarlo import BoardDraw, beyond_rows, inside_limits, stream_boards, worst_beyond
from .yields import CLASSIFIER_YIELD_ACCURACY

BOARDS_PER_TASK = 4  # a board of a digits classifier is a few hundred samples: about a second each


@dataclass(frozen=True)
class BoardAccuracy:
    """A classifier's boards on its test samples: x (n, n_inputs), data units; truth (n,)
    class indices. ``measure`` returns (each board's accuracy, a fraction, (boards,); each
    board's worst part outside its safe operating area at any test sample, in words, "" where
    every part stays inside (``montecarlo.worst_beyond``), a list (boards,)), both from one
    ngspice run a board."""

    x: np.ndarray
    truth: np.ndarray

    @property
    def boards_per_task(self) -> int:
        return BOARDS_PER_TASK

    def measure(self, spice: SpiceBackend, boards: Iterator[Circuit]) -> tuple[np.ndarray, list[str]]:
        accuracies, beyond = [], []
        for board in boards:
            result, found = spice.simulate_limited(board, self.x)  # a summer past its rail classes no built board
            accuracies.append(float(np.mean(np.argmax(result.y, axis=1) == self.truth)))
            beyond.append(worst_beyond(found))
        return np.array(accuracies), beyond


LABELS_REFERENCE = {
    "labels": "the class labels of the test samples: every accuracy is the share of samples whose highest output "
              "is their label's",
    "nominal_spice": "the nominal circuit (exact component values) in ngspice at 27 C: "
                     "class_changes_surrogate_vs_spice counts the samples the surrogate classes differently"}


@owns_spice_for_call
def compare_classifier(circuit: Circuit, x: np.ndarray, truth: np.ndarray, temperatures=(27.0,),
                       montecarlo: int = 0, tolerance: float = 0.01, is_spread: float = 0.0, seed: int = 0,
                       yield_threshold: float = CLASSIFIER_YIELD_ACCURACY, executor=None,
                       progress: Callable[[int, int], None] | None = None,
                       spice: SpiceBackend | None = None) -> tuple[ClassifierComparison, dict]:
    """(numbers, curves): see the module docstring.

    x: test inputs (n, n_inputs), data units; truth: their class indices (n,). progress(boards
    done, boards) as the Monte Carlo boards come in. Accuracies are fractions. spice: the
    backend every ngspice run goes to (default: one made for this call, closed after).
    """
    executor = executor or LocalExecutor()
    truth = np.asarray(truth, dtype=np.int64)
    accuracy_at: list[TemperatureAccuracy] = []
    violations: list[dict] = []
    power: np.ndarray | None = None
    nominal: np.ndarray | None = None
    asked = {float(t) for t in temperatures}
    for t in sorted(asked | {27.0}):  # 27 C always: the nominal circuit's confusion matrix and power
        run = simulate_sharded(circuit, x, t, executor, spice=spice)
        predicted = np.argmax(run.y, axis=1)
        if t in asked:
            accuracy_at.append(TemperatureAccuracy(t, float(np.mean(predicted == truth))))
            violations += [{"temperature_c": t, **v.to_dict()} for v in run.violations]
        if t == 27.0:
            nominal, power = predicted, run.power_w
    assert nominal is not None and power is not None  # 27 C is always simulated
    boards = None
    if montecarlo > 0:
        draw = BoardDraw(tolerance, seed, is_spread)
        accuracies, beyond = board_accuracies(circuit, x, truth, montecarlo, draw, executor, progress, spice)
        # circuit.opamp.part: the part whose input offsets each board drew, or None
        boards = board_figures(accuracies, beyond, draw, circuit.opamp.part, yield_threshold)
    numbers = ClassifierComparison(
        circuit.topology, list(circuit.hidden_sizes), int(len(x)), circuit.n_outputs, dict(LABELS_REFERENCE),
        _accuracies(circuit, x, truth, nominal), accuracy_at,
        # in the figures above; None: not modelled (the generic op-amp)
        {**power_summary(power), "opamp_supply_w": opamp_summary(circuit)["supply_power_w"]},
        boards, violations)
    return numbers, {"power_w": power}


def _accuracies(circuit: Circuit, x: np.ndarray, truth: np.ndarray, nominal: np.ndarray) -> ClassifierAccuracy:
    """The nominal circuit's classes in ngspice (nominal, (n,)) against the labels, the
    surrogate's and the read-back network's."""
    surrogate = np.argmax(SurrogateBackend().simulate(circuit, x).y, axis=1)
    ideal = np.argmax(IdealBackend().simulate(circuit, x).y, axis=1)
    return ClassifierAccuracy(float(np.mean(nominal == truth)), float(np.mean(surrogate == truth)),
                              float(np.mean(ideal == truth)), int(np.sum(surrogate != nominal)),
                              confusion_matrix(truth, nominal, circuit.n_outputs).tolist())


def board_accuracies(circuit: Circuit, x: np.ndarray, truth: np.ndarray, count: int, draw: BoardDraw, executor,
                     progress: Callable[[int, int], None] | None = None,
                     spice: SpiceBackend | None = None) -> tuple[np.ndarray, list[str]]:
    """Boards 0 .. count - 1 (``montecarlo.stream_boards``) on the test samples x (n, n_inputs),
    data units, with their class indices truth (n,): (their accuracies, fractions, (count,);
    each one's worst part beyond its limits in words, "" where none is, (count,))."""
    accuracies, beyond = np.empty(count), [""] * count
    for task, (found, task_beyond) in stream_boards(circuit, count, draw, BoardAccuracy(x, truth), executor,
                                                    progress, spice):
        accuracies[task.start:task.stop] = found
        beyond[task.start:task.stop] = task_beyond
    return accuracies, beyond


def board_figures(accuracies: np.ndarray, beyond: list[str], draw: BoardDraw, part: str | None,
                  yield_threshold: float) -> BoardAccuracies:
    """compare.json's "accuracy_boards" from each board's accuracy (a fraction, (boards,)) and
    its worst part beyond its limits in words ("" where none is, (boards,)): a board passes
    when its accuracy is at least yield_threshold and every part stays inside its limits.
    part: the op-amp part whose input offsets each board drew, or None."""
    inside = inside_limits(beyond)
    return BoardAccuracies(
        len(accuracies), draw.tolerance, draw.is_spread, draw.seed, part,
        AccuracySpread(float(np.median(accuracies)), float(np.percentile(accuracies, 5)),
                       float(np.min(accuracies)), float(np.max(accuracies))),
        yield_threshold, float(np.mean((accuracies >= yield_threshold) & inside)),
        "a board passes when every part stays in its safe operating area at every test sample and its accuracy "
        "on the test samples' labels is at least yield_threshold",
        accuracies.tolist(), int(np.sum(~inside)), beyond_rows(beyond))
