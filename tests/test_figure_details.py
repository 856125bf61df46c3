"""Issue #22's leftover details: sweep figures name the inputs they hold still, --topology
auto's summary counts every candidate's time, the accuracy axes end at 100 %, and a
classifier's simulate summary speaks of class scores and predicted classes."""

import json
import subprocess
import sys
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import random_network
from test_export import NETLISTS
from test_figures import drawn, fake_curves

from circuitnet import load_model, realise
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.interface.classifier_plots import boards_figure, temperatures_accuracy_figure
from circuitnet.interface.cli import _seconds_summary
from circuitnet.interface.fit_outputs import fit_figure
from circuitnet.interface.report import neurons_figure
from circuitnet.interface.simulate_outputs import summary_line
from circuitnet.model.board import Board
from circuitnet.model.data_record import DataRecord
from circuitnet.model.sweep import sweep_for
from circuitnet.training.data import split_arrays
from circuitnet.training.results import FitReport, RegressionFigures
from circuitnet.training.run import FitResult


@pytest.mark.ngspice
def test_a_three_input_fit_figure_holds_the_third_input_at_its_middle_and_says_so(rng, spice):
    record = DataRecord(("speed", "load", "temp"), ("power",), np.array([-1.0, -1.0, 2.5]), np.array([1.0, 1.0, 4.0]))
    circuit = replace(realise(random_network(rng, 3, [3], 1), "diode"), data_record=record)
    figures = RegressionFigures(train_rmse=0.01, val_rmse=0.01, test_rmse_spice=0.01, test_rmse_ideal=0.01,
                                test_rmse_surrogate=0.01)
    result = FitResult(circuit, FitReport(figures, 1.0, {"mode": "surrogate"}, [], False, {}, {}, "", None), {})
    # the rows reach past the recorded training range (2.5..4): the figure holds temp where compare
    # and export do, at the middle of that range (3.25), not at the middle of every row (it held 3.5)
    x = np.column_stack([rng.uniform(-1, 1, (40, 2)), np.linspace(2.0, 5.0, 40)])
    split = split_arrays(x, x[:, :1] * 0.5, (20, 10, 10), rng)
    figure = drawn(fit_figure(result, split, spice, Board(), None))
    middle = 3.25
    assert sweep_for(record, None).held[1] == middle
    assert f"other inputs held at temp = {middle:.4g}" in figure._suptitle.get_text()
    # the pictured surface is the circuit's there, not at temp = 0
    circuit_panel = [ax for ax in figure.axes if ax.get_xlabel()][1]
    image = circuit_panel.images[0]
    g1 = np.linspace(*image.get_extent()[:2], 61)
    at_corner = spice.simulate(circuit, np.array([[g1[0], image.get_extent()[2], middle]])).y[0, 0]
    assert image.get_array()[0, 0] == pytest.approx(at_corner, abs=1e-9)


def test_the_neuron_panels_name_the_inputs_the_sweep_holds():
    numbers, curves = fake_curves(3, DataRecord(("speed", "load"), ("power",), np.array([-1.0, 0.0]),
                                                np.array([1.0, 2.0])))
    numbers.held_inputs = {"load": 1.0}
    figure = neurons_figure(numbers, curves)
    assert "other inputs held at load = 1" in figure._suptitle.get_text()


def test_the_auto_summary_counts_every_candidates_time():
    report = {"seconds": 12.0, "topology_choice": {"candidates": [
        {"topology": "precision", "seconds": 5.0}, {"topology": "diode", "seconds": 4.0},
        {"topology": "passive", "refused": "Ey: output below its negative rail"}]}}
    assert _seconds_summary(report) == "12.0 s for 2 candidate(s) (precision 5.0 s, diode 4.0 s)"
    assert _seconds_summary({"seconds": 3.04}) == "3.0 s"


