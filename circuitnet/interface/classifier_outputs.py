"""Everything ``circuitnet fit`` writes for a classifier, each file atomically:

- ``model.json``: the trained circuit (model file format);
- ``circuit.cir``: its standalone netlist, at the operating point of the first test sample;
- ``report.json``: the figures (see ``training.measure.measure_classifier``) and every setting;
- ``data.csv``, ``bom.csv``: as for regression (``fit_outputs.write_fit_files`` writes these
  five for both);
- ``confusion.png``, ``misclassified.png`` (a gallery with each sample's output voltages)
  and ``curves.png`` (loss and validation accuracy per epoch).
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.figure import Figure

from ..backends.spice.netlist import netlist_text
from ..training.data import Split
from ..training.run import FitResult
from .classifier_plots import plot_confusion, plot_curves, plot_misclassified
from .fit_outputs import write_fit_files
from .plotting import save_figure


def write_classifier_outputs(folder: str | Path, result: FitResult, split: Split,
                             image_shape: tuple[int, int] | None = None,
                             command: str = "circuitnet fit") -> dict[str, Path]:
    folder = Path(folder)
    circuit, report = result.circuit, result.report
    classes = report["classes"]
    paths = write_fit_files(folder, result, split, netlist_text(
        circuit, inputs=split.x_test[0], data_file="circuit.dat", command=command))
    settings = report["hyperparameters"]
    confusion = Figure(figsize=(6.4, 5.4), layout="constrained")
    plot_confusion(confusion, report["confusion_matrix"], classes,
                   f"{settings['topology']} circuit, {settings['mode']} mode: test accuracy "
                   f"{100 * report['test_accuracy_spice']:.1f} % in ngspice")
    save_figure(confusion, folder / "confusion.png")
    gallery = Figure(figsize=(10, 8), layout="constrained")
    truth = split.y_test[:, 0].astype(int)
    assert result.details is not None  # a classifier's fit keeps its test outputs
    plot_misclassified(gallery, split.x_test, truth, result.details["outputs"]["spice"] * circuit.volts_per_unit,
                       classes, image_shape)
    save_figure(gallery, folder / "misclassified.png")
    curves = Figure(figsize=(10, 4), layout="constrained")
    plot_curves(curves, result.history)
    save_figure(curves, folder / "curves.png")
    paths.update({"confusion_plot": folder / "confusion.png", "gallery_plot": folder / "misclassified.png",
                  "curves_plot": folder / "curves.png"})
    return paths
