"""compare judges a classifier on the test rows its fit held out: the fit folder's data.csv
when no data are given, the fit's own split seed when --data FILE is the file it was fit on,
and it says which split and seed it used (the review found seed 0 used silently, so
training rows were counted as test rows)."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from sklearn.datasets import load_iris

FIT_SEED = 3


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def iris_fit(tmp_path_factory):
    """(folder, iris.csv, report.json of the fit): a small iris classifier fit with --seed 3."""
    folder = tmp_path_factory.mktemp("iris")
    iris = load_iris()
    rows = [",".join(map(str, x)) + f",{iris.target_names[t]}" for x, t in zip(iris.data, iris.target, strict=True)]
    (folder / "iris.csv").write_text("sepal_length,sepal_width,petal_length,petal_width,species\n"
                                     + "\n".join(rows) + "\n")
    done = run_cli("fit", "--data", str(folder / "iris.csv"), "--task", "classify", "--y-column", "species",
                   "--hidden", "4", "--seed", str(FIT_SEED), "--mode", "ideal", "--epochs", "60",
                   "--out", str(folder / "fit"))
    assert done.returncode == 0, done.stderr
    return folder, folder / "iris.csv", json.loads((folder / "fit" / "report.json").read_text())


@pytest.mark.ngspice
def test_data_file_is_split_with_the_fits_seed(iris_fit, tmp_path):
    folder, csv, report = iris_fit
    done = run_cli("compare", str(folder / "fit" / "model.json"), "--data", str(csv), "--y-column", "species",
                   "--temps", "27", "--out", str(tmp_path / "c"), "--json")
    assert done.returncode == 0, done.stderr
    numbers = json.loads(done.stdout)
    assert numbers["test_split"]["seed"] == FIT_SEED
    assert "the fit's seed, from" in numbers["test_split"]["how"]
    # the same rows as the fit's test split, so the same accuracy in ngspice
    assert numbers["classifier"]["accuracy_spice"] == report["test_accuracy_spice"]
    assert numbers["accuracy_temperatures"][0]["accuracy"] == report["test_accuracy_spice"]
    assert "; none of its 30 test rows trained or validated the model" in numbers["test_split"]["how"]
    # an explicit --split-seed wins, and is named as such; it is not the fit's, and the model's
    # row digests say that its test rows trained the model
    done = run_cli("compare", str(folder / "fit" / "model.json"), "--data", str(csv), "--y-column", "species",
                   "--temps", "27", "--split-seed", "0", "--out", str(tmp_path / "d"), "--json")
    split = json.loads(done.stdout)["test_split"]
    assert (split["data"], split["seed"]) == (str(csv), 0)
    assert split["how"].startswith("the test split made with seed 0: --split-seed; ")
    assert "test rows trained or validated the model" in split["how"] and "not held out" in done.stderr


@pytest.mark.ngspice
def test_without_data_the_fit_folders_test_rows_are_used(iris_fit, tmp_path):
    folder, _, report = iris_fit
    out = tmp_path / "c"
    done = run_cli("compare", str(folder / "fit" / "model.json"), "--temps", "27", "--montecarlo", "2",
                   "--out", str(out))
    assert done.returncode == 0, done.stderr
    numbers = json.loads((out / "compare.json").read_text())
    assert "network" not in numbers and "sweep" not in numbers  # not judged as a regressor
    assert numbers["test_split"]["data"] == str(folder / "fit" / "data.csv")
    assert numbers["test_split"]["seed"] is None
    assert numbers["classifier"]["accuracy_spice"] == report["test_accuracy_spice"]
    assert "the test rows the fit held out" in done.stdout
    html = (out / "report.html").read_text()
    # the yield's heading names what compare.json's yield_reference judges against: the labels
    assert "labels" in numbers["accuracy_boards"]["yield_reference"]
    assert "yield against the labels (fraction)" in html and "yield against the nominal circuit" not in html
    assert f"Simulated in ngspice {numbers['ngspice']['version']} with the {numbers['ngspice']['solver']} solver" \
        in html


@pytest.mark.ngspice
def test_a_classifier_away_from_its_fit_folder(iris_fit, tmp_path):
    folder, csv, _ = iris_fit
    shutil.copy(folder / "fit" / "model.json", tmp_path / "model.json")
    done = run_cli("compare", str(tmp_path / "model.json"), "--out", str(tmp_path / "refused"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "is a classifier and no fit's data.csv is beside it" in done.stderr
    assert "--data FILE.csv, --dataset NAME or --images FILE" in done.stderr
    assert not (tmp_path / "refused").exists()
    # with --data and no known seed: seed 0, which is not the fit's; the model's row digests say
    # that test rows of that split trained it, and how to get the held-out ones
    done = run_cli("compare", str(tmp_path / "model.json"), "--data", str(csv), "--y-column", "species",
                   "--temps", "27", "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    assert "so this accuracy is not held out: give --split-seed N (the fit's --seed)" in done.stderr
    split = json.loads((tmp_path / "c" / "compare.json").read_text())["test_split"]
    assert split["seed"] == 0 and "test rows trained or validated the model" in split["how"]


def test_a_split_is_checked_against_the_models_row_digests(tmp_path, capsys):
    """compare --data with --split-seed (or a model outside its fit folder, split with seed 0)
    said nothing of whether its test rows were held out, though the model file keeps a digest
    of every row that trained or validated it: with the wrong seed the 'test accuracy' was
    partly on training rows. The digests now say which: none, or how many."""
    from dataclasses import replace

    import numpy as np

    from circuitnet.formats import modelfile
    from circuitnet.interface.compare_data import classifier_held_out
    from circuitnet.interface.fit_data import class_dataset
    from circuitnet.interface.parser import build_parser
    from circuitnet.model.fit_rows import recorded_digests
    from circuitnet.training.classes import stratified_split
    circuit = modelfile.load("netlists/three_class_diode.json")
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (90, 4))
    labels = np.array(circuit.data_record.class_labels)[np.arange(90) % 3]
    table = tmp_path / "samples.csv"
    table.write_text("a,b,c,d,label\n" + "".join(f"{','.join(repr(float(v)) for v in row)},{label}\n"
                                                 for row, label in zip(x, labels, strict=True)))

    def args(*extra):
        return build_parser().parse_args(["compare", str(tmp_path / "model.json"), "--data", str(table),
                                          "--out", str(tmp_path / "o"), *extra])
    trained = stratified_split(class_dataset(args()), 0)  # the rows a fit with --seed 0 learnt from
    seen = recorded_digests(np.vstack([trained.x_train, trained.x_val]), np.vstack([trained.y_train, trained.y_val]))
    modelfile.save(replace(circuit, data_record=replace(circuit.data_record, fit_rows=seen)), tmp_path / "model.json")
    model = modelfile.load(tmp_path / "model.json")
    _, _, held = classifier_held_out(args(), model)  # no --split-seed, no fit folder: seed 0
    assert "none of its 18 test rows trained or validated the model" in held["how"]
    assert "not known" not in capsys.readouterr().err
    _, _, other = classifier_held_out(args("--split-seed", "7"), model)
    (count,) = re.findall(r"(\d+) of its 18 test rows trained or validated the model", other["how"])
    assert int(count) > 0 and "this accuracy is not held out" in capsys.readouterr().err
