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
  is at least ``yield_threshold``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.spice.backend import SpiceBackend
from ..backends.spice.power_summary import power_summary
from ..backends.spice.sharded import simulate_sharded
from ..backends.surrogate import SurrogateBackend
from ..model.circuit import Circuit
from ..training.measure import confusion_matrix
from ..training.opamp_summary import opamp_summary
from ..util.executor import LocalExecutor
from .montecarlo import BoardDraw, stream_boards
from .yields import CLASSIFIER_YIELD_ACCURACY

BOARDS_PER_TASK = 4  # a board of a digits classifier is a few hundred samples: about a second each


@dataclass(frozen=True)
class BoardAccuracy:
    """A classifier's boards on its test samples: x (n, n_inputs), data units; truth (n,)
    class indices. ``measure`` returns each board's accuracy, a fraction, (boards,)."""

    x: np.ndarray
    truth: np.ndarray

    @property
    def boards_per_task(self) -> int:
        return BOARDS_PER_TASK

    def measure(self, spice: SpiceBackend, boards: Iterator[Circuit]) -> np.ndarray:
        return np.array([float(np.mean(np.argmax(spice.simulate(board, self.x).y, axis=1) == self.truth))
                         for board in boards])


def compare_classifier(circuit: Circuit, x: np.ndarray, truth: np.ndarray, temperatures=(27.0,),
                       montecarlo: int = 0, tolerance: float = 0.01, is_spread: float = 0.0, seed: int = 0,
                       yield_threshold: float = CLASSIFIER_YIELD_ACCURACY, executor=None,
                       progress: Callable[[int, int], None] | None = None,
                       spice: SpiceBackend | None = None) -> tuple[dict, dict]:
    """(numbers, curves): see the module docstring.

    x: test inputs (n, n_inputs), data units; truth: their class indices (n,). progress(boards
    done, boards) as the Monte Carlo boards come in. Accuracies are fractions. spice: the
    backend every ngspice run goes to (default: a SpiceBackend on the shared pool).
    """
    executor = executor or LocalExecutor()
    truth = np.asarray(truth, dtype=np.int64)
    n_classes = circuit.n_outputs
    numbers = {"topology": circuit.topology, "hidden": list(circuit.hidden_sizes), "test_samples": int(len(x)),
               "classes": n_classes,
               "references": {"labels": "the class labels of the test samples: every accuracy is the share of "
                                        "samples whose highest output is their label's",
                              "nominal_spice": "the nominal circuit (exact component values) in ngspice at 27 C: "
                                               "class_changes_surrogate_vs_spice counts the samples the surrogate "
                                               "classes differently"}}
    accuracy_at: list[dict] = []
    violations: list[dict] = []
    power: np.ndarray | None = None
    nominal: np.ndarray | None = None
    asked = {float(t) for t in temperatures}
    for t in sorted(asked | {27.0}):  # 27 C always: the nominal circuit's confusion matrix and power
        run = simulate_sharded(circuit, x, t, executor, spice=spice)
        predicted = np.argmax(run.y, axis=1)
        if t in asked:
            accuracy_at.append({"temperature_c": t, "accuracy": float(np.mean(predicted == truth))})
            violations += [{"temperature_c": t, **v.to_dict()} for v in run.violations]
        if t == 27.0:
            nominal, power = predicted, run.power_w
    surrogate = np.argmax(SurrogateBackend().simulate(circuit, x).y, axis=1)
    ideal = np.argmax(IdealBackend().simulate(circuit, x).y, axis=1)
    assert nominal is not None and power is not None  # 27 C is always simulated
    confusion = confusion_matrix(truth, nominal, n_classes)
    numbers["classifier"] = {"accuracy_spice": float(np.mean(nominal == truth)),
                             "accuracy_surrogate": float(np.mean(surrogate == truth)),
                             "accuracy_ideal": float(np.mean(ideal == truth)),
                             "class_changes_surrogate_vs_spice": int(np.sum(surrogate != nominal)),
                             "confusion_matrix": confusion.tolist()}
    numbers["accuracy_temperatures"] = accuracy_at
    numbers["inference_power"] = {**power_summary(power),
                                  # in the figures above; None: not modelled (the generic op-amp)
                                  "opamp_supply_w": opamp_summary(circuit)["supply_power_w"]}
    curves = {"power_w": power}
    if montecarlo > 0:
        accuracies = _board_accuracies(circuit, x, truth, montecarlo, BoardDraw(tolerance, seed, is_spread), executor,
                                       progress, spice)
        numbers["accuracy_boards"] = {
            "instances": montecarlo, "tolerance": tolerance, "is_spread": is_spread, "seed": seed,
            "opamp_offsets": circuit.opamp.part,  # the part whose input offsets each board drew, or None
            "accuracy": {"median": float(np.median(accuracies)), "p5": float(np.percentile(accuracies, 5)),
                         "worst": float(np.min(accuracies)), "best": float(np.max(accuracies))},
            "yield_threshold": yield_threshold, "yield": float(np.mean(accuracies >= yield_threshold)),
            "yield_reference": "a board passes when its accuracy on the test samples' labels is at least "
                               "yield_threshold",
            "per_board_accuracy": accuracies.tolist(),
        }
    numbers["violations"] = violations
    return numbers, curves


def _board_accuracies(circuit: Circuit, x: np.ndarray, truth: np.ndarray, count: int, draw: BoardDraw, executor,
                      progress, spice: SpiceBackend | None) -> np.ndarray:
    """Boards 0 .. count - 1 (``montecarlo.stream_boards``): their accuracies, (count,)."""
    found = stream_boards(circuit, count, draw, BoardAccuracy(x, truth), executor, progress, spice)
    return np.concatenate([accuracies for _, accuracies in found])
