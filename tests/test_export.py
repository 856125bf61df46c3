"""Standalone netlists: golden files, stock `ngspice -b`, exact point counts, the precision
topology against the ideal network."""

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from circuitnet import Sweep, load_model, netlist_text, read_back, realise
from circuitnet.backends.spice.batch import read_wrdata, run_batch
from circuitnet.interface.catalogue import examples, write_examples

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def run_stock_ngspice(cir: Path, workdir: Path) -> subprocess.CompletedProcess:
    """`ngspice -b FILE.cir`, unmodified, in an empty folder with HOME there (no .spiceinit)."""
    shutil.copy(cir, workdir / cir.name)
    env = dict(os.environ, HOME=str(workdir))
    return subprocess.run(["ngspice", "-b", cir.name], cwd=workdir, env=env, capture_output=True, text=True,
                          timeout=120)


def test_committed_netlists_equal_a_fresh_regeneration(tmp_path):
    written = write_examples(tmp_path)
    names = sorted(p.name for p in written)
    assert names == sorted(p.name for p in NETLISTS.iterdir() if p.suffix in (".json", ".cir"))
    mismatched = [name for name in names if not filecmp.cmp(tmp_path / name, NETLISTS / name, shallow=False)]
    assert not mismatched, f"regenerate with 'make netlists': {mismatched}"


def test_every_committed_model_reads_back_its_catalogue_network():
    """Each example's model file holds components that realise the catalogue's network, in
    the topology its name says."""
    for name, (net, topology) in examples().items():
        circuit = load_model(NETLISTS / f"{name}.json")
        assert circuit.topology == topology and name.endswith(topology)
        back = read_back(circuit)
        for made, read in zip(net.layers, back.layers):
            np.testing.assert_allclose(read.weights, made.weights, rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(read.biases, made.biases, rtol=1e-9, atol=1e-12)


@pytest.mark.ngspice
@pytest.mark.parametrize("name", sorted(examples()))
def test_each_netlist_runs_in_stock_ngspice(name, tmp_path):
    done = run_stock_ngspice(NETLISTS / f"{name}.cir", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = read_wrdata((tmp_path / f"{name}.dat").read_text())
    assert len(data["y_units"]) == 201
    np.testing.assert_allclose(data["x1_units"], np.linspace(-1, 1, 201), atol=1e-12)
    # the model file beside it describes the same circuit
    circuit = load_model(NETLISTS / f"{name}.json")
    ideal = read_back(circuit).forward(np.column_stack([data["x1_units"]] + [np.zeros(201)] * (circuit.n_inputs - 1)))
    assert np.max(np.abs(data["y_units"] - ideal[:, 0])) < 0.25  # the diode knees, nothing worse


@pytest.mark.ngspice
@pytest.mark.parametrize("sweep", ["-1:1:2", "-1:1:3", "0:1:7", "-2.5:0.3:101", "-1:1:1000", "0.1:0.7:333"])
def test_sweep_gives_exactly_n_points(sweep, tmp_path):
    from circuitnet import parse_sweep
    circuit = load_model(NETLISTS / "elbow_diode.json")
    sweep = parse_sweep(sweep)
    data = run_batch(netlist_text(circuit, sweep=sweep, data_file="d.dat"), "d.dat")
    assert len(data["x1_units"]) == sweep.n
    np.testing.assert_allclose(data["x1_units"], sweep.values(), atol=1e-9)


@pytest.mark.ngspice
def test_operating_point_netlist(tmp_path):
    circuit = load_model(NETLISTS / "two_input_diode.json")
    data = run_batch(netlist_text(circuit, inputs=[0.3, -0.4], data_file="op.dat"), "op.dat")
    assert len(data["y_units"]) == 1
    assert data["x2_units"][0] == pytest.approx(-0.4)


@pytest.mark.ngspice
def test_precision_matches_the_ideal_network_away_from_knees():
    """Every neuron at least 0.05 data units from its knee: within 1 mV of the ideal network."""
    from circuitnet.interface.catalogue import eight_elbows
    net = eight_elbows()
    circuit = realise(net, "precision")
    sweep = Sweep(-1.0, 1.0, 801)
    data = run_batch(netlist_text(circuit, sweep=sweep, data_file="p.dat"), "p.dat")
    x = sweep.values()
    layer = net.layers[0]
    distance = np.min(np.abs(x[:, None] * layer.weights[:, 0] + layer.biases), axis=1)
    away = distance >= 0.05
    assert away.sum() > 400
    error_volts = (data["y_units"] - net.forward(x[:, None])[:, 0]) * circuit.volts_per_unit
    assert np.max(np.abs(error_volts[away])) < 1e-3


def test_header_says_what_the_netlist_is():
    text = (NETLISTS / "eight_passive.cir").read_text()
    assert text.startswith("* circuitnet netlist: passive topology, 1 input(s), hidden layers [8]")
    assert "* made by: circuitnet export netlists/eight_passive.json -o netlists/eight_passive.cir" in text
    assert text.rstrip().endswith(".end") and "quit 0" in text
    for node in (" x1 ", " x1_inv ", " l1n3_s ", " l1n3_h ", " y "):
        assert node in text
