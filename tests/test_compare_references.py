"""compare measures each figure against the right reference: boards and temperatures against
the nominal circuit in ngspice (and a fit's held-out data), the read-back ReLU network only
as a distance; it, export and simulate --x sweep the training data's recorded range; and
regression data is compared as regression."""

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from circuitnet import ReLUNet, Sweep, realise, save_model
from circuitnet.analysis.compare import compare_circuit
from circuitnet.analysis.held_out import HeldOutData
from circuitnet.backends.ideal import IdealBackend
from circuitnet.model.data_record import DataRecord
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.run import fit
from circuitnet.training.run_folder import data_csv
from circuitnet.util.executor import LocalExecutor

pytestmark = pytest.mark.ngspice


def circuitnet(*args, timeout=600):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="module")
def trained(spice):
    """A small diode circuit trained in surrogate mode, as the demo's: it absorbs the knees,
    so it sits well away from the network its resistors encode."""
    split = target_split("sine", 200, seed=3)
    result = fit(split, FitConfig(topology="diode", hidden=[8], mode="surrogate", epochs=150, seed=3), spice=spice)
    return result.circuit, split


def test_perfect_boards_of_a_trained_circuit_all_pass(trained, spice):
    circuit, split = trained
    data = HeldOutData(split.x_test, split.y_test, "the test split")
    readback = compare_circuit(circuit, Sweep(-1.0, 1.0, 101), temperatures=(27.0,), spice=spice,
                               executor=LocalExecutor(2))[0].network.circuit_vs_readback_network.max_abs
    # a threshold the read-back network's distance fails: judged against it, no board would pass
    threshold = 0.5 * readback
    numbers, _ = compare_circuit(circuit, Sweep(-1.0, 1.0, 101), temperatures=(27.0, 70.0), montecarlo=5,
                                 tolerance=0.0, yield_threshold=threshold, executor=LocalExecutor(2), spice=spice,
                                 data=data)
    mc = numbers.montecarlo
    assert mc.yield_fraction == 1.0
    # a perfect board equals the nominal circuit to ngspice's own accuracy (reltol 1e-7): the
    # board's sample set (sweep plus data) is walked in another neighbour order than the
    # nominal sweep's, and each Newton solve stops within that tolerance of the answer
    assert mc.board_vs_nominal_spice_max_abs.worst <= 1e-6
    assert numbers.network.circuit_vs_readback_network.max_abs == readback > threshold
    # against the data, each perfect board is the nominal circuit, whose RMSE is measured here independently
    # (to ngspice's tolerance: a board simulates the sweep and the data as one sample set)
    rmse = float(np.sqrt(np.mean((spice.simulate(circuit, split.x_test).y - split.y_test) ** 2)))
    assert numbers.data.circuit_vs_data_rmse == pytest.approx(rmse, abs=1e-12)
    np.testing.assert_allclose(mc.per_board_vs_data_rmse, rmse, rtol=0, atol=1e-6)
    assert rmse < 0.1 < readback  # the circuit fits its data; the read-back network is no measure of that
    hot = spice.simulate(circuit, split.x_test, temperature_c=70.0).y
    assert numbers.temperatures[1].vs_data_rmse == pytest.approx(
        float(np.sqrt(np.mean((hot - split.y_test) ** 2))), abs=1e-6)
    assert numbers.references["data"] == "the test split"
    assert "nominal circuit" in numbers.references["nominal_spice"]


@pytest.mark.slow
def test_compare_of_a_fit_folder_uses_its_held_out_split_and_names_every_reference(trained, tmp_path, spice):
    circuit, split = trained
    save_model(circuit, tmp_path / "model.json")
    (tmp_path / "data.csv").write_text(data_csv(split))
    done = circuitnet("compare", str(tmp_path / "model.json"), "--montecarlo", "3", "--tolerance", "0", "--temps",
                      "27", "--out", str(tmp_path / "cmp"))
    assert done.returncode == 0, done.stderr
    stored = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert stored["data"]["source"] == f"the test split of {tmp_path / 'data.csv'}"
    assert stored["data"]["samples"] == len(split.x_test)
    assert stored["montecarlo"]["yield"] == 1.0
    assert "judged against the nominal circuit in ngspice" in done.stdout
    assert "distance from the ReLU network its values encode" in done.stdout
    html = (tmp_path / "cmp" / "report.html").read_text()
    assert "Judged against the nominal circuit in ngspice" in html and "Held-out data" in html


