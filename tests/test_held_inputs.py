"""A multi-input model's sweep holds its other inputs at the middle of their training range
(not at 0, which can lie far outside it), the same in compare and in export's netlist, and
compare.json and the report name the held values."""

import json
import subprocess
import sys

import numpy as np
import pytest

from circuitnet.model.data_record import DataRecord
from circuitnet.model.sweep import Sweep, default_sweep


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600,
                          cwd=cwd)


def test_the_other_inputs_are_held_at_the_middle_of_their_range():
    from circuitnet.model.sweep import held_inputs, sweep_for
    record = DataRecord(("t", "load", "z"), ("y",), [-10.0, 10.0, -4.0], [30.0, 20.0, -2.0])
    sweep = default_sweep(record, 5)
    assert (sweep.start, sweep.stop, sweep.held) == (-10.0, 30.0, (15.0, -3.0))
    x = sweep.inputs(3)
    np.testing.assert_array_equal(x[:, 0], [-10.0, 0.0, 10.0, 20.0, 30.0])
    np.testing.assert_array_equal(x[:, 1:], [[15.0, -3.0]] * 5)
    # a --x sweep given by the user holds them there too; without a record, at 0
    assert sweep_for(record, Sweep(0.0, 1.0, 3)).held == (15.0, -3.0)
    assert held_inputs(None) == () and not Sweep(0.0, 1.0, 3).inputs(2)[:, 1].any()


@pytest.fixture(scope="module")
def reg3(tmp_path_factory):
    """A fit folder of a two-input regressor whose second input (load_kW) spans 10..20."""
    folder = tmp_path_factory.mktemp("reg3")
    rng = np.random.default_rng(1)
    t, load = rng.uniform(-10, 30, 80), rng.uniform(10, 20, 80)
    rows = [f"{a:.17g},{b:.17g},{0.05 * a + 0.3 * b:.17g}" for a, b in zip(t, load, strict=True)]
    (folder / "reg3.csv").write_text("Outside Temp (C),load_kW,power\n" + "\n".join(rows) + "\n")
    done = run_cli("fit", "--data", str(folder / "reg3.csv"), "--hidden", "4", "--epochs", "50", "--mode", "ideal",
                   "--out", str(folder / "r3"))
    assert done.returncode == 0, done.stderr
    return folder


