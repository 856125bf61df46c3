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


def fit_record(split: Split) -> DataRecord:
    """The record fit keeps of a split: names, ranges and its train/validation rows' digests."""
    from circuitnet.training.data_record_of import data_record_of
    return data_record_of(split, {"input_columns": ["x"], "output_columns": ["y"]})


def test_the_fits_own_rows_given_with_data_are_labelled_as_such(regressor, tmp_path):
    """compare --data on the fit's own training file called it "held-out data (every row of
    odd.csv, ...)"; 4 of its 6 rows trained or validated the model."""
    split = a_split(1)
    circuit = replace(regressor, data_record=fit_record(split))
    (tmp_path / "odd.csv").write_text("x,y\n" + "".join(f"{x:.17g},{y:.17g}\n" for x, y in
                                                        zip(np.arange(0.0, 12.0, 2.0), np.arange(6.0), strict=True)))
    (tmp_path / "fit").mkdir()
    (tmp_path / "fit" / "data.csv").write_text(data_csv(split))
    found = held_out_data(str(tmp_path / "fit" / "model.json"), circuit, str(tmp_path / "odd.csv"), None)
    assert (found.fit_rows, found.held_out) == (4, False)
    assert found.heading == f"the fit's own data: 4 of its 6 rows trained or validated the model (every row of " \
                            f"{tmp_path / 'odd.csv'})"
    assert f"for a held-out figure, give --data {tmp_path / 'fit' / 'data.csv'}" in found.advice
    assert found.describe()["held_out"] is False
    # the digests survive the model file, rounded: the rows as a CSV of 10 digits still match
    from circuitnet.formats import modelfile
    again = modelfile.loads(modelfile.dumps(circuit)).data_record
    assert again.fit_rows == circuit.data_record.fit_rows and len(again.fit_rows) == 4
    assert again.rows_seen(np.array([[2.0000000001]]), np.array([[1.0]])) == 1


def test_rows_the_fit_never_saw_are_held_out_and_an_older_model_says_not_known(regressor, tmp_path):
    split = a_split(1)
    (tmp_path / "new.csv").write_text("x,y\n100,1\n101,2\n")
    found = held_out_data("m.json", replace(regressor, data_record=fit_record(split)), str(tmp_path / "new.csv"),
                          None)
    assert (found.fit_rows, found.advice) == (0, "")
    assert found.heading == f"held-out data (every row of {tmp_path / 'new.csv'}, 2 samples)"
    older = held_out_data("m.json", regressor, str(tmp_path / "new.csv"), None)  # a record without digests
    assert older.fit_rows is None and older.held_out is None
    assert older.heading.startswith("data not known to be held out (every row of")
    assert "records no digest of the rows it was fit on" in older.advice
    # the fit's data.csv: its test rows, held out
    (tmp_path / "data.csv").write_text(data_csv(split))
    assert held_out_data("m.json", regressor, str(tmp_path / "data.csv"), None).held_out is True


def test_a_model_files_row_digests_are_checked(regressor):
    import json

    from circuitnet import ModelFileError
    from circuitnet.formats import modelfile
    document = modelfile.circuit_to_dict(regressor)
    document["data"]["fit_rows"] = ["not a digest"]
    with pytest.raises(ModelFileError, match=r'data.fit_rows\[0\] = "not a digest"; a row digest is 16'):
        modelfile.loads(json.dumps(document))
    del document["data"]["fit_rows"]  # a file written before the digests were kept still loads
    assert modelfile.loads(json.dumps(document)).data_record.fit_rows is None
