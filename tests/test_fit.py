"""Training: splits, determinism, resuming, each mode lowering the loss, bad data files,
the report recomputed from model.json and the data, the CLI and the estimator."""

import csv
import json
import subprocess
import sys

import matplotlib.image as mpimg
import numpy as np
import pytest
from conftest import StopAfter, reference_forward

from circuitnet import CircuitnetError, CircuitRegressor, DataFileError, NotFittedError, load_model, read_back
from circuitnet.formats import modelfile
from circuitnet.interface.fit_outputs import write_outputs
from circuitnet.model.board import Board
from circuitnet.training.config import FitConfig
from circuitnet.training.data import fractions_split, read_dataset_csv, target_split
from circuitnet.training.eseries import SERIES, series_values
from circuitnet.training.measure import measure
from circuitnet.training.progress import Progress
from circuitnet.training.run import FitRun, fit
from circuitnet.training.run_folder import read_data_csv

SMALL = dict(hidden=[4], pretrain_epochs=150, seed=3)


@pytest.fixture(scope="module")
def small_split():
    return target_split("abs", 40, seed=5)


def rows(x):
    return {tuple(row) for row in np.round(x, 12)}


def test_splits_are_disjoint_and_seeded():
    split = target_split("sine", 200, seed=1)
    train, val, test = rows(split.x_train), rows(split.x_val), rows(split.x_test)
    assert len(train) == 200 and len(val) == 100 and len(test) == 100
    assert not (train & val) and not (train & test) and not (val & test)
    again = target_split("sine", 200, seed=1)
    np.testing.assert_array_equal(split.x_test, again.x_test)
    other = fractions_split(np.arange(50.0)[:, None], np.arange(50.0)[:, None], seed=2)
    parts = [rows(p) for p in (other.x_train, other.x_val, other.x_test)]
    assert sum(len(p) for p in parts) == 50 and not (parts[0] & parts[1]) and not (parts[1] & parts[2])


@pytest.mark.ngspice
def test_same_seed_gives_the_same_model(small_split, spice):
    config = FitConfig(topology="diode", mode="surrogate", epochs=20, **SMALL)
    first = fit(small_split, config, spice=spice)
    second = fit(small_split, FitConfig(topology="diode", mode="surrogate", epochs=20, **SMALL), spice=spice)
    assert modelfile.dumps(first.circuit) == modelfile.dumps(second.circuit)


@pytest.mark.ngspice
@pytest.mark.parametrize("stage", ["ideal network", "surrogate training"])
def test_resumed_run_ends_where_an_uninterrupted_one_does(small_split, spice, tmp_path, stage):
    config = dict(topology="diode", mode="surrogate", epochs=25, **SMALL)
    description = {"target": "abs"}
    whole = FitRun.start(small_split, FitConfig(**config), tmp_path / "whole", description, spice=spice).run()
    stopped = FitRun.start(small_split, FitConfig(**config), tmp_path / "parts", description, spice=spice,
                           progress=StopAfter(stage, 10)).run()
    assert stopped.interrupted
    resumed = FitRun.resume(tmp_path / "parts", spice=spice).run()
    assert not resumed.interrupted
    assert modelfile.dumps(resumed.circuit) == modelfile.dumps(whole.circuit)
    assert resumed.history["circuit"]["val"] == whole.history["circuit"]["val"]
    assert resumed.report["stopped"] == whole.report["stopped"]


@pytest.mark.ngspice
def test_ctrl_c_in_circuit_training_keeps_the_pruned_list(small_split, spice, monkeypatch):
    """What realisation pruned is reported even when Ctrl-C lands in the circuit stage."""
    from circuitnet.training import fit_stages as run_module
    real = run_module.realise_pruned

    def pruning_one(*args, **kwargs):
        circuit, pruned = real(*args, **kwargs)
        return circuit, pruned + ["layers[0].weights[0][0] = 0.001"]

    monkeypatch.setattr(run_module, "realise_pruned", pruning_one)
    config = FitConfig(topology="diode", mode="surrogate", epochs=25, **SMALL)
    stopped = fit(small_split, config, spice=spice, progress=StopAfter("surrogate training", 5))
    assert stopped.interrupted and stopped.report["epochs_run"]["circuit"] == 5
    assert stopped.report["pruned"][-1] == "layers[0].weights[0][0] = 0.001"


