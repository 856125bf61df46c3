"""The model file's ``data`` record: what a circuit was trained on survives save and load,
is validated like every other key, and files without it load as before."""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import random_network

from circuitnet import ModelFileError, load_model, realise, save_model
from circuitnet.formats import modelfile
from circuitnet.model.data_record import DataRecord

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


@pytest.fixture
def classifier(rng):
    circuit = realise(random_network(rng, 2, [4], 3), "diode")
    record = DataRecord(("sepal length (cm)", "petal width"), ("setosa", "versicolor", "virginica"),
                        [4.3, 0.1], [7.9, 2.5], ("setosa", "versicolor", "virginica"))
    return replace(circuit, data_record=record)


def test_the_record_round_trips(classifier, tmp_path):
    again = load_model(save_model(classifier, tmp_path / "model.json"))
    record = again.data_record
    assert record.input_names == ("sepal length (cm)", "petal width")
    assert record.class_labels == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(record.input_low, [4.3, 0.1])
    np.testing.assert_array_equal(record.input_high, [7.9, 2.5])
    assert modelfile.dumps(again) == modelfile.dumps(classifier)


def test_a_regressor_record_has_no_class_labels(rng, tmp_path):
    circuit = replace(realise(random_network(rng, 1, [3], 1), "diode"),
                      data_record=DataRecord(("x",), ("y",), [0.0], [5.0]))
    document = json.loads(modelfile.dumps(circuit))
    assert document["data"] == {"input_names": ["x"], "output_names": ["y"], "input_low": [0.0],
                                "input_high": [5.0]}
    assert load_model(save_model(circuit, tmp_path / "m.json")).data_record.class_labels is None


@pytest.mark.parametrize("name", sorted(p.name for p in NETLISTS.glob("*.json")))
def test_model_files_load_with_the_record_they_have_and_rewrite_byte_identical(name):
    """The golden files, with a data record (the classifier's class labels) or without one."""
    text = (NETLISTS / name).read_text()
    circuit = modelfile.loads(text)
    assert (circuit.data_record is None) == ("data" not in json.loads(text))
    assert modelfile.dumps(circuit) == text


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["data"].pop("input_low"), "data is missing 'input_low'"),
    (lambda d: d["data"].update(colour="red"), "data has unknown field 'colour'"),
    (lambda d: d["data"].update(input_names=["a"]), r"data.input_names must be a list of 2 names, one per input"),
    (lambda d: d["data"].update(input_names=["a", "a"]), "data.input_names names 'a' twice"),
    (lambda d: d["data"].update(input_names=["a", 7]), r"data.input_names\[1\] = 7; a name must be non-empty"),
    (lambda d: d["data"].update(input_names=["a", ""]), r"data.input_names\[1\] = \"\""),
    (lambda d: d["data"].update(class_labels=["a", "b"]), "data.class_labels must be a list of 3 names"),
    (lambda d: d["data"]["input_high"].__setitem__(0, "tall"), r"data.input_high\[0\] = \"tall\""),
    (lambda d: d["data"]["input_low"].__setitem__(1, 9.0), r"data.input_low\[1\] = 9.0 is above data.input_high"),
    (lambda d: d.update(data=[1, 2]), "data must be a JSON object"),
])
def test_a_bad_record_is_refused_naming_the_field(classifier, mutate, message):
    document = json.loads(modelfile.dumps(classifier))
    mutate(document)
    with pytest.raises(ModelFileError, match=message):
        modelfile.loads(json.dumps(document))
