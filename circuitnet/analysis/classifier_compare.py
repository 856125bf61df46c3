"""How a classifier circuit holds up as built: accuracy on real boards, across temperature,
and the static power of each inference, all in ngspice.

``compare_classifier`` simulates the test samples on:

- the nominal circuit at each temperature (sharded over the executor), giving the accuracy
  against temperature, the confusion matrix at 27 C, the static power per inference (the
  power drawn from every source at each sample's operating point) and the operating-limits
  check at every sample;
- ``montecarlo`` boards, each resistor drawn uniformly within its tolerance (``montecarlo``
  module: board k from seed (seed, k), the same on any executor), each board's accuracy on
  every test sample; their distribution, and the yield: the share of boards whose accuracy
  is at least ``yield_threshold``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.spice.backend import SpiceBackend
from ..backends.spice.sharded import simulate_sharded
from ..backends.surrogate import SurrogateBackend
from ..model.circuit import Circuit
from ..util.executor import LocalExecutor
from .montecarlo import monte_carlo_board

BOARDS_PER_TASK = 4  # a board of a digits classifier is a few hundred samples: about a second each


def board_accuracies(job) -> np.ndarray:
    """An executor task: the accuracy of boards start .. stop - 1 on (x, truth).

    job: (circuit, start, stop, tolerance, seed, is_spread, x (n, n_inputs) data units,
    truth (n,) class indices). Returns shape (stop - start,)."""
    circuit, start, stop, tolerance, seed, is_spread, x, truth = job
    spice = SpiceBackend()
    return np.array([float(np.mean(np.argmax(spice.simulate(monte_carlo_board(circuit, k, tolerance, seed, is_spread),
                                                            x).y, axis=1) == truth))
                     for k in range(start, stop)])


def compare_classifier(circuit: Circuit, x: np.ndarray, truth: np.ndarray, temperatures=(27.0,),
                       montecarlo: int = 0, tolerance: float = 0.01, is_spread: float = 0.0, seed: int = 0,
                       yield_threshold: float = 0.95, executor=None,
                       progress: Callable[[int, int], None] | None = None) -> tuple[dict, dict]:
    """(numbers, curves): see the module docstring.

    x: test inputs (n, n_inputs), data units; truth: their class indices (n,). progress(boards
    done, boards) as the Monte Carlo boards come in. Accuracies are fractions.
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
        run = simulate_sharded(circuit, x, t, executor)
        predicted = np.argmax(run.y, axis=1)
        if t in asked:
            accuracy_at.append({"temperature_c": t, "accuracy": float(np.mean(predicted == truth))})
            violations += [{"temperature_c": t, **v.to_dict()} for v in run.violations]
        if t == 27.0:
            nominal, power = predicted, run.power_w
    surrogate = np.argmax(SurrogateBackend().simulate(circuit, x).y, axis=1)
    ideal = np.argmax(IdealBackend().simulate(circuit, x).y, axis=1)
    assert nominal is not None and power is not None  # 27 C is always simulated
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(confusion, (truth, nominal), 1)
    numbers["classifier"] = {"accuracy_spice": float(np.mean(nominal == truth)),
                             "accuracy_surrogate": float(np.mean(surrogate == truth)),
                             "accuracy_ideal": float(np.mean(ideal == truth)),
                             "class_changes_surrogate_vs_spice": int(np.sum(surrogate != nominal)),
                             "confusion_matrix": confusion.tolist()}
    numbers["accuracy_temperatures"] = accuracy_at
    numbers["inference_power"] = {"median_w": float(np.median(power)), "mean_w": float(np.mean(power)),
                                  "min_w": float(np.min(power)), "max_w": float(np.max(power))}
    curves = {"power_w": power}
    if montecarlo > 0:
        accuracies = _board_accuracies(circuit, x, truth, montecarlo, tolerance, seed, is_spread, executor, progress)
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


def _board_accuracies(circuit, x, truth, count, tolerance, seed, is_spread, executor, progress) -> np.ndarray:
    """Boards 0 .. count - 1, BOARDS_PER_TASK to a task; progress(boards done, count) as tasks
    finish. Each task sends back one number per board, so all of them fit in memory at once."""
    jobs = [(circuit, start, min(start + BOARDS_PER_TASK, count), tolerance, seed, is_spread, x, truth)
            for start in range(0, count, BOARDS_PER_TASK)]
    done = [0]

    def finished(index: int) -> None:
        done[0] += jobs[index][2] - jobs[index][1]
        if progress is not None:
            progress(done[0], count)

    return np.concatenate(executor.map(board_accuracies, jobs, on_done=finished))
