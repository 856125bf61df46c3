"""The files every fit writes, regressor or classifier, come from one writer
(``fit_outputs.write_fit_files``): the same five files, and a report that JSON can't hold
leaves nothing written, not even the folder."""

import json

import numpy as np
import pytest
from conftest import random_network

from circuitnet import load_model, realise
from circuitnet.errors import NonFiniteValueError
from circuitnet.interface.fit_outputs import write_fit_files
from circuitnet.training.data import Split
from circuitnet.training.results import FitReport, RegressionFigures
from circuitnet.training.run import FitResult


def _result(report_value):
    circuit = realise(random_network(np.random.default_rng(1), 1, [2], 1), "diode")
    x = np.linspace(-1.0, 1.0, 6)[:, None]
    split = Split(x[:2], x[:2] ** 2, x[2:4], x[2:4] ** 2, x[4:], x[4:] ** 2)
    figures = RegressionFigures(train_rmse=0.1, val_rmse=0.1, test_rmse_spice=report_value, test_rmse_ideal=0.1,
                                test_rmse_surrogate=0.1)
    report = FitReport(figures, 1.0, {"e_series": None}, [], False, {}, {}, "", None)
    return FitResult(circuit, report, history={}), split


def test_the_five_shared_files_are_written_from_one_place(tmp_path):
    result, split = _result(0.25)
    paths = write_fit_files(tmp_path / "fit", result, split, "* a netlist\n.end\n")
    assert sorted(path.name for path in paths.values()) == ["bom.csv", "circuit.cir", "data.csv", "model.json",
                                                            "report.json"]
    assert json.loads((tmp_path / "fit" / "report.json").read_text())["test_rmse_spice"] == 0.25
    assert (tmp_path / "fit" / "circuit.cir").read_text() == "* a netlist\n.end\n"
    assert load_model(tmp_path / "fit" / "model.json").stages[0].n_out == 2


def test_a_report_json_cannot_hold_leaves_no_folder(tmp_path):
    result, split = _result(float("nan"))
    with pytest.raises(NonFiniteValueError, match="test_rmse_spice is nan"):
        write_fit_files(tmp_path / "fit", result, split, "* a netlist\n.end\n")
    assert not (tmp_path / "fit").exists()
