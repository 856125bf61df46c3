"""circuitnet compare: every file written, every number recomputed independently, Monte
Carlo at zero tolerance equal to the nominal circuit, imported rectifiers, the Dask backend."""

import json
import statistics
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pytest
from conftest import RecordingExecutor

from circuitnet import TOPOLOGIES, Sweep, load_model
from circuitnet.analysis.compare import compare_circuit, compare_netlist
from circuitnet.analysis.montecarlo import monte_carlo_instances
from circuitnet.backends.ideal import IdealBackend
from circuitnet.model import nodes
from circuitnet.interface.report import write_report
from circuitnet.topologies.passive import rectifier_load_conductance
from circuitnet.util.executor import DaskExecutor, LocalExecutor

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
MODELS = sorted(p.stem for p in NETLISTS.glob("*.json"))
SWEEP = Sweep(-1.0, 1.0, 101)

RECTIFIER = """* a plain diode-resistor rectifier
V1 in 0 DC 0
D1 in out D1N4148
R1 out 0 10k
.model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110 IBV=0.0001)
.end
"""


def test_the_compared_models_cover_every_registered_topology():
    """MODELS are the committed model files (make netlists writes them for every topology in
    the registry): a newly registered topology is compared once its files are regenerated."""
    assert {load_model(NETLISTS / f"{name}.json").topology for name in MODELS} == set(TOPOLOGIES)


@pytest.mark.ngspice
@pytest.mark.parametrize("name", [name if name.startswith("elbow_") else pytest.param(name, marks=pytest.mark.slow)
                                  for name in MODELS])  # the one-neuron elbows, one per topology, stay quick
def test_compare_writes_everything_and_its_numbers_recompute(tmp_path, spice, name):
    circuit = load_model(NETLISTS / f"{name}.json")
    numbers, curves = compare_circuit(circuit, SWEEP, temperatures=(0.0, 27.0), montecarlo=12, tolerance=0.02,
                                      seed=4, executor=LocalExecutor(2), spice=spice)
    write_report(tmp_path, numbers, curves, name)
    for file in ("network.png", "neurons.png", "temperatures.png", "montecarlo.png", "power.png"):
        height, width, _ = mpimg.imread(tmp_path / file).shape
        assert height >= 200 and width >= 300, file
    html = (tmp_path / "report.html").read_text()
    assert "data:image/png;base64," in html and "http" not in html.split("<body>")[1]
    stored = json.loads((tmp_path / "compare.json").read_text())
    assert stored["violations"] == []  # the canonical circuits stay in their safe operating area

    x = np.zeros((SWEEP.n, circuit.n_inputs))
    x[:, 0] = SWEEP.values()
    ideal = IdealBackend().simulate(circuit, x)
    nominal = spice.simulate(circuit, x)
    assert stored["network"]["circuit_vs_readback_network"]["max_abs"] == pytest.approx(
        np.max(np.abs(nominal.y - ideal.y)), abs=1e-9)
    for row in stored["neurons"]:
        deviation = nominal.nodes[row["node"]] - ideal.nodes[row["node"]]
        assert row["max_deviation_v"] == pytest.approx(np.max(np.abs(deviation)), abs=1e-9)
    cold = spice.simulate(circuit, x, temperature_c=0.0)
    assert stored["temperatures"][0]["vs_readback_network"]["rms"] == pytest.approx(
        np.sqrt(np.mean((cold.y - ideal.y) ** 2)), abs=1e-9)
    assert stored["temperatures"][0]["vs_nominal_spice"]["rms"] == pytest.approx(
        np.sqrt(np.mean((cold.y - nominal.y) ** 2)), abs=1e-9)
    assert stored["temperatures"][1]["vs_nominal_spice"] == {"max_abs": 0.0, "rms": 0.0}  # 27 C is the nominal run
    # every Monte Carlo board simulated here, one by one, against the nominal circuit, and the
    # summary counted in plain Python
    mc = stored["montecarlo"]
    boards = monte_carlo_instances(circuit, 12, 0.02, 4)
    errors = [float(np.max(np.abs(spice.simulate(board, x).y - nominal.y))) for board in boards]
    np.testing.assert_allclose(mc["per_board_vs_nominal_spice_max_abs"], errors, rtol=0, atol=1e-9)
    assert mc["board_vs_nominal_spice_max_abs"]["median"] == pytest.approx(statistics.median(errors), abs=1e-9)
    assert mc["board_vs_nominal_spice_max_abs"]["worst"] == pytest.approx(max(errors), abs=1e-9)
    assert mc["yield"] == sum(error <= mc["yield_threshold"] for error in errors) / len(errors)
    power = stored["power"]
    assert power["balance_max_w"] <= 1e-9 * max(1.0, power["delivered_total"]["max_w"] * 1e3)
    # each rectifier's load resistor dissipates h^2 / R_load: a lower bound on all resistors
    hidden = circuit.stages[0]
    loads = sum(np.mean(nominal.nodes[nodes.neuron(0, j, "h")] ** 2) / hidden.r_load[j] for j in range(hidden.n_out))
    assert loads <= power["dissipated_resistors"]["mean_w"]
    if circuit.topology == "diode":  # the diode's drop a - h times the current everything at h draws
        conducted = rectifier_load_conductance(circuit, 0)
        diodes = sum(np.mean((nominal.nodes[nodes.neuron(0, j, "a")] - nominal.nodes[nodes.neuron(0, j, "h")])
                             * nominal.nodes[nodes.neuron(0, j, "h")] * conducted[j]) for j in range(hidden.n_out))
        assert power["dissipated_diodes"]["mean_w"] == pytest.approx(diodes, rel=1e-3)


