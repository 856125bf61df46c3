"""The in-process ngspice backend: honest errors, isolation, replaceable workers, and
results equal to stock `ngspice -b` and to per-point operating points."""

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from circuitnet import TOPOLOGIES, SimulationError, Sweep, load_model, netlist_text
from circuitnet.backends.spice.backend import samples_netlist
from circuitnet.backends.spice.batch import run_batch
from circuitnet.backends.spice.messages import failure_lines
from circuitnet.backends.spice.workers import Worker
from circuitnet.model import nodes

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
MODELS = sorted(p.stem for p in NETLISTS.glob("*.json"))


BROKEN = {
    "floating node": ("* floating\nV1 a 0 1\nR1 a 0 1k\nR2 c d 1k\nC1 d 0 1n\n.op\n.end\n", "singular matrix"),
    "singular matrix": ("* loop of sources\nV1 a 0 1\nV2 a 0 2\nR1 a 0 1k\n.op\n.end\n", "singular matrix"),
    "no convergence": ("* no dc solution\nV1 a 0 1\nR1 a b 1k\nD1 b 0 dm\nD2 0 b dm\n"
                       "B1 b 0 I = v(b) > 0.3 ? 1 : -1\n.model dm D(IS=1e-14)\n.op\n.end\n", "DC solution failed"),
    "malformed element": ("* malformed\nV1 a 0 1\nR1 a 0 1k\nQ7 x y\n.op\n.end\n", "q7 x y"),
}


@pytest.mark.ngspice
@pytest.mark.parametrize("case", list(BROKEN))
def test_failures_raise_with_ngspice_words(spice_pool, case):
    netlist, words = BROKEN[case]
    with pytest.raises(SimulationError, match="(?i)" + words):
        spice_pool.run(netlist)
    assert spice_pool.run("* fine\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n")["a"][0] == 1.0  # and the next call works


def test_benign_notes_are_not_failures():
    notes = ["Note: Starting dynamic gmin stepping", "Trying gmin =   1.0000E-03 Note: One successful gmin step",
             "Warning: Dynamic gmin stepping failed", "Supplies reduced to   0.1000%",
             "Using SPARSE 1.3 as Direct Linear Solver", "Note: No compatibility mode selected!"]
    assert failure_lines("\n".join(notes)) == []
    assert failure_lines("doAnalyses: iteration limit reached\nrun simulation(s) aborted") == [
        "doAnalyses: iteration limit reached", "run simulation(s) aborted"]