@pytest.fixture
def ranged_model(tmp_path):
    """A one-input model that records training inputs from 0 to 5 (small weights keep every
    op-amp inside its rails there)."""
    net = ReLUNet.from_arrays([(np.array([[0.3], [-0.2]]), np.array([-0.3, 0.5])),
                               (np.array([[0.5, 0.4]]), np.array([0.1]))])
    circuit = replace(realise(net, "diode"), data_record=DataRecord(("x",), ("y",), [0.0], [5.0]))
    return save_model(circuit, tmp_path / "ranged.json"), circuit


@pytest.mark.slow
def test_compare_export_and_simulate_sweep_the_recorded_range(ranged_model, tmp_path):
    path, circuit = ranged_model
    done = circuitnet("compare", str(path), "--temps", "27", "--out", str(tmp_path / "cmp"), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["sweep"] == "0:5:201"
    done = circuitnet("export", str(path), "-o", str(tmp_path / "ranged.cir"))
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "ranged.cir").read_text()
    assert "* sweep of x1 from 0 to 5 data units, 201 points" in text
    done = circuitnet("simulate", str(path), "--x", "--backend", "ideal", "--json")
    assert done.returncode == 0, done.stderr
    x = np.array(json.loads(done.stdout)["x"])[:, 0]
    np.testing.assert_array_equal(x, np.linspace(0.0, 5.0, 201))
    # a sweep given is still the sweep used
    done = circuitnet("simulate", str(path), "--x", "1:2:3", "--backend", "ideal", "--json")
    assert json.loads(done.stdout)["x"] == [[1.0], [1.5], [2.0]]


def test_simulate_bare_x_without_a_record_is_refused(tmp_path, ranged_model):
    _, circuit = ranged_model
    path = save_model(replace(circuit, data_record=None), tmp_path / "plain.json")
    done = circuitnet("simulate", str(path), "--x", "--backend", "ideal")
    assert done.returncode == 2
    assert "records no training data range" in done.stderr and "--x START:STOP:N" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_compare_data_on_a_regressor_compares_as_regression(ranged_model, tmp_path, spice):
    path, circuit = ranged_model
    rng = np.random.default_rng(1)
    x = rng.uniform(0.0, 5.0, 300)
    y = 0.1 * x
    rows = "\n".join(f"{float(a)!r},{float(b)!r},{k}" for k, (a, b) in enumerate(zip(y, x)))
    (tmp_path / "samples.csv").write_text("y,x,id\n" + rows + "\n")  # reordered, with an extra column
    done = circuitnet("compare", str(path), "--data", str(tmp_path / "samples.csv"), "--temps", "27",
                      "--out", str(tmp_path / "cmp"), "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["data"]
    assert found["samples"] == 300 and "classes" not in done.stdout
    expected = float(np.sqrt(np.mean((spice.simulate(circuit, x[:, None]).y[:, 0] - y) ** 2)))
    assert found["circuit_vs_data_rmse"] == pytest.approx(expected, abs=1e-12)
    ideal = float(np.sqrt(np.mean((IdealBackend().simulate(circuit, x[:, None]).y[:, 0] - y) ** 2)))
    assert found["readback_network_vs_data_rmse"] == pytest.approx(ideal, abs=1e-12)


def test_class_data_for_a_regressor_is_refused_with_the_reason(ranged_model, tmp_path):
    path, _ = ranged_model
    done = circuitnet("compare", str(path), "--dataset", "digits", "--out", str(tmp_path / "cmp"))
    assert done.returncode == 2
    assert "is a regressor" in done.stderr and "--data FILE.csv" in done.stderr
    assert not (tmp_path / "cmp").exists()