@pytest.mark.ngspice
def test_monte_carlo_at_zero_tolerance_is_the_nominal_circuit_exactly(spice):
    circuit = load_model(NETLISTS / "eight_precision.json")
    numbers, curves = compare_circuit(circuit, SWEEP, temperatures=(27.0,), montecarlo=5, tolerance=0.0, seed=9,
                                      executor=LocalExecutor(2), spice=spice)
    for name in ("low", "high", "median_board"):
        assert np.array_equal(curves["montecarlo"][name], curves["spice"].y[:, 0]), name
    assert numbers.montecarlo.board_vs_nominal_spice_max_abs.worst == 0.0
    assert numbers.montecarlo.yield_fraction == 1.0


@pytest.mark.ngspice
def test_monte_carlo_streams_its_boards_in_bounded_groups(spice, monkeypatch):
    """However many boards, the executor gets at most workers x TASKS_PER_WORKER tasks at a
    time, each of MC_BATCH boards it builds itself, and progress is told as each task ends;
    the figures equal each board simulated alone."""
    from circuitnet.analysis import montecarlo
    monkeypatch.setattr(montecarlo, "MC_BATCH", 2)
    monkeypatch.setattr(montecarlo, "TASKS_PER_WORKER", 4)
    circuit = load_model(NETLISTS / "eight_diode.json")
    x = SWEEP.inputs(1)
    ideal_y = IdealBackend().simulate(circuit, x).y
    executor, seen = RecordingExecutor(1), []
    streamed = montecarlo.monte_carlo(circuit, x, ideal_y, 19, 0.03, 7, 0.1, executor,
                                      progress=lambda done, total: seen.append((done, total)))
    assert executor.calls == [4, 4, 2] and seen == [(done, 19) for done in (*range(2, 19, 2), 19)]
    outputs = np.array([spice.simulate(board, x).y[:, 0] for board in monte_carlo_instances(circuit, 19, 0.03, 7, 0.1)])
    errors = np.max(np.abs(outputs - ideal_y[:, 0]), axis=1)  # eight_diode has one output
    np.testing.assert_allclose(streamed["errors"], errors, rtol=0, atol=1e-12)
    np.testing.assert_allclose(streamed["low"], outputs.min(0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(streamed["high"], outputs.max(0), rtol=0, atol=1e-12)
    assert sorted(errors)[9] == errors[streamed["median_index"]]
    np.testing.assert_allclose(streamed["median_board"], outputs[streamed["median_index"]], rtol=0, atol=1e-12)


@pytest.mark.ngspice
def test_imported_rectifier_elbow_sits_at_the_diode_drop(spice):
    numbers, curves = compare_netlist(RECTIFIER, "rect.cir", "V1", "out", hidden=1, spice=spice)
    elbow = numbers.imported.elbows[0]
    out = curves["transfer"]
    conducting = out > 0.01 * out.max()
    measured_drop = float(np.mean((curves["x"] - out)[conducting]))  # the diode's drop at this 10 kOhm load
    assert abs(elbow["position"] - measured_drop) <= 0.050
    assert elbow["direction"] == "rising" and 0.8 < elbow["slope"] < 1.0


def test_imported_netlist_errors_name_the_problem(spice):
    from circuitnet.formats.importer import NetlistImportError
    with pytest.raises(NetlistImportError, match="V9 is not an independent source"):
        compare_netlist(RECTIFIER, "rect.cir", "V9", "out", spice=spice)
    with pytest.raises(NetlistImportError, match="no node 'nowhere'"):
        compare_netlist(RECTIFIER, "rect.cir", "V1", "nowhere", spice=spice)


@pytest.mark.ngspice
def test_dask_backend_gives_the_same_monte_carlo(spice):
    from distributed import Client, LocalCluster
    circuit = load_model(NETLISTS / "eight_diode.json")
    settings = dict(temperatures=(27.0, 70.0), montecarlo=30, tolerance=0.01, seed=11, spice=spice)
    local, _ = compare_circuit(circuit, SWEEP, executor=LocalExecutor(2), **settings)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote, _ = compare_circuit(circuit, SWEEP, executor=DaskExecutor(client), **settings)
    assert remote.montecarlo == local.montecarlo
    assert remote.temperatures == local.temperatures


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_compare(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "circuitnet", "compare", *args], capture_output=True, text=True,
                              timeout=600)
    done = run(str(NETLISTS / "elbow_passive.json"), "--out", str(tmp_path / "a"), "--temps", "27",
               "--montecarlo", "4", "--tolerance", "5%", "--json")
    assert done.returncode == 0, done.stderr
    stored = json.loads(done.stdout)
    assert stored["montecarlo"]["tolerance"] == 0.05
    # without --json: a summary whose figures are compare.json's
    done = run(str(NETLISTS / "elbow_passive.json"), "--out", str(tmp_path / "a2"), "--temps", "27",
               "--montecarlo", "4", "--tolerance", "5%")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "a2" / "compare.json").read_text())
    lines = done.stdout.splitlines()
    readback = summary["network"]["circuit_vs_readback_network"]
    assert lines[1] == (f"  distance from the ReLU network its values encode: max {readback['max_abs']:.4g} "
                        f"(RMS {readback['rms']:.4g}); ngspice vs surrogate max "
                        f"{1e6 * summary['network']['spice_vs_surrogate_v']['max_abs']:.3g} uV")
    assert f"worst {summary['montecarlo']['board_vs_nominal_spice_max_abs']['worst']:.4g}" in done.stdout
    assert lines[-1].startswith(f"wrote 7 files into {tmp_path / 'a2'}/: compare.json")
    html = (tmp_path / "a2" / "report.html").read_text()
    assert "<th>max deviation (V)</th>" in html and "max_deviation_v" not in html
    assert run(str(NETLISTS / "elbow_passive.json"), "--out", str(tmp_path / "b"), "--tolerance", "lots").returncode == 2
    hostile = tmp_path / "evil.cir"
    marker = tmp_path / "pwned"
    hostile.write_text(f"* evil\nV1 in 0 1\n.control\nshell touch {marker}\n.endc\n.end\n")
    done = run("--netlist", str(hostile), "--input", "V1", "--output", "in", "--out", str(tmp_path / "c"))
    assert done.returncode == 2 and "line 3" in done.stderr and not marker.exists()
    assert not (tmp_path / "c").exists()


