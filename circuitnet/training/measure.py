"""The figures of a fit's report, each recomputable from model.json, the data and the board."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.opamp_summary import opamp_summary
from ..backends.spice.power_summary import power_summary
from ..backends.surrogate import SurrogateBackend
from ..model.board import Board
from ..model.circuit import Circuit
from .data import Split


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(prediction) - np.asarray(target)) ** 2)))


def measure(circuit: Circuit, split: Split, board: Board, spice) -> dict:
    """The report's figures, each recomputable from model.json, the data and the board:
    ngspice on the board for every split, and the ideal read-back and the surrogate (the
    nominal model at 27 C) on the test split."""
    built = board.apply(circuit)
    figures = {f"{name}_rmse": rmse(spice.simulate(built, x, board.temperature_c).y, y)
               for name, (x, y) in split.parts().items() if name != "test"}
    figures["test_rmse_spice"] = rmse(spice.simulate(built, split.x_test, board.temperature_c).y, split.y_test)
    figures["test_rmse_ideal"] = rmse(IdealBackend().simulate(circuit, split.x_test).y, split.y_test)
    figures["test_rmse_surrogate"] = rmse(SurrogateBackend().simulate(circuit, split.x_test).y, split.y_test)
    return figures


def confusion_matrix(true_index: np.ndarray, predicted_index: np.ndarray, n_classes: int) -> np.ndarray:
    """counts[i, j]: samples of class i predicted as class j, shape (n_classes, n_classes)."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (true_index, predicted_index), 1)
    return counts


def measure_classifier(circuit: Circuit, split: Split, board: Board, executor, progress=None,
                       loss=None, spice=None) -> tuple[dict, dict]:
    """The report's figures of a classifier, and what its pictures need.

    ngspice simulates the board on the whole test split, sharded over ``executor`` (with the
    operating-limits check at every test sample); the surrogate and the read-back ideal network
    (nominal, 27 C) classify the same samples, and the training and validation splits (the
    surrogate's view, which training used). loss: the fit's SoftmaxCrossEntropy (default gain
    1), whose value on the validation split is ``val_cross_entropy_surrogate``, the figure
    search and topology choice rank classifiers by (see ``criterion``). Returns (figures,
    details): details holds the test outputs of each backend, shape (n_test, n_classes), and
    the ngspice violations. spice: the SpiceBackend the test split runs on (default: one made
    for this call, closed after).
    """
    from ..backends.spice.sharded import simulate_sharded
    from .losses import SoftmaxCrossEntropy, accuracy
    loss = loss or SoftmaxCrossEntropy()
    n_classes = circuit.n_outputs
    truth = split.y_test[:, 0].astype(np.int64)
    run = simulate_sharded(board.apply(circuit), split.x_test, board.temperature_c, executor, progress, spice=spice)
    surrogate = SurrogateBackend()
    outputs = {"spice": run.y, "surrogate": surrogate.simulate(circuit, split.x_test).y,
               "ideal": IdealBackend().simulate(circuit, split.x_test).y}
    predicted = {name: np.argmax(y, axis=1) for name, y in outputs.items()}
    confusion = confusion_matrix(truth, predicted["spice"], n_classes)
    per_class = confusion.diagonal() / np.maximum(confusion.sum(axis=1), 1)
    figures: dict[str, Any] = {f"test_accuracy_{name}": float(np.mean(p == truth)) for name, p in predicted.items()}
    figures.update({
        "test_samples": int(len(truth)),
        "class_changes_surrogate_vs_spice": int(np.sum(predicted["surrogate"] != predicted["spice"])),
        "confusion_matrix": confusion.tolist(),
        "per_class_accuracy": [float(a) for a in per_class],
        "spice_seconds": round(run.seconds, 3),
        "spice_samples_per_second": round(run.samples_per_second, 3),
        "spice_chunks": run.chunks,
        "ngspice": run.ngspice,
        "static_power_per_inference_w": {**power_summary(run.power_w),  # the op-amps' supply is in it, or None:
                                         "opamp_supply_w": opamp_summary(circuit)["supply_power_w"]},  # not modelled
    })
    for name in ("train", "val"):
        x, y = split.parts()[name]
        scores = surrogate.simulate(circuit, x).y
        figures[f"{name}_accuracy_surrogate"] = accuracy(scores, y)
        if name == "val":
            figures["val_cross_entropy_surrogate"] = loss.value(scores, y)
    return figures, {"outputs": outputs, "violations": run.violations}
