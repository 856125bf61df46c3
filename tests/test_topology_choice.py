"""The topology as a hyperparameter: ``--topology auto`` (CLI, API, estimators, with and
without ``--search``) and ``fit --search`` on classifiers, both choosing on the one validation
criterion (training/criterion.py)."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from circuitnet import CircuitClassifier, CircuitRegressor, load_model
from circuitnet.backends.spice.netlist import netlist_text
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import CircuitnetError, OperatingLimitError, UnknownNameError
from circuitnet.training.classes import ClassDataset, load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.losses import SoftmaxCrossEntropy
from circuitnet.training.run import FitRun, fit
from circuitnet.training.search import search
from circuitnet.training.topology_choice import TopologyChoice, candidate_configs

SMALL = dict(hidden=[4], pretrain_epochs=300, seed=3)


class HereExecutor:
    """Runs a search's trials in this process, one at a time (no spawned interpreters)."""

    workers = 1

    def map(self, function, items):
        return [function(item) for item in items]


@pytest.fixture(scope="module")
def kinked_split():
    """|x| plus two more corners: a target whose sharp knees favour the precision rectifier."""
    return target_split("kinks", 60, seed=5)


@pytest.fixture(scope="module")
def small_classes():
    """Digits 0-2, 150 images: a small classifier's split."""
    dataset = load_dataset("digits")
    keep = np.flatnonzero(dataset.labels < 3)[:150]
    subset = ClassDataset(dataset.x[keep], dataset.labels[keep], dataset.image_shape, dataset.description)
    return stratified_split(subset, 0)


def opamps_in_netlist(circuit) -> int:
    """The op-amps of the exported netlist, counted from its text: every op-amp is an E source."""
    return sum(line.startswith("E") for line in netlist_text(circuit).splitlines())


def test_auto_leaves_out_the_topologies_the_settings_rule_out():
    configs, excluded = candidate_configs(FitConfig(topology="auto", hidden=[4]))
    assert list(configs) == ["passive", "diode", "precision"]
    # the energy-based topology is never chosen silently: auto leaves it out and says why
    assert excluded == {"resistive": "is chosen only by name (--topology resistive): auto compares the ReLU "
                                     "topologies"}
    assert all(config.topology == name and config.hidden == [4] for name, config in configs.items())
    configs, excluded = candidate_configs(FitConfig(topology="auto", hidden=[4, 4]))
    assert list(configs) == ["diode", "precision"]
    assert excluded["passive"].startswith("realises at most 1 hidden layer(s); --hidden 4,4 asks for 2")
    # after a search, each candidate takes the settings of its own best row (rows best first)
    table = [{"topology": "precision", "hidden": [8], "lam": 0.0, "lr": 0.03},
             {"topology": "diode", "hidden": [2], "lam": 1e-4, "lr": 0.003},
             {"topology": "precision", "hidden": [2], "lam": 1e-6, "lr": 0.01}]
    configs, _ = candidate_configs(FitConfig(topology="auto", hidden=[4]), table)
    assert list(configs) == ["diode", "precision"]  # the search tried no passive settings
    assert (configs["precision"].hidden, configs["precision"].lr) == ([8], 0.03)
    assert (configs["diode"].hidden, configs["diode"].lam) == ([2], 1e-4)


def test_auto_is_a_choice_between_fits_and_unknown_topologies_are_refused(kinked_split):
    with pytest.raises(CircuitnetError, match="topology 'auto' is a choice between fits"):
        FitRun(kinked_split, FitConfig(topology="auto"))
    with pytest.raises(UnknownNameError,
                       match="topology = 'nope'; choose one of passive, diode, precision, resistive or auto"):
        FitConfig(topology="nope")