@pytest.mark.ngspice
@pytest.mark.slow
def test_monte_carlo_survives_killed_workers(spice_pool, spice):
    """kill -9 of ngspice workers during a Monte Carlo run costs only the netlists they were
    running, which run again on fresh workers: the figures equal an undisturbed run's."""
    import os
    import signal
    import threading

    from circuitnet.analysis import montecarlo
    circuit = load_model(NETLISTS / "eight_diode.json")
    x = SWEEP.inputs(1)
    ideal_y = IdealBackend().simulate(circuit, x).y

    def run():
        return montecarlo.monte_carlo(circuit, x, ideal_y, 120, 0.02, 5, 0.0, LocalExecutor(2), spice=spice)

    undisturbed = run()
    pool = spice_pool
    retried_before, done, kills = pool.retried, threading.Event(), []

    def killer():
        while not done.wait(0.1) and pool.retried - retried_before < 3 and len(kills) < 40:
            pids = [worker.pid for worker in pool.workers if worker.pid is not None]
            if pids:
                pid = pids[len(kills) % len(pids)]
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
                except ProcessLookupError:
                    pass

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        disturbed = run()
    finally:
        done.set()
        thread.join()
    assert kills and pool.retried > retried_before
    for name in ("errors", "low", "high", "median_board"):
        np.testing.assert_array_equal(disturbed[name], undisturbed[name], err_msg=name)


