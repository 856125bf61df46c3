"""Models that remember what they were trained on: fit fills the data record from every data
source, the estimators record feature names and labels, simulate maps a CSV's columns by
the recorded names and prints a classifier's predicted class."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from conftest import random_network

from circuitnet import CircuitClassifier, CircuitRegressor, load_model, realise, save_model
from circuitnet.model.data_record import DataRecord
from circuitnet.training.data import Split
from circuitnet.training.data_record_of import data_record_of
from circuitnet.training.run_folder import read_data_csv


def circuitnet(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600)


def split_of(x_train: np.ndarray, n_outputs: int = 1) -> Split:
    y = np.zeros((len(x_train), n_outputs))
    return Split(x_train, y, x_train[:1], y[:1], x_train[:1], y[:1])


def test_the_record_of_a_csv_names_its_columns_and_ranges_the_training_split():
    x = np.array([[4.3, 0.1], [7.9, 2.5], [5.0, 1.0]])
    record = data_record_of(split_of(x), {"file": "iris.csv", "input_columns": ["sepal length", "petal width"],
                                          "output_columns": ["target"]})
    assert record.input_names == ("sepal length", "petal width") and record.output_names == ("target",)
    np.testing.assert_array_equal(record.input_low, [4.3, 0.1])
    np.testing.assert_array_equal(record.input_high, [7.9, 2.5])
    assert record.class_labels is None


def test_the_record_of_a_target_images_and_classes():
    target = data_record_of(split_of(np.array([[0.0], [5.0]])), {"target": "sine"})
    assert target.input_names == ("x",) and target.output_names == ("y",)
    assert (target.input_low[0], target.input_high[0]) == (0.0, 5.0)
    digits = data_record_of(split_of(np.zeros((3, 64)), 10), {"dataset": "digits", "image_shape": [8, 8]},
                            classes=list(range(10)))
    assert digits.input_names[:2] == ("pixel_0_0", "pixel_0_1") and digits.input_names[63] == "pixel_7_7"
    assert digits.class_labels == tuple(str(k) for k in range(10)) == digits.output_names
    named = data_record_of(split_of(np.zeros((3, 2)), 2), {"input_columns": ["a", "b"]}, classes=[3, 7])
    assert named.class_labels == ("3", "7")


@pytest.mark.ngspice
@pytest.mark.slow
def test_fit_on_a_csv_records_its_columns_and_simulate_maps_them_by_name(tmp_path):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 2, 90), rng.uniform(-1, 1, 90)
    target = 0.3 * a - 0.4 * np.abs(b)
    lines = ["a,b,target"] + [f"{float(p)!r},{float(q)!r},{float(t)!r}" for p, q, t in zip(a, b, target)]
    (tmp_path / "train.csv").write_text("\n".join(lines) + "\n")
    done = circuitnet("fit", "--data", str(tmp_path / "train.csv"), "--hidden", "4", "--mode", "ideal",
                      "--epochs", "200", "--out", str(tmp_path / "fit"))
    assert done.returncode == 0, done.stderr
    described = json.loads((tmp_path / "fit" / "data.json").read_text())
    assert described["input_columns"] == ["a", "b"] and described["output_columns"] == ["target"]
    circuit = load_model(tmp_path / "fit" / "model.json")
    assert circuit.data_record.input_names == ("a", "b") and circuit.data_record.output_names == ("target",)
    split = read_data_csv(tmp_path / "fit" / "data.csv")
    np.testing.assert_array_equal(circuit.data_record.input_low, split.x_train.min(axis=0))
    np.testing.assert_array_equal(circuit.data_record.input_high, split.x_train.max(axis=0))
    # the training file itself, target column and all, simulates: columns mapped by name
    done = circuitnet("simulate", str(tmp_path / "fit" / "model.json"), "--inputs", str(tmp_path / "train.csv"),
                      "--json")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)
    np.testing.assert_array_equal(np.array(first["x"]), np.column_stack([a, b]))
    assert first["input_names"] == ["a", "b"]
    # reordered columns give the same outputs
    shuffled = ["target,b,a"] + [f"{float(t)!r},{float(q)!r},{float(p)!r}" for p, q, t in zip(a, b, target)]
    (tmp_path / "reordered.csv").write_text("\n".join(shuffled) + "\n")
    done = circuitnet("simulate", str(tmp_path / "fit" / "model.json"), "--inputs", str(tmp_path / "reordered.csv"),
                      "--json")
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(json.loads(done.stdout)["y"], first["y"], rtol=0, atol=1e-9)


@pytest.fixture
def named_model(tmp_path, rng):
    circuit = realise(random_network(rng, 2, [4], 1), "diode")
    record = DataRecord(("sepal length", "petal width"), ("y",), [-1.0, -1.0], [1.0, 1.0])
    return save_model(replace(circuit, data_record=record), tmp_path / "named.json")


@pytest.mark.ngspice
@pytest.mark.parametrize("content, message", [
    ("petal width,colour\n0.1,0.2\n", "the header has no column 'sepal length'; this model's inputs are sepal length, "
                                      "petal width (the columns it was trained on)"),
    ("sepal length,petal width,sepal length\n0.1,0.2,0.3\n", "the header names the column 'sepal length' twice"),
    ("a,b\n0.1,0.2\n", "the header names 'a', which is not an input of this model; its inputs are x1, x2, or the "
                       "columns it was trained on: sepal length, petal width"),
])
def test_simulate_refuses_columns_it_cannot_map_by_name(named_model, tmp_path, content, message):
    (tmp_path / "in.csv").write_text(content)
    done = circuitnet("simulate", str(named_model), "--inputs", str(tmp_path / "in.csv"))
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.ngspice
@pytest.mark.slow
def test_simulate_prints_the_predicted_class_beside_the_output_voltages(tmp_path, rng, spice):
    circuit = realise(random_network(rng, 2, [5], 3), "diode")
    circuit = replace(circuit, data_record=DataRecord(("a", "b"), ("setosa", "versicolor", "virginica"),
                                                      [-1.0, -1.0], [1.0, 1.0], ("setosa", "versicolor", "virginica")))
    path = save_model(circuit, tmp_path / "classes.json")
    x = rng.uniform(-1, 1, (6, 2))
    (tmp_path / "in.csv").write_text("a,b\n" + "\n".join(f"{float(p)!r},{float(q)!r}" for p, q in x) + "\n")
    result = spice.simulate(circuit, x)
    expected = [circuit.data_record.class_labels[k] for k in np.argmax(result.y, axis=1)]
    done = circuitnet("simulate", str(path), "--inputs", str(tmp_path / "in.csv"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for k in range(6):
        assert lines[k].startswith(f"sample {k + 1}: class {expected[k]} (setosa {result.y_volts[k, 0]:.4g} V")
    done = circuitnet("simulate", str(path), "--inputs", str(tmp_path / "in.csv"), "--csv")
    table = done.stdout.splitlines()
    assert table[0].split(",")[:5] == ["a", "b", "setosa", "versicolor", "virginica"]
    assert table[0].endswith(",class,beyond_limit") and [row.split(",")[-2] for row in table[1:]] == expected
    done = circuitnet("simulate", str(path), "--inputs", str(tmp_path / "in.csv"), "--json")
    assert json.loads(done.stdout)["predicted_class"] == expected


@pytest.mark.ngspice
def test_estimators_record_feature_names_and_labels():
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (80, 2))
    quick = dict(hidden=4, mode="ideal", epochs=200, patience=100)
    regressor = CircuitRegressor(**quick).fit(x, np.abs(x[:, 0]))
    assert regressor.circuit_.data_record.input_names == ("x1", "x2")
    np.testing.assert_array_equal(regressor.circuit_.data_record.input_high,
                                  x[np.random.default_rng(0).permutation(80)[16:]].max(axis=0))
    labels = np.where(x[:, 0] > 0, "right", "left")
    classifier = CircuitClassifier(**quick).fit(x, labels)
    assert classifier.circuit_.data_record.class_labels == ("left", "right")
    # a DataFrame's columns, as scikit-learn records them in feature_names_in_
    classifier.feature_names_in_ = np.array(["width", "height"], dtype=object)
    assert classifier._data_columns(2)["input_columns"] == ["width", "height"]
