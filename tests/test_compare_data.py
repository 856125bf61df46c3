"""Which held-out data compare judges a regressor against, and how it refuses data that do
not fit the model (no ngspice needed: only files are read)."""

from dataclasses import replace

import numpy as np
import pytest
from conftest import random_network

from circuitnet import DataFileError, realise
from circuitnet.interface.compare_data import held_out_data, is_classifier
from circuitnet.model.data_record import DataRecord
from circuitnet.training.data import Split
from circuitnet.training.run_folder import data_csv


@pytest.fixture
def regressor(rng):
    circuit = realise(random_network(rng, 1, [3], 1), "diode")
    return replace(circuit, data_record=DataRecord(("x",), ("y",), [0.0], [5.0]))


def a_split(n_inputs: int) -> Split:
    rows = np.arange(12.0).reshape(6, 2)[:, :n_inputs]
    y = np.arange(6.0)[:, None]
    return Split(rows[:3], y[:3], rows[3:4], y[3:4], rows[4:], y[4:])


def test_a_fit_folder_gives_its_test_split(regressor, tmp_path):
    (tmp_path / "data.csv").write_text(data_csv(a_split(1)))
    found = held_out_data(str(tmp_path / "model.json"), regressor, None, None)
    np.testing.assert_array_equal(found.x, [[8.0], [10.0]])
    np.testing.assert_array_equal(found.y, [[4.0], [5.0]])
    assert found.source == f"the test split of {tmp_path / 'data.csv'}"
    # and given with --data, the same rows
    again = held_out_data("elsewhere/model.json", regressor, str(tmp_path / "data.csv"), None)
    np.testing.assert_array_equal(again.x, found.x)


def test_a_fit_folder_of_other_data_is_noted_and_skipped(regressor, tmp_path, capsys):
    (tmp_path / "data.csv").write_text(data_csv(a_split(2)))
    assert held_out_data(str(tmp_path / "model.json"), regressor, None, None) is None
    assert "not comparing with" in capsys.readouterr().err
    with pytest.raises(DataFileError, match="its samples have 2 input"):
        held_out_data("m.json", regressor, str(tmp_path / "data.csv"), None)


def test_a_table_without_the_models_inputs_is_refused(regressor, tmp_path):
    (tmp_path / "t.csv").write_text("a,b\n1,2\n3,4\n")
    with pytest.raises(DataFileError, match=r"does not name this model's inputs \(x\)"):
        held_out_data("m.json", regressor, str(tmp_path / "t.csv"), None)
    (tmp_path / "u.csv").write_text("x,b,c\n1,2,3\n3,4,5\n")
    with pytest.raises(DataFileError, match="2 columns besides the inputs; name the target with --y-column"):
        held_out_data("m.json", regressor, str(tmp_path / "u.csv"), None)
    found = held_out_data("m.json", regressor, str(tmp_path / "u.csv"), "c")
    np.testing.assert_array_equal(found.y, [[3.0], [5.0]])


def test_what_decides_a_classifier(regressor, rng):
    assert not is_classifier(regressor)
    assert not is_classifier(replace(regressor, data_record=None))  # one output: no classifier
    three = realise(random_network(rng, 2, [3], 3), "diode")
    assert is_classifier(three)
    assert not is_classifier(replace(three, data_record=DataRecord(("a", "b"), ("p", "q", "r"), [0, 0], [1, 1])))


def test_an_input_column_is_refused_as_the_target(regressor, tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n1,2\n3,4\n")
    with pytest.raises(DataFileError, match="--y-column x is one of the model's inputs"):
        held_out_data("m.json", regressor, str(tmp_path / "t.csv"), "x")


def test_yield_threshold_help_names_what_a_board_is_judged_against():
    from circuitnet.interface.parser import build_parser
    compare = build_parser()._subparsers._group_actions[0].choices["compare"]
    text = next(a.help for a in compare._actions if "--yield-threshold" in a.option_strings)
    assert "|ngspice - ideal|" not in text
    assert "max |board - nominal circuit|, both in ngspice" in text and "accuracy on the test samples' labels" in text