@pytest.mark.ngspice
def test_spiceinit_in_working_folder_and_home_is_not_executed(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    for folder in (tmp_path / "cwd", tmp_path / "home"):
        folder.mkdir()
        (folder / ".spiceinit").write_text(f"* hostile\nshell touch {marker}\n")
    monkeypatch.chdir(tmp_path / "cwd")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    worker = Worker(timeout_s=60)
    try:
        assert worker.run("* fine\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n")["a"][0] == 1.0
    finally:
        worker.stop()
    time.sleep(0.2)
    assert not marker.exists()


# a transient long enough that ngspice is still busy when a test kills or times out its worker
SLOW = "* slow\nV1 a 0 SIN(0 1 1k)\nR1 a b 1k\nC1 b 0 1u\nD1 b 0 dm\n.model dm D(IS=1e-14)\n.tran 1n {stop}\n.end\n"


@pytest.mark.ngspice
def test_worker_killed_mid_run_is_replaced():
    worker = Worker(timeout_s=60)
    slow = SLOW.format(stop="20m")
    try:
        worker.run("* start\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n")
        pid = worker.pid
        errors = []
        thread = threading.Thread(target=lambda: errors.append(pytest.raises(SimulationError, worker.run, slow)))
        thread.start()
        time.sleep(0.5)
        os.kill(pid, 9)
        thread.join(timeout=30)
        assert errors and "crashed" in str(errors[0].value)
        assert worker.run("* next\nV1 a 0 2\nR1 a 0 1k\n.op\n.end\n")["a"][0] == 2.0
        assert worker.pid != pid
    finally:
        worker.stop()


@pytest.mark.ngspice
@pytest.mark.slow
def test_hung_worker_times_out_and_is_replaced():
    worker = Worker(timeout_s=1.0)
    slow = SLOW.format(stop="200m")
    try:
        with pytest.raises(SimulationError, match="did not finish within 1 s"):
            worker.run(slow)
        worker.timeout_s = 60
        assert worker.run("* next\nV1 a 0 3\nR1 a 0 1k\n.op\n.end\n")["a"][0] == 3.0
    finally:
        worker.stop()


@pytest.mark.ngspice
@pytest.mark.parametrize("name", MODELS)
def test_in_process_equals_stock_ngspice(spice, name):
    circuit = load_model(NETLISTS / f"{name}.json")
    sweep = Sweep(-1.0, 1.0, 201)
    reference = run_batch(netlist_text(circuit, sweep=sweep, data_file="r.dat"), "r.dat")
    result = spice.sweep(circuit, sweep)
    stock = np.column_stack([reference[f"v({nodes.output_node(k, circuit.n_outputs)})"]
                             for k in range(circuit.n_outputs)])
    assert np.max(np.abs(result.y_volts - stock)) <= 1e-6
    x = np.zeros((sweep.n, circuit.n_inputs))
    x[:, 0] = sweep.values()
    samples = spice.simulate(circuit, x)
    assert np.max(np.abs(samples.y_volts - stock)) <= 1e-6
    assert set(result.nodes) == set(samples.nodes) and all(len(v) == 201 for v in result.nodes.values())


@pytest.mark.ngspice
def test_sample_sets_equal_per_point_operating_points(spice, rng):
    circuit = load_model(NETLISTS / "two_input_diode.json")
    x = rng.uniform(-1, 1, (12, 2))
    result = spice.simulate(circuit, x)
    for row, y in zip(x, result.y_volts[:, 0]):
        op = run_batch(netlist_text(circuit, inputs=row, data_file="op.dat"), "op.dat")
        assert abs(op["v(y)"][0] - y) <= 1e-6


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_random_sample_sets_converge_in_every_topology(spice, rng, topology):
    from conftest import random_network

    from circuitnet import realise
    circuit = realise(random_network(rng, 2, [16], 1, zero_fraction=0.0), topology)
    x = rng.uniform(-1, 1, (500, 2))
    result = spice.simulate(circuit, x)
    assert result.y.shape == (500, 1) and np.all(np.isfinite(result.y))


@pytest.mark.ngspice
def test_temperature_changes_the_diode(spice):
    circuit = load_model(NETLISTS / "elbow_diode.json")
    cold, hot = (spice.sweep(circuit, Sweep(0.5, 1.0, 3), temperature_c=t) for t in (0.0, 70.0))
    # a warmer junction drops less voltage at the same current: the output rises
    assert np.all(hot.y > cold.y + 1e-3)


@pytest.mark.ngspice
def test_single_sample_and_bad_inputs(spice):
    from circuitnet import InputShapeError
    circuit = load_model(NETLISTS / "two_input_diode.json")
    assert spice.simulate(circuit, [[0.2, 0.1]]).y.shape == (1, 1)
    with pytest.raises(InputShapeError):
        spice.simulate(circuit, [[0.2, 0.1, 0.3]])


@pytest.mark.ngspice
def test_sample_netlist_in_stock_ngspice_equals_in_process(spice, rng):
    """The sample-set netlist is plain SPICE: stock ngspice -b gives the outputs the worker does."""
    circuit = load_model(NETLISTS / "two_input_diode.json")
    x = rng.uniform(-1, 1, (7, 2))
    text = samples_netlist(circuit, x)
    body, end = text.rsplit(".end", 1)
    assert end.strip() == ""
    control = ".control\nset wr_singlescale\nset wr_vecnames\nset numdgt=15\nrun\nwrdata samples.dat v(y)\nquit 0\n.endc\n"
    stock = run_batch(body + control + ".end\n", "samples.dat")
    np.testing.assert_allclose(stock["v(y)"], spice.simulate(circuit, x).y_volts[:, 0], rtol=0, atol=1e-9)


@pytest.mark.ngspice
def test_worker_recycles_after_max_runs():
    worker = Worker(timeout_s=60, max_runs=3)
    netlist = "* fine\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n"
    try:
        pids = []
        for _ in range(7):
            worker.run(netlist)
            pids.append(worker.pid)
        assert pids[0] == pids[2] != pids[3] == pids[5] != pids[6]
    finally:
        worker.stop()