@pytest.mark.ngspice
@pytest.mark.slow
def test_compare_imports_a_netlist_as_engineers_write_it(tmp_path, spice):
    """An .include of a model file beside it, and .dc/.op/.options/.print cards: the cards are
    skipped and listed, the model is read, and the elbow is the plain rectifier's."""
    (tmp_path / "1N4148.mod").write_text(".model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110 IBV=0.0001)\n")
    drawn = tmp_path / "rect.cir"
    drawn.write_text("* lab rectifier\n.include 1N4148.mod\nV1 in 0 DC 0\nD1 in out D1N4148\nR1 out 0 10k\n"
                     ".options reltol=1e-4\n.dc V1 0 2 0.01\n.op\n.print dc v(out)\n.end\n")
    plain, _ = compare_netlist(RECTIFIER, "rect.cir", "V1", "out", hidden=1, spice=spice)
    numbers, _ = compare_netlist(drawn.read_text(), "rect.cir", "V1", "out", hidden=1, spice=spice, folder=tmp_path)
    imported = numbers.imported
    assert imported.included == ["1N4148.mod"]
    assert [card.split(": ", 1)[1] for card in imported.skipped] == [
        ".options reltol=1e-4", ".dc V1 0 2 0.01", ".op", ".print dc v(out)"]
    assert imported.elbows == plain.imported.elbows
    done = subprocess.run([sys.executable, "-m", "circuitnet", "compare", "--netlist", str(drawn), "--input", "V1",
                           "--output", "out", "--out", str(tmp_path / "report")], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "read 1N4148.mod (.include / .lib)" in done.stdout and "skipped 4 analysis or output card(s)" in done.stdout


def test_knee_insets_sit_where_the_curve_is_not_and_the_knee_line_has_a_legend():
    from types import SimpleNamespace

    from circuitnet.interface.report import neurons_figure
    x = np.linspace(-1, 1, 101)
    rising, falling = np.maximum(x - 0.2, 0), np.maximum(-x - 0.2, 0)
    nodes = {"l1n1_h": rising, "l1n2_h": falling}
    rows = [SimpleNamespace(node=name, max_deviation_v=0.01, ideal_knee=knee, fitted_knee=knee)
            for name, knee in (("l1n1_h", 0.2), ("l1n2_h", -0.2))]
    figure = neurons_figure(SimpleNamespace(neurons=rows, held_inputs={}),
                            {"x": x, "ideal": SimpleNamespace(nodes=nodes), "spice": SimpleNamespace(nodes=nodes)})
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(figure).draw()  # lays out the insets
    panels = [ax for ax in figure.axes if ax.get_title().endswith("mV")]
    middle = [(ax.get_position().x0 + ax.get_position().x1) / 2 for ax in panels]
    inset_middle = [(ax.child_axes[0].get_position().x0 + ax.child_axes[0].get_position().x1) / 2 for ax in panels]
    assert inset_middle[0] < middle[0] and inset_middle[1] > middle[1]  # rising: left; falling: right
    labels = [text.get_text() for text in panels[0].get_legend().get_texts()]
    assert labels == ["ideal", "ngspice", "fitted knee (insets)"]