@pytest.mark.ngspice
@pytest.mark.slow
def test_fit_auto_keeps_the_candidate_with_the_lowest_validation_rmse(kinked_split, spice):
    result = fit(kinked_split, FitConfig(topology="auto", mode="surrogate", epochs=100, **SMALL), spice=spice)
    choice = result.report["topology_choice"]
    rows = choice["candidates"]
    assert sorted(row["topology"] for row in rows) == ["diode", "passive", "precision"]
    assert choice["figure"] == "val_rmse" and choice["criterion"].startswith("validation RMSE (ngspice)")
    lowest = min(rows, key=lambda row: row["val_rmse"])
    # sharp corners: the precision rectifier's knee of Vf / A beats the diodes' soft knees
    assert choice["chosen"] == lowest["topology"] == result.circuit.topology == "precision"
    assert result.report["hyperparameters"]["topology"] == "precision"
    assert result.report["val_rmse"] == lowest["val_rmse"] == lowest["validation_score"]
    for row in rows:  # every row is what a fit of that topology alone gives, and what its circuit has
        alone = fit(kinked_split, FitConfig(topology=row["topology"], mode="surrogate", epochs=100, **SMALL),
                    spice=spice)
        assert row["val_rmse"] == pytest.approx(alone.report["val_rmse"], rel=1e-9)
        assert row["test_rmse_spice"] == pytest.approx(alone.report["test_rmse_spice"], rel=1e-9)
        assert row["opamps"] == opamps_in_netlist(alone.circuit)
        assert row["resistors"] == sum(line.startswith("R") for line in netlist_text(alone.circuit).splitlines())
        assert 0 < row["static_power_mean_w"] <= row["static_power_max_w"] < 1.0
    by_name = {row["topology"]: row for row in rows}
    # the passive circuit's only op-amps are its inverters (here the input's) and its output summer
    assert by_name["passive"]["opamps"] == 2 < by_name["diode"]["opamps"] == by_name["precision"]["opamps"] == 6


@pytest.mark.ngspice
def test_a_candidate_that_leaves_its_safe_operating_area_is_refused_and_the_others_compete(kinked_split, spice):
    def start(config):
        run = FitRun(kinked_split, config, spice=spice)
        if config.topology == "precision":
            def refused():
                raise OperatingLimitError("El1n2_a: output above its positive rail", [])
            run.run = refused
        return run

    configs, excluded = candidate_configs(FitConfig(topology="auto", mode="ideal", epochs=50, **SMALL))
    result = TopologyChoice(configs, excluded, start).run()
    choice = result.report["topology_choice"]
    assert choice["candidates"][-1] == {"topology": "precision", "refused": "El1n2_a: output above its positive rail"}
    competing = [row for row in choice["candidates"] if "refused" not in row]
    assert choice["chosen"] == min(competing, key=lambda row: row["val_rmse"])["topology"] != "precision"


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_fit_topology_auto_writes_the_chosen_circuit_and_every_candidate(tmp_path):
    out = tmp_path / "auto"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "kinks", "--topology", "auto",
                           "--hidden", "3,3", "--points", "40", "--epochs", "30", "--out", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    choice = report["topology_choice"]
    assert choice["excluded"]["passive"] == "realises at most 1 hidden layer(s); --hidden 3,3 asks for 2"
    assert set(choice["excluded"]) == {"passive", "resistive"}
    assert [row["topology"] for row in choice["candidates"]] != [] and len(choice["candidates"]) == 2
    best = min(choice["candidates"], key=lambda row: row["val_rmse"])
    assert choice["chosen"] == best["topology"] == load_model(out / "model.json").topology
    assert report["val_rmse"] == best["val_rmse"] and report["test_rmse_spice"] == best["test_rmse_spice"]
    # the table is printed, the chosen row marked, the excluded topology with its reason
    assert f"| **{choice['chosen']}** (chosen) | {best['val_rmse']:.4f} |" in done.stdout
    assert "| passive | excluded: realises at most 1 hidden layer(s)" in done.stdout


@pytest.mark.ngspice
def test_estimator_topology_auto_chooses_on_its_held_out_rows():
    x = np.linspace(-1, 1, 60)[:, None]
    y = np.abs(x[:, 0]) - 0.5 * np.maximum(x[:, 0] - 0.3, 0)
    model = CircuitRegressor(topology="auto", hidden=3, epochs=20, seed=1).fit(x, y)
    choice = model.report_["topology_choice"]
    rows = choice["candidates"]
    assert len(rows) == 3 and not any(key.startswith("test_") for row in rows for key in row)
    assert choice["chosen"] == min(rows, key=lambda row: row["val_rmse"])["topology"] == model.circuit_.topology
    assert model.get_params()["topology"] == "auto" and model.predict(x).shape == (60,)


@pytest.mark.ngspice
def test_search_on_a_classifier_chooses_on_validation_cross_entropy(small_classes):
    config = FitConfig(topology="diode", mode="ideal", epochs=60, task="classify", classes=[0, 1, 2], **SMALL)
    best, table = search(small_classes, config, trials=3, executor=HereExecutor())
    assert len(table) == 3 and [row["validation_score"] for row in table] == sorted(
        row["validation_score"] for row in table)
    for row in (table[0], table[-1]):  # each score is the cross-entropy of that trial's circuit on validation
        again = fit(small_classes, replace(config, hidden=row["hidden"], lam=row["lam"], lr=row["lr"])).circuit
        scores = SurrogateBackend().simulate(again, small_classes.x_val).y
        expected = SoftmaxCrossEntropy(config.score_gain).value(scores, small_classes.y_val)
        assert row["validation_score"] == row["val_cross_entropy_surrogate"] == pytest.approx(expected, rel=1e-9)
        assert 0 <= row["val_accuracy_surrogate"] <= 1
    assert [best.hidden, best.lam, best.lr] == [table[0]["hidden"], table[0]["lam"], table[0]["lr"]]