@pytest.mark.ngspice
def test_compare_records_the_held_inputs_and_export_holds_the_same(reg3, tmp_path):
    from circuitnet import load_model
    from circuitnet.backends.spice.backend import SpiceBackend
    from circuitnet.model.sweep import sweep_for
    model = reg3 / "r3" / "model.json"
    circuit = load_model(model)
    middle = float((circuit.data_record.input_low[1] + circuit.data_record.input_high[1]) / 2)
    assert 10 < middle < 20
    done = run_cli("compare", str(model), "--temps", "27", "--montecarlo", "2", "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    numbers = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert numbers["held_inputs"] == {"load_kW": middle}
    assert f"other inputs held at load_kW = {middle:.4g}" in (tmp_path / "c" / "report.html").read_text()
    assert f"other inputs held at load_kW = {middle:.4g}" in done.stdout
    # export's netlist, run by stock ngspice, holds load_kW there too and gives compare's curve
    done = run_cli("export", str(model), "-o", str(tmp_path / "r3.cir"))
    assert done.returncode == 0, done.stderr
    ran = subprocess.run(["ngspice", "-b", "-n", "r3.cir"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    table = np.loadtxt(tmp_path / "r3.dat", skiprows=1)
    header = (tmp_path / "r3.dat").read_text().split("\n")[0].split()
    np.testing.assert_allclose(table[:, header.index("x2_units")], middle, rtol=1e-9)
    sweep = sweep_for(circuit.data_record, None)
    expected = SpiceBackend().simulate(circuit, sweep.inputs(2)).y[:, 0]
    np.testing.assert_allclose(table[:, header.index("y_units")], expected, atol=1e-6)


@pytest.mark.ngspice
def test_a_regressors_input_column_is_refused_as_its_target(reg3, tmp_path):
    done = run_cli("compare", str(reg3 / "r3" / "model.json"), "--data", str(reg3 / "reg3.csv"),
                   "--y-column", "load_kW", "--out", str(tmp_path / "c"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--y-column load_kW is one of the model's inputs; name the target column" in done.stderr
    assert not (tmp_path / "c").exists()


@pytest.mark.ngspice
def test_the_fits_own_netlist_holds_the_other_inputs_where_export_does(reg3, tmp_path):
    """fit's circuit.cir used to hold load_kW at 0 data units (far below its 10..20 training
    range, a circuit the model was never fit for) while export held it at the middle."""
    from circuitnet import load_model
    circuit = load_model(reg3 / "r3" / "model.json")
    middle = float((circuit.data_record.input_low[1] + circuit.data_record.input_high[1]) / 2)
    netlist = (reg3 / "r3" / "circuit.cir").read_text()
    (tmp_path / "circuit.cir").write_text(netlist)
    ran = subprocess.run(["ngspice", "-b", "-n", "circuit.cir"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=120)
    assert ran.returncode == 0, ran.stderr
    header = (tmp_path / "circuit.dat").read_text().split("\n")[0].split()
    table = np.loadtxt(tmp_path / "circuit.dat", skiprows=1)
    np.testing.assert_allclose(table[:, header.index("x2_units")], middle, rtol=1e-9)


@pytest.mark.ngspice
def test_export_op_holds_every_input_at_the_middle_of_its_training_range(rng, tmp_path):
    """export --op put every input at 0 data units: for a column like load (10..20) that is a
    circuit the model was never fit for. It holds them where the sweeps do, and says so."""
    from dataclasses import replace

    from conftest import random_network

    from circuitnet import realise, save_model
    from circuitnet.backends.spice.backend import SpiceBackend
    record = DataRecord(("temp", "load"), ("power",), np.array([-10.0, 10.0]), np.array([30.0, 20.0]))
    circuit = replace(realise(random_network(rng, 2, [3], 1), "diode"), data_record=record)
    save_model(circuit, tmp_path / "m.json")
    done = run_cli("export", str(tmp_path / "m.json"), "-o", str(tmp_path / "op.cir"), "--op")
    # unscaled inputs up to 30 data units are 30 V at 1 V per unit: export warns (exit 1), and writes it
    assert done.returncode == 1 and "leave their safe operating area over the model's input range" in done.stderr
    netlist = " ".join(line.lstrip("* ") for line in (tmp_path / "op.cir").read_text().splitlines())  # unwrapped
    assert "inputs at [10, 15] data units (the middle of each input's training range)" in netlist
    ran = subprocess.run(["ngspice", "-b", "-n", "op.cir"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    header = (tmp_path / "op.dat").read_text().split("\n")[0].split()
    row = np.loadtxt(tmp_path / "op.dat", skiprows=1, ndmin=2)[0]
    assert (row[header.index("x1_units")], row[header.index("x2_units")]) == pytest.approx((10.0, 15.0))
    expected = SpiceBackend().simulate(circuit, np.array([[10.0, 15.0]])).y[0, 0]
    assert row[header.index("y_units")] == pytest.approx(expected, abs=1e-6)


@pytest.mark.ngspice
def test_compare_on_the_fits_own_training_file_says_it_is_not_held_out(reg3, tmp_path):
    """compare --data on the CSV the model was fit on called every row "held-out data"; most
    of them trained or validated it. The figure says so and how to get a held-out one."""
    from circuitnet.training.run_folder import read_data_csv
    split = read_data_csv(reg3 / "r3" / "data.csv")
    seen = len(split.x_train) + len(split.x_val)
    done = run_cli("compare", str(reg3 / "r3" / "model.json"), "--data", str(reg3 / "reg3.csv"), "--temps", "27",
                   "--out", str(tmp_path / "c"))
    assert done.returncode == 0, done.stderr
    assert f"the fit's own data: {seen} of its 80 rows trained or validated the model" in done.stdout
    assert "held-out data (" not in done.stdout
    assert f"for a held-out figure, give --data {reg3 / 'r3' / 'data.csv'}" in done.stdout
    numbers = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert (numbers["data"]["held_out"], numbers["data"]["fit_rows"]) == (False, seen)
    assert "the fit&#x27;s own data" in (tmp_path / "c" / "report.html").read_text()