@pytest.mark.ngspice
def test_cli_records_the_command_it_was_given(tmp_path):
    """The netlist's header names the command as typed, also through main(argv) and with --debug."""
    from circuitnet.interface.cli import main
    out = tmp_path / "run"
    argv = ["--debug", "fit", "--target", "abs", "--hidden", "3", "--points", "30", "--epochs", "5", "--mode",
            "ideal", "--out", str(out)]
    assert main(argv) == 0
    header = [line for line in (out / "circuit.cir").read_text().splitlines() if line.startswith("* made by:")]
    assert header == [f"* made by: circuitnet --debug fit --target abs --hidden 3 --points 30 --epochs 5 --mode "
                      f"ideal --out {out}"]


@pytest.mark.ngspice
@pytest.mark.parametrize("mode", ["ideal", "surrogate", "spice-loop"])
def test_each_mode_lowers_the_loss(small_split, spice, mode):
    board = {"tolerance": 0.05, "seed": 1, "temperature_c": 40.0} if mode == "spice-loop" else None
    result = fit(small_split, FitConfig(topology="diode", mode=mode, epochs=30 if mode != "ideal" else 150,
                                        board=board, **SMALL), spice=spice)
    curve = result.history["circuit" if mode != "ideal" else "ideal"]["val"]
    assert min(curve) < 0.9 * curve[0]
    # the reported test RMSE is the built board's, and better than predicting the mean
    built = Board(**board).apply(result.circuit) if board else result.circuit
    simulated = spice.simulate(built, small_split.x_test, Board(**board).temperature_c if board else 27.0).y
    test_rmse = np.sqrt(np.mean((simulated - small_split.y_test) ** 2))
    assert result.report["test_rmse_spice"] == pytest.approx(test_rmse, rel=1e-9)
    assert test_rmse < np.sqrt(np.mean((small_split.y_test - small_split.y_train.mean()) ** 2))