@pytest.mark.ngspice
def test_fit_auto_reports_the_whole_fits_time_and_prints_each_candidates(tmp_path):
    out = tmp_path / "auto"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "kinks", "--topology", "auto",
                           "--hidden", "2", "--points", "30", "--epochs", "20", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    rows = report["topology_choice"]["candidates"]
    assert len(rows) == 3 and report["seconds"] >= sum(row["seconds"] for row in rows)
    assert f"{report['seconds']:.1f} s for 3 candidate(s) (" in done.stdout
    assert all(f"{row['topology']} {row['seconds']:.1f} s" in done.stdout for row in rows)


def test_the_boards_accuracy_axis_ends_at_100_percent():
    numbers = SimpleNamespace(test_samples=50, classifier=SimpleNamespace(accuracy_spice=1.0),
                              accuracy_boards=SimpleNamespace(per_board_accuracy=[1.0, 1.0, 0.98, 0.96],
                                                              yield_threshold=0.95, yield_fraction=1.0, instances=4,
                                                              tolerance=0.01, per_board_beyond_limits=[]))
    low, high = boards_figure(numbers, {}).axes[0].get_xlim()
    assert high == 100.0 and 90.0 <= low < 95.0
    rows = [SimpleNamespace(temperature_c=t, accuracy=a) for t, a in ((0, 1.0), (27, 1.0), (70, 0.9))]
    low, high = temperatures_accuracy_figure(SimpleNamespace(accuracy_temperatures=rows), {}).axes[0].get_ylim()
    assert high <= 100.5 and 80.0 <= low < 90.0


def test_the_boards_beyond_their_limits_are_drawn_apart_in_the_boards_histogram():
    """Boards 1 and 3 beyond their limits: stacked in grey, labelled as failing the yield, the
    others in blue; each board in one bar (before, all were one blue histogram)."""
    numbers = SimpleNamespace(test_samples=50, classifier=SimpleNamespace(accuracy_spice=1.0),
                              accuracy_boards=SimpleNamespace(
                                  per_board_accuracy=[1.0, 1.0, 0.98, 0.96], yield_threshold=0.95, yield_fraction=0.5,
                                  instances=4, tolerance=0.01,
                                  per_board_beyond_limits=[{"board": 1, "worst": "U1"}, {"board": 3, "worst": "U2"}]))
    ax = boards_figure(numbers, {}).axes[0]
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "beyond its operating limits (2): fails the yield" in labels and "inside its operating limits" in labels
    inside, beyond = ax.containers  # stacked: the grey bars sit on the blue ones
    assert sum(bar.get_height() for bar in inside) == 2 and sum(bar.get_height() for bar in beyond) == 2


def test_a_classifiers_simulate_summary_speaks_of_class_scores_and_predicted_classes():
    circuit = load_model(NETLISTS / "three_class_diode.json")
    x = np.array([[0.1, 0.2, 0.3, 0.1], [-0.5, 0.3, 0.1, 0.9]])
    result = SurrogateBackend().simulate(circuit, x)
    line = summary_line(circuit, result, result.y, "surrogate at 27 C")
    assert line.startswith("diode classifier, 2 sample(s), surrogate at 27 C: class scores ")
    assert "predicted classes: " in line and "the read-back network predicts the same class at 2 of 2" in line
    assert "(data units)" not in line and "circuit," not in line


def test_the_simulate_summary_counts_samples_per_class_unmistakably():
    """A digits model printed 'predicted classes: 4 3' for three samples of class 4: with
    numeric labels the count read as another class. Each class now says how many samples."""
    from dataclasses import replace

    from circuitnet.backends.result import SimulationResult
    circuit = load_model(NETLISTS / "three_class_diode.json")
    circuit = replace(circuit, data_record=replace(circuit.data_record, class_labels=("0", "1", "2")))
    scores = np.array([[0.0, 0.0, 1.0]] * 3 + [[1.0, 0.0, 0.0]])
    result = SimulationResult(x=np.zeros((4, 4)), y=scores, y_volts=scores, nodes={})
    line = summary_line(circuit, result, scores, "spice at 27 C")
    assert "predicted classes: 0 for 1 sample(s), 2 for 3 sample(s);" in line
