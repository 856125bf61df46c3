"""A fit's typed results (training/results.py): report.json's keys exactly as before the
types, the estimators' validation names from attributes, and the file-format page's tables
generated from the dataclasses."""

from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from circuitnet.training.classes import ClassDataset, load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.results import ClassifierFigures, FitReport, RegressionFigures, SnappingFigures
from circuitnet.training.run import fit

DOCS = Path(__file__).resolve().parents[1] / "docs" / "file-formats.md"
# report.json's keys, in the file's order, as circuitnet wrote them before the results were typed
REGRESSOR_KEYS = ["train_rmse", "val_rmse", "test_rmse_spice", "test_rmse_ideal", "test_rmse_surrogate", "seconds",
                  "hyperparameters", "pruned", "interrupted", "epochs_run", "stopped", "board", "opamps", "data", "ngspice",
                  "e_series"]
CLASSIFIER_KEYS = ["test_accuracy_spice", "test_accuracy_surrogate", "test_accuracy_ideal", "test_samples",
                   "class_changes_surrogate_vs_spice", "confusion_matrix", "per_class_accuracy", "spice_seconds",
                   "spice_samples_per_second", "spice_chunks", "ngspice", "static_power_per_inference_w",
                   "train_accuracy_surrogate", "val_accuracy_surrogate", "val_cross_entropy_surrogate",
                   "pruned_weights", "output_swing", "classes", "seconds", "hyperparameters", "pruned",
                   "interrupted", "epochs_run", "stopped", "board", "opamps", "data", "e_series"]


@pytest.fixture(scope="module")
def regressor(spice):
    config = FitConfig(topology="diode", mode="ideal", hidden=[3], epochs=20, seed=3, e_series="E24")
    return fit(target_split("abs", 40, seed=5), config, spice=spice, data_description={"target": "abs"})


@pytest.fixture(scope="module")
def classifier():
    dataset = load_dataset("digits")
    keep = np.flatnonzero(dataset.labels < 3)[:90]
    subset = ClassDataset(dataset.x[keep], dataset.labels[keep], dataset.image_shape, dataset.description)
    config = FitConfig(hidden=[4], mode="ideal", epochs=10, task="classify", classes=[0, 1, 2], e_series="E24")
    return fit(stratified_split(subset, 0), config, data_description={"dataset": "digits"})


@pytest.mark.ngspice
def test_a_regressors_report_has_the_keys_it_had_in_their_order(regressor):
    assert isinstance(regressor.summary, FitReport) and isinstance(regressor.summary.figures, RegressionFigures)
    assert list(regressor.report) == REGRESSOR_KEYS
    assert list(regressor.report["e_series"]) == ["series", "test_rmse_spice_before", "test_rmse_spice_after",
                                                  "series_pairs"]
    assert regressor.report["e_series"]["test_rmse_spice_after"] == regressor.report["test_rmse_spice"]
    assert regressor.summary.validation_score == regressor.report["val_rmse"]


@pytest.mark.ngspice
def test_a_classifiers_report_has_the_keys_it_had_in_their_order(classifier):
    assert isinstance(classifier.summary.figures, ClassifierFigures)
    assert list(classifier.report) == CLASSIFIER_KEYS
    assert list(classifier.report["e_series"]) == ["series", "test_accuracy_spice_before",
                                                   "test_accuracy_spice_after", "series_pairs"]
    assert classifier.summary.validation_score == classifier.report["val_cross_entropy_surrogate"]


def prefix_renamed(report: dict) -> dict:
    """The estimators' renaming as it was written before the results were typed (by key
    prefix), the reference the typed renaming is checked against."""
    named = {key: value for key, value in report.items() if not key.startswith("test_")}
    for key, value in report.items():
        if key.startswith("test_") and key != "test_rmse_spice":
            named["val_" + key[len("test_"):]] = value
    if "e_series" in report:
        named["e_series"] = {key.replace("test_", "val_"): value for key, value in report["e_series"].items()}
    if "topology_choice" in report:
        choice = report["topology_choice"]
        named["topology_choice"] = {**choice, "candidates": [prefix_renamed(row) for row in choice["candidates"]]}
    return named


@pytest.mark.ngspice
@pytest.mark.parametrize("name", ["regressor", "classifier"])
def test_the_estimators_validation_names_are_the_prefix_renaming(name, request):
    result = request.getfixturevalue(name)
    summary = result.summary
    summary.topology_choice = {"chosen": "diode", "candidates": [  # rows as topology_choice.candidate_row makes
        {"topology": "diode", "validation_score": 0.1, **summary.figures.candidate_figures(), "opamps": 4},
        {"topology": "precision", "refused": "El1n2_a: output above its positive rail"}]}
    try:
        assert summary.named_for_validation() == prefix_renamed(result.report)
    finally:
        summary.topology_choice = None


def test_a_snapping_record_names_its_figure_for_the_rows_it_was_measured_on():
    snapping = SnappingFigures("E24", "test_rmse_spice", 0.01, 0.012, series_pairs=3)
    assert snapping.to_dict() == {"series": "E24", "test_rmse_spice_before": 0.01, "test_rmse_spice_after": 0.012,
                                  "series_pairs": 3}
    assert snapping.to_dict("val_") == {"series": "E24", "val_rmse_spice_before": 0.01, "val_rmse_spice_after": 0.012,
                                        "series_pairs": 3}


def _file_format_records() -> list[type]:
    """Every record whose keys docs/file-formats.md lists: report.json's, compare.json's and
    transient.json's."""
    from circuitnet.analysis.compare_format import COMPARE_TABLES, TRANSIENT_TABLES
    from circuitnet.training.report_format import TABLES
    return [*TABLES.values(), *COMPARE_TABLES.values(), *TRANSIENT_TABLES.values()]


@pytest.mark.parametrize("record", _file_format_records(), ids=lambda record: record.__name__)
def test_the_file_format_page_lists_every_field(record):
    """docs/file-formats.md's key tables are generated from the result dataclasses: each
    described field is a row under its JSON key (but FitReport's ``figures``, whose keys are
    the task's, written first), and every row has its three cells."""
    from circuitnet.util.records import key_table
    assert "\n".join(key_table(record)) in DOCS.read_text()
    keys = [f.metadata.get("key") or f.name for f in fields(record) if "doc" in f.metadata and f.name != "figures"]
    rows = [line for line in key_table(record) if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == keys
    assert all(row.replace("\\|", "").count("|") == 4 for row in rows)  # a bar in a description is escaped