@pytest.mark.ngspice
def test_report_equals_a_recomputation(tmp_path, spice, small_split):
    config = FitConfig(topology="precision", mode="surrogate", epochs=10, board={"tolerance": 0.02, "seed": 4},
                       **SMALL)
    result = fit(small_split, config, spice=spice)
    write_outputs(tmp_path, result, small_split, spice)
    report = json.loads((tmp_path / "report.json").read_text())
    circuit = load_model(tmp_path / "model.json")
    split = read_data_csv(tmp_path / "data.csv")
    recomputed = measure(circuit, split, Board(**report["hyperparameters"]["board"]), spice)
    for key, value in recomputed.items():
        assert report[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    for name in ("circuit.cir", "fit.png", "loss.png", "bom.csv"):
        assert (tmp_path / name).stat().st_size > 0


@pytest.mark.ngspice
def test_e_series_snapping_gives_buyable_values(small_split, spice):
    result = fit(small_split, FitConfig(topology="diode", mode="surrogate", epochs=12, e_series="E24", **SMALL),
                 spice=spice)
    allowed = series_values("E24", *result.circuit.resistor_range)
    for stage in result.circuit.stages:
        for array in stage.resistor_arrays().values():
            finite = array[np.isfinite(array)]
            assert np.all(np.min(np.abs(finite[:, None] / allowed[None, :] - 1), axis=1) < 1e-9)
    assert len(SERIES["E96"]) == 96 and SERIES["E96"][:4] == [1.0, 1.02, 1.05, 1.07]
    # "before" is the same run's circuit before snapping: the run without E-series ends there
    unsnapped = fit(small_split, FitConfig(topology="diode", mode="surrogate", epochs=12, **SMALL), spice=spice)
    assert result.report["e_series"]["test_rmse_spice_before"] == pytest.approx(
        unsnapped.report["test_rmse_spice"], rel=1e-12)


@pytest.mark.parametrize("content, message", [
    ("x,y\n0.1,0.2\n0.3,0.4\n0.5,0.6\n", None),
    ("x,y\n", "header but no data rows"),
    ("", "has no rows"),
    ("x,y\n0.1,0.2\n", "need at least 3"),
    ("x,y\n0.1,0.2\n0.3,nan\n0.5,0.6\n", "line 3, y: 'nan' is not a finite number"),
    ("x,y\n0.1,0.2\n0.3,abc\n0.5,0.6\n", "line 3, y: 'abc' is not a finite number"),
    ("x,y\n0.1,0.2\n0.3\n0.5,0.6\n", "line 3 has 1 column"),
    ("a,x,y\n0.5,0.1,0.2\n0.5,0.3,0.4\n0.5,0.5,0.6\n", "input a is 0.5 in every row; .* --x-columns"),
])
def test_bad_csv_files_get_named_errors(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    if message is None:
        x, y = read_dataset_csv(path)
        assert x.shape == (3, 1) and y.shape == (3, 1)
        return
    with pytest.raises(DataFileError, match=message):
        read_dataset_csv(path)


def test_csv_columns_by_name_and_position(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("a,b,target\n1,2,3\n4,5,6\n7,8,9\n")
    x, y = read_dataset_csv(path, ["b"], "target")
    assert x[:, 0].tolist() == [2, 5, 8] and y[:, 0].tolist() == [3, 6, 9]
    x, y = read_dataset_csv(path, ["1", "2"], "3")
    assert x.shape == (3, 2)
    with pytest.raises(DataFileError, match="no column 'missing'"):
        read_dataset_csv(path, ["missing"], "target")


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_fit_writes_everything(tmp_path, spice):
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "tanh", "--topology", "passive",
                           "--hidden", "4", "--points", "40", "--epochs", "10", "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert json.loads((out / "report.json").read_text()) == report
    assert report["ngspice"]["solver"] in ("KLU", "Sparse") and report["ngspice"]["version"] != "unknown"
    # model.json and data.csv reproduce every figure of the report
    circuit, split = load_model(out / "model.json"), read_data_csv(out / "data.csv")
    for key, value in measure(circuit, split, Board(), spice).items():
        assert report[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
    # the bill of materials lists every resistor of the circuit's arrays and inverters
    with open(out / "bom.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert sum(row["kind"] == "resistor" for row in rows) == circuit.resistor_count()
    for name in ("fit.png", "loss.png"):
        height, width, _ = mpimg.imread(out / name).shape
        assert height >= 300 and width >= 500, name
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "nope", "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown target 'nope'" in done.stderr


@pytest.mark.ngspice
def test_estimator(tmp_path):
    x = np.linspace(-1, 1, 60)[:, None]
    model = CircuitRegressor(topology="diode", hidden=4, epochs=15, seed=1)
    with pytest.raises(NotFittedError, match="this CircuitRegressor is not fitted yet; call fit"):
        model.predict(x)
    assert model.set_params(hidden=5).get_params()["hidden"] == 5
    model.fit(x, np.abs(x[:, 0]))
    assert model.predict(x).shape == (60,) and model.n_features_in_ == 1
    assert model.score(x, np.abs(x[:, 0])) > 0.5
    assert model.network_.hidden_sizes == (5,)
    # the held-out rows are validation rows, and the report names them so
    assert not any(key.startswith("test_") for key in model.report_)
    held_out = np.random.default_rng(1).permutation(60)[:12]
    assert model.report_["val_rmse"] == pytest.approx(
        np.sqrt(np.mean((model.predict(x[held_out]) - np.abs(x[held_out, 0])) ** 2)), rel=1e-9)
    assert set(model.report_) >= {"val_rmse", "val_rmse_ideal", "val_rmse_surrogate", "train_rmse"}


@pytest.mark.ngspice
@pytest.mark.slow
def test_search_reports_every_trial(small_split, spice):
    from dataclasses import replace

    from circuitnet.training.search import search
    config = FitConfig(topology="diode", mode="ideal", epochs=60, **SMALL)
    best, table = search(small_split, config, trials=3, workers=2)
    assert len({(tuple(row["hidden"]), row["lam"], row["lr"]) for row in table}) == 3
    # the best and the worst rows are what a fit with their settings gives here (the trials ran
    # in other processes), and the best is chosen
    for row in (table[0], table[-1]):
        again = fit(small_split, replace(config, hidden=row["hidden"], lam=row["lam"], lr=row["lr"]), spice=spice)
        assert again.report["val_rmse"] == pytest.approx(row["val_rmse"], rel=1e-9)
    assert table[0]["val_rmse"] <= table[1]["val_rmse"] <= table[2]["val_rmse"]
    assert [best.hidden, best.lam, best.lr] == [table[0]["hidden"], table[0]["lam"], table[0]["lr"]]


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_resume_reads_its_own_folder(tmp_path):
    out = tmp_path / "run"
    base = [sys.executable, "-m", "circuitnet", "fit"]
    first = subprocess.run(base + ["--target", "abs", "--hidden", "3", "--points", "30", "--epochs", "5",
                                   "--out", str(out), "--json"], capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    again = subprocess.run(base + ["--resume", str(out), "--json"], capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    before, after = json.loads(first.stdout), json.loads(again.stdout)
    assert after["test_rmse_spice"] == before["test_rmse_spice"]
    assert after["hyperparameters"] == before["hyperparameters"]
    missing = subprocess.run(base + ["--resume", str(tmp_path / "nowhere")], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2 and "nowhere" in missing.stderr


@pytest.mark.ngspice
@pytest.mark.parametrize("second", ["ctrl-c", "simulation failure"])
def test_a_fit_stopped_twice_keeps_its_model_and_resumes(tmp_path, monkeypatch, capsys, second):
    """Ctrl-C in training, then a second Ctrl-C (or a failed simulation) while measuring: the
    best model so far is written, the message says how to resume, and --resume finishes."""
    from circuitnet import SimulationError
    from circuitnet.interface import cli
    from circuitnet.training import task as run_module
    out = tmp_path / "run"
    monkeypatch.setattr(cli, "_ProgressBar", lambda: StopAfter("surrogate training", 3))
    real_measure = run_module.measure

    def measure_stopped(*args, **kwargs):
        raise KeyboardInterrupt if second == "ctrl-c" else SimulationError("ngspice: the worker crashed")

    monkeypatch.setattr(run_module, "measure", measure_stopped)
    argv = ["fit", "--target", "abs", "--hidden", "3", "--points", "30", "--epochs", "20", "--out", str(out)]
    assert cli.main(argv) == (130 if second == "ctrl-c" else 1)
    stderr = capsys.readouterr().err
    assert f"kept the best model so far in {out / 'model.json'}" in stderr
    assert f"continue with: circuitnet fit --resume {out}" in stderr and "Traceback" not in stderr
    assert load_model(out / "model.json").hidden_sizes == (3,)
    monkeypatch.setattr(run_module, "measure", real_measure)
    monkeypatch.setattr(cli, "_ProgressBar", Progress)
    assert cli.main(["fit", "--resume", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["epochs_run"]["circuit"] == 20 and not report["interrupted"]


@pytest.mark.ngspice
def test_each_stage_ends_when_validation_stops_improving_and_says_why(small_split, spice):
    patient = fit(small_split, FitConfig(topology="diode", mode="surrogate", epochs=400, patience=3, **SMALL),
                  spice=spice).report
    history = patient["epochs_run"]
    assert history["circuit"] < 400 and patient["stopped"]["circuit"].startswith("no better validation loss for 3 "
                                                                                  "epochs (best at epoch ")
    best = int(patient["stopped"]["circuit"].split("best at epoch ")[1].split(" ")[0])
    assert best == history["circuit"] - 3
    capped = fit(small_split, FitConfig(topology="diode", mode="surrogate", epochs=5, patience=100, **SMALL),
                 spice=spice).report
    assert capped["stopped"]["circuit"].startswith("reached its limit of 5 epochs")
    assert capped["stopped"]["ideal"].startswith(("reached its limit of 150 epochs", "no better validation loss"))


class InterruptedExecutor:
    """Runs tasks here, one at a time, and presses Ctrl-C on the call numbered ``stop_at``."""

    workers = 1

    def __init__(self, stop_at=None):
        self.stop_at, self.calls = stop_at, 0

    def map(self, function, items):
        self.calls += 1
        if self.calls == self.stop_at:
            raise KeyboardInterrupt
        return [function(item) for item in items]


@pytest.mark.ngspice
@pytest.mark.slow
def test_an_interrupted_search_resumes_where_it_stopped(small_split, tmp_path, capsys):
    from circuitnet.interface.cli import main
    from circuitnet.training import run_folder
    from circuitnet.training.search import search
    config = FitConfig(topology="diode", mode="ideal", epochs=60, **SMALL)
    without_seconds = lambda table: [{k: v for k, v in row.items() if k != "seconds"} for row in table]  # noqa: E731
    _, whole = search(small_split, config, trials=3, executor=InterruptedExecutor())
    with pytest.raises(KeyboardInterrupt):
        search(small_split, config, trials=3, executor=InterruptedExecutor(stop_at=3), folder=tmp_path)
    assert len(run_folder.read_search(tmp_path)["done"]) == 2  # two rounds finished before Ctrl-C
    finishing = InterruptedExecutor()
    best, resumed = search(small_split, config, trials=3, executor=finishing, folder=tmp_path)
    assert finishing.calls == 1 and without_seconds(resumed) == without_seconds(whole)
    # through the CLI: a folder with its data and an unfinished search resumes the search, then fits
    out = tmp_path / "cli"
    run_folder.write_data(out, small_split, {"target": "abs"})
    with pytest.raises(KeyboardInterrupt):
        search(small_split, config, trials=2, executor=InterruptedExecutor(stop_at=2), folder=out)
    assert main(["fit", "--resume", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["search"]) == 2 and report["hyperparameters"]["hidden"] == report["search"][0]["hidden"]


@pytest.mark.ngspice
def test_volts_per_unit_sets_the_circuits_signal_size(small_split, spice):
    result = fit(small_split, FitConfig(topology="diode", mode="ideal", epochs=50, volts_per_unit=2.0, **SMALL),
                 spice=spice)
    assert result.circuit.volts_per_unit == 2.0 and result.report["hyperparameters"]["volts_per_unit"] == 2.0
    # the output node's voltage, as ngspice reports it, is twice the realised network's output,
    # computed independently (loop by loop, in plain Python, from the circuit's resistors)
    x = small_split.x_test
    volts = spice.simulate(result.circuit, x).y_volts
    network = reference_forward(read_back(result.circuit), x)
    assert np.max(np.abs(volts - 2.0 * network)) < 0.05  # the diodes' soft knees, in volts (0.026 measured)
    gain = np.sum(volts * network) / np.sum(network * network)  # least squares: volts per unit seen
    assert gain == pytest.approx(2.0, abs=0.05)
    with pytest.raises(CircuitnetError, match="volts_per_unit = 0.0001"):
        FitConfig(volts_per_unit=1e-4)
