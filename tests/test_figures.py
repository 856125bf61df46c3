"""Figures a person can read (issue #22, item 7): titles, axis and colour-bar labels, the
data's own column and class names, and no text cut off. The figure objects are checked, not
their pixels."""

import io
import re
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import random_network
from matplotlib.figure import Figure

from circuitnet import realise
from circuitnet.backends.ideal import IdealBackend
from circuitnet.interface.classifier_plots import confusion_figure, plot_confusion
from circuitnet.interface.fit_outputs import fit_figure
from circuitnet.interface.report import _html, neurons_figure
from circuitnet.interface.transient_plots import waveforms_figure
from circuitnet.model.board import Board
from circuitnet.model.data_record import DataRecord
from circuitnet.training.data import get_target, target_split
from circuitnet.training.results import FitReport, RegressionFigures
from circuitnet.training.run import FitResult


def drawn(figure: Figure) -> Figure:
    """The figure laid out as it is saved (constrained layout runs on drawing)."""
    figure.savefig(io.BytesIO(), format="png", dpi=110)
    return figure


def inside_figure(figure: Figure, text) -> bool:
    box, frame = text.get_window_extent(), figure.bbox
    return box.x0 >= frame.x0 - 1 and box.x1 <= frame.x1 + 1 and box.y0 >= frame.y0 - 1 and box.y1 <= frame.y1 + 1


def every_title(figure: Figure) -> list:
    titles = [ax.title for ax in figure.axes] + list(figure.texts)  # the suptitle is one of figure.texts
    return [text for text in titles if text.get_text()]


@pytest.fixture
def plane_circuit(rng):
    """A 2-input regressor with a record naming its columns, and its data split."""
    record = DataRecord(("speed", "load"), ("power",), np.array([-1.0, -1.0]), np.array([1.0, 1.0]))
    circuit = replace(realise(random_network(rng, 2, [3], 1), "diode"), data_record=record)
    figures = RegressionFigures(train_rmse=0.01, val_rmse=0.011, test_rmse_spice=0.0123, test_rmse_ideal=0.012,
                                test_rmse_surrogate=0.0122)
    report = FitReport(figures, 1.0, {"mode": "surrogate"}, [], False, {}, {}, {}, None)
    result = FitResult(circuit, report, {})
    return result, target_split("saddle", 20, 0)


def main_panels(figure: Figure) -> list:
    """The data panels of fit.png (the colour bars are axes too, labelled on y only)."""
    return [ax for ax in figure.axes if ax.get_xlabel()]


def colourbar_labels(figure: Figure) -> set[str]:
    return {ax.get_ylabel() for ax in figure.axes if not ax.get_xlabel()}


@pytest.mark.ngspice
def test_two_input_fit_figure_against_a_target(plane_circuit, spice):
    result, split = plane_circuit
    target = get_target("saddle")
    figure = drawn(fit_figure(result, split, spice, Board(), target))
    assert "test RMSE (ngspice) 0.0123" in figure._suptitle.get_text()
    panels = main_panels(figure)
    assert len(panels) == 3
    assert all(ax.get_xlabel() == "speed (data units)" and ax.get_ylabel() == "load (data units)" for ax in panels)
    assert panels[0].get_title() == f"target {target.formula}"
    assert colourbar_labels(figure) == {"power (data units)", "circuit - target (data units)"}
    # the error panel is the circuit against the target, not against the read-back network
    circuit_grid, error_grid = panels[1].images[0].get_array(), panels[2].images[0].get_array()
    g1, g2 = np.linspace(*panels[1].images[0].get_extent()[:2], 61), np.linspace(*panels[1].images[0].get_extent()[2:], 61)
    mesh = np.array(np.meshgrid(g1, g2)).reshape(2, -1).T
    np.testing.assert_allclose(error_grid, circuit_grid - target.function(mesh).reshape(61, 61), atol=1e-12)
    assert all(inside_figure(figure, text) for text in every_title(figure))


@pytest.mark.ngspice
def test_two_input_fit_figure_of_a_data_file_shows_the_data_and_its_error(plane_circuit, spice):
    result, split = plane_circuit
    figure = drawn(fit_figure(result, split, spice, Board(), None))
    data, _, error = main_panels(figure)
    assert data.get_title() == "training data"
    np.testing.assert_allclose(data.collections[0].get_array(), split.y_train[:, 0])  # coloured by the data
    assert error.get_title() == "circuit - data (test points)"
    at_test = spice.simulate(result.circuit, split.x_test).y[:, 0]
    np.testing.assert_allclose(error.collections[0].get_array(), at_test - split.y_test[:, 0], atol=1e-9)
    read_back = IdealBackend().simulate(result.circuit, split.x_test).y[:, 0]
    assert not np.allclose(error.collections[0].get_array(), at_test - read_back)
    assert colourbar_labels(figure) == {"power (data units)", "circuit - data (data units)"}