@pytest.mark.ngspice
def test_search_with_topology_auto_shares_its_trials_and_each_candidate_takes_its_best(small_classes):
    config = FitConfig(topology="auto", mode="ideal", epochs=40, task="classify", classes=[0, 1, 2], **SMALL)
    best, table = search(small_classes, config, trials=4, executor=HereExecutor())
    assert sorted(row["topology"] for row in table) == ["diode", "passive", "passive", "precision"]
    assert best.topology == table[0]["topology"]
    configs, excluded = candidate_configs(config, table)
    result = TopologyChoice(configs, excluded, lambda candidate: FitRun(small_classes, candidate)).run()
    choice = result.report["topology_choice"]
    # a candidate's final fit repeats its best trial, so the choice is the search's best
    assert choice["chosen"] == table[0]["topology"] == result.circuit.topology
    assert choice["figure"] == "val_cross_entropy_surrogate"
    assert result.report["val_cross_entropy_surrogate"] == pytest.approx(table[0]["validation_score"], rel=1e-9)
    assert all(0 <= row["test_accuracy_spice"] <= 1 and row["static_power_mean_w"] > 0 for row in choice["candidates"])


@pytest.mark.ngspice
def test_classifier_estimator_topology_auto(small_classes):
    model = CircuitClassifier(topology="auto", hidden=4, mode="ideal", epochs=40, seed=1)
    model.fit(small_classes.x_train, small_classes.y_train[:, 0].astype(int))
    rows = model.report_["topology_choice"]["candidates"]
    assert model.report_["topology_choice"]["chosen"] == min(rows, key=lambda row: row["validation_score"])["topology"]
    assert all("val_accuracy_spice" in row and "test_accuracy_spice" not in row for row in rows)


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_fit_search_on_a_classifier_finishes_and_fits_the_best_trial(tmp_path):
    dataset = load_dataset("digits")
    keep = np.flatnonzero(dataset.labels < 3)[:150]
    np.savez(tmp_path / "digits.npz", images=(dataset.x[keep] * 255).round().astype(np.uint8).reshape(-1, 8, 8),
             labels=dataset.labels[keep])
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--images", str(tmp_path / "digits.npz"),
                           "--search", "--hidden", "4", "--mode", "ideal", "--epochs", "40", "--out", str(out),
                           "--json"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    table = report["search"]
    assert len(table) == 8 and [row["validation_score"] for row in table] == sorted(
        row["validation_score"] for row in table)
    assert all(row["validation_score"] == row["val_cross_entropy_surrogate"] for row in table)
    settings = report["hyperparameters"]
    assert [settings["hidden"], settings["lam"], settings["lr"]] == [table[0][k] for k in ("hidden", "lam", "lr")]
    # the fit with the best trial's settings is that trial again: the same validation figure
    assert report["val_cross_entropy_surrogate"] == pytest.approx(table[0]["validation_score"], rel=1e-9)


@pytest.mark.ngspice
def test_ctrl_c_during_a_topology_choice_keeps_the_best_so_far_and_says_to_run_again(tmp_path, monkeypatch, capsys):
    from conftest import StopAfter

    from circuitnet.interface import cli
    out = tmp_path / "auto"
    monkeypatch.setattr(cli, "_ProgressBar", lambda: StopAfter("surrogate training", 3))
    argv = ["fit", "--target", "abs", "--topology", "auto", "--hidden", "3", "--points", "30", "--epochs", "20",
            "--out", str(out)]
    assert cli.main(argv) == 130
    stderr = capsys.readouterr().err
    assert "run the same command again to compare every candidate" in stderr and "--resume" not in stderr
    report = json.loads((out / "report.json").read_text())
    choice = report["topology_choice"]
    # the first candidate was stopped after 3 epochs: it is the only one, kept with its best epoch
    assert [row["topology"] for row in choice["candidates"]] == ["passive"] and choice["candidates"][0]["interrupted"]
    assert choice["untried"] == ["diode", "precision"] and report["interrupted"]
    assert load_model(out / "model.json").topology == "passive"