def fake_curves(n_neurons: int, record=None) -> tuple[dict, dict]:
    x = np.linspace(-1, 1, 41)
    nodes = {f"n{j}_h": np.maximum(x - 0.1 * j, 0) for j in range(n_neurons)}
    rows = [SimpleNamespace(node=name, max_deviation_v=1e-3, ideal_knee=0.1 * j, fitted_knee=0.1 * j + 0.01)
            for j, name in enumerate(nodes)]
    curves = {"x": x, "ideal": SimpleNamespace(nodes=nodes), "spice": SimpleNamespace(nodes=nodes), "record": record}
    return SimpleNamespace(neurons=rows, held_inputs={}), curves


def test_neuron_panels_have_axis_labels_naming_the_input():
    record = DataRecord(("speed",), ("power",), np.array([-1.0]), np.array([1.0]))
    numbers, curves = fake_curves(5, record)
    figure = neurons_figure(numbers, curves)
    panels = [ax for ax in figure.axes if ax.get_title() and ax.get_title() != "knee"]
    assert len(panels) == 5
    for ax in panels:
        assert ax.get_xlabel() == "speed (data units)" and ax.get_ylabel() == "rectifier output (V)"


def test_report_tables_show_quantities_with_units_not_json_keys(tmp_path):
    from circuitnet.analysis.classifier_results import TemperatureAccuracy
    from circuitnet.analysis.compare_results import ErrorSummary, NetworkFigures, TemperatureRow
    summary = ErrorSummary(0.01, 0.005)
    numbers = SimpleNamespace(network=NetworkFigures(summary, summary, summary), sweep="-1:1:3", held_inputs={},
                              data=None, temperatures=[TemperatureRow(27.0, summary, summary)],
                              accuracy_temperatures=[TemperatureAccuracy(27.0, 0.97)])
    page = _html(tmp_path, numbers, {}, "a circuit")
    headings = re.findall(r"<th>(.*?)</th>", page)
    assert headings and not [h for h in headings if "_" in h]
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert not [cell for cell in cells if re.fullmatch(r"[a-z]+(_[a-z]+)+", cell)]
    assert "circuit (ngspice) vs surrogate (V at the output)" in cells
    assert "circuit (ngspice) vs the ReLU network its values encode (data units)" in cells


def test_confusion_title_is_not_cut_off():
    figure = Figure(figsize=(6.4, 5.4), layout="constrained")
    title = "precision circuit, spice-loop mode: test accuracy 100.0 % in ngspice"  # fit's longest
    plot_confusion(figure, np.diag(np.arange(10, 110, 10)), list(range(10)), title)
    drawn(figure)
    titles = every_title(figure)
    assert " ".join(" ".join(t.get_text().split()) for t in titles).count(title) == 1
    assert all(inside_figure(figure, text) for text in titles)


def test_compare_confusion_names_the_classes_from_the_record():
    record = DataRecord(("a", "b"), ("cat", "dog"), np.zeros(2), np.ones(2), class_labels=("cat", "dog"))
    numbers = SimpleNamespace(classes=2, classifier=SimpleNamespace(confusion_matrix=[[5, 1], [0, 6]],
                                                                   accuracy_spice=11 / 12))
    figure = confusion_figure(numbers, {"record": record})
    ax = figure.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog"]


def test_transient_legends_name_the_columns_and_classes():
    record = DataRecord(("petal", "sepal"), ("setosa", "other"), np.zeros(2), np.ones(2),
                        class_labels=("setosa", "other"))
    time = np.linspace(0, 1e-4, 50)
    result = SimpleNamespace(time=time, inputs_volts=np.zeros((50, 2)), outputs_volts=np.zeros((50, 2)),
                             nodes={"n0_h": np.zeros(50)}, steps=[SimpleNamespace(settling_time_s=1e-5)],
                             step_time_s=1e-4, settle=1e-3, dynamics=SimpleNamespace(name="TL072"))
    figure = waveforms_figure(result, record)
    inputs_ax, _, outputs_ax = figure.axes[:3]
    assert [t.get_text() for t in inputs_ax.get_legend().get_texts()] == ["petal", "sepal"]
    assert [t.get_text() for t in outputs_ax.get_legend().get_texts()][:2] == ["setosa", "other"]
    plain = waveforms_figure(result)  # a circuit without a record keeps x1.. and output 1..
    assert [t.get_text() for t in plain.axes[0].get_legend().get_texts()] == ["x1", "x2"]
