"""Standalone netlists: golden files, stock `ngspice -b`, exact point counts, the precision
topology against the ideal network."""

import filecmp
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from circuitnet import Sweep, get_topology, load_model, netlist_text, read_back, realise, simulate
from circuitnet.backends.spice.batch import read_wrdata, run_batch
from circuitnet.backends.spice.netlist import data_file_for
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
    circuit = load_model(NETLISTS / f"{name}.json")
    y = output_columns(data, circuit.n_outputs)
    assert y.shape == (201, circuit.n_outputs)
    np.testing.assert_allclose(data["x1_units"], np.linspace(-1, 1, 201), atol=1e-12)
    # the model file beside it describes the same circuit
    x = np.column_stack([data["x1_units"]] + [np.zeros(201)] * (circuit.n_inputs - 1))
    if get_topology(circuit.topology).read_back_is_its_function:
        assert np.max(np.abs(y - read_back(circuit).forward(x))) < 0.25  # the diode knees, nothing worse
    else:  # a coupled network: its surrogate, the whole network's equilibrium, is the reference
        assert np.max(np.abs(y - simulate(circuit, x, "surrogate").y)) < 1e-6


def output_columns(data: dict, n_outputs: int) -> np.ndarray:
    """The outputs in data units, (rows, n_outputs), from a netlist's wrdata columns."""
    names = ["y_units"] if n_outputs == 1 else [f"y{k + 1}_units" for k in range(n_outputs)]
    return np.column_stack([data[name] for name in names])


@pytest.mark.ngspice
def test_the_golden_classifier_picks_the_ideal_networks_class_in_stock_ngspice(tmp_path, spice):
    """Wherever the ideal network's best class leads by 0.1 (more than the diode knees move an
    output), stock ngspice picks the same class; its outputs equal simulate's."""
    from circuitnet.interface.catalogue import THREE_CLASS_LABELS, three_classes
    done = run_stock_ngspice(NETLISTS / "three_class_diode.cir", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    circuit = load_model(NETLISTS / "three_class_diode.json")
    y = output_columns(read_wrdata((tmp_path / "three_class_diode.dat").read_text()), 3)
    x = np.zeros((201, 4))
    x[:, 0] = np.linspace(-1, 1, 201)
    ideal = three_classes().forward(x)
    ranked = np.sort(ideal, axis=1)
    clear = ranked[:, -1] - ranked[:, -2] >= 0.1
    assert clear.sum() > 150
    np.testing.assert_array_equal(y.argmax(axis=1)[clear], ideal.argmax(axis=1)[clear])
    assert {THREE_CLASS_LABELS[k] for k in y.argmax(axis=1)} == {"low", "middle", "high"}
    np.testing.assert_allclose(y, spice.simulate(circuit, x).y, atol=1e-6)


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


def wide_circuit(n_inputs: int, seed: int = 22):
    """A realised random 4-neuron, 3-output diode network on ``n_inputs`` inputs (no training):
    weights of magnitude 0.3 / sqrt(n_inputs) .. 0.9 / sqrt(n_inputs), so that inputs in
    [-0.5, 0.5] keep every op-amp output within a few volts."""
    from circuitnet import ReLUNet
    rng = np.random.default_rng(seed)

    def signed(shape, low, high):
        return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(low, high, size=shape)
    scale = 1 / np.sqrt(n_inputs)
    net = ReLUNet.from_arrays([(signed((4, n_inputs), 0.3 * scale, 0.9 * scale), signed(4, 0.05, 0.2)),
                               (signed((3, 4), 0.3, 1.0), [0.1, 0.2, -0.1])])
    return realise(net, "diode"), rng.uniform(-0.5, 0.5, (2, n_inputs))


def exported_outputs(cir: Path, n_outputs: int) -> tuple[np.ndarray, dict]:
    """Stock `ngspice -b` on an exported netlist, in a folder of its own: its outputs in data
    units (rows, n_outputs), and every column it wrote."""
    workdir = cir.parent / "run"
    workdir.mkdir()
    done = run_stock_ngspice(cir, workdir)
    assert done.returncode == 0 and "error" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    data = read_wrdata((workdir / data_file_for(cir)).read_text())
    return output_columns(data, n_outputs), data


@pytest.mark.ngspice
@pytest.mark.parametrize("n_inputs", [64, pytest.param(784, marks=pytest.mark.slow)])
def test_a_wide_models_operating_point_netlist_runs_in_stock_ngspice_and_agrees_with_simulate(n_inputs, tmp_path,
                                                                                               spice):
    """Issue #22, 3: the header's arrays wrapped onto lines without '*', and ngspice refused
    the netlist ("unknown device type"). The writer fit uses for a classifier's circuit.cir."""
    circuit, x = wide_circuit(n_inputs)
    cir = tmp_path / "circuit.cir"
    cir.write_text(netlist_text(circuit, inputs=x[0], data_file="circuit.dat"))
    y, data = exported_outputs(cir, 3)
    np.testing.assert_allclose(data[f"x{n_inputs}_units"], x[0, -1], atol=1e-12)
    np.testing.assert_allclose(y, spice.simulate(circuit, x[:1]).y, atol=1e-6)
    assert spice.violations(circuit, x[:1]) == []  # a circuit that could be built


@pytest.mark.ngspice
@pytest.mark.parametrize("flags", [["--op"], ["--sweep", "-0.5:0.5:3"]])
def test_the_export_command_of_a_64_input_model_runs_in_stock_ngspice(flags, tmp_path, spice):
    from circuitnet.formats import modelfile
    from circuitnet.interface.cli import main
    circuit, _ = wide_circuit(64)
    model = modelfile.save(circuit, tmp_path / "model.json")
    assert main(["export", str(model), "-o", str(tmp_path / "export.cir"), *flags]) == 0
    y, data = exported_outputs(tmp_path / "export.cir", 3)
    x = np.zeros((len(y), 64))
    x[:, 0] = data["x1_units"]
    np.testing.assert_allclose(x[:, 0], [0.0] if flags == ["--op"] else [-0.5, 0.0, 0.5], atol=1e-12)
    np.testing.assert_allclose(y, spice.simulate(circuit, x).y, atol=1e-6)


@pytest.mark.ngspice
def test_the_transient_export_of_a_64_input_model_runs_in_stock_ngspice(tmp_path, spice):
    """Two input steps; at the end of each the outputs have settled to the DC answer. The
    model's folder has a line break in its name: the header's command stays one comment."""
    from circuitnet.formats import modelfile
    from circuitnet.interface.cli import main
    circuit, x = wide_circuit(64)
    model = modelfile.save(circuit, tmp_path / "wide\nmodels" / "model.json")
    steps = tmp_path / "steps.csv"
    steps.write_text(",".join(f"x{k + 1}" for k in range(64)) + "\n"
                     + "".join(",".join(f"{v:.17g}" for v in row) + "\n" for row in x))
    assert main(["export", str(model), "-o", str(tmp_path / "tran.cir"), "--tran", "--inputs", str(steps),
                 "--step-time", "40e-6"]) == 0
    assert "* made by: circuitnet export " in (tmp_path / "tran.cir").read_text()
    (tmp_path / "run").mkdir()
    done = run_stock_ngspice(tmp_path / "tran.cir", tmp_path / "run")
    assert done.returncode == 0, done.stdout + done.stderr
    data = read_wrdata((tmp_path / "run" / "tran.dat").read_text())
    ends = [np.interp((i + 1) * 40e-6, data["time"], data["v(y2)"]) for i in range(len(x))]
    np.testing.assert_allclose(ends, spice.simulate(circuit, x).y_volts[:, 1], atol=1e-4)


@pytest.mark.ngspice
def test_an_export_whose_name_has_a_space_writes_its_data_beside_it(tmp_path, capsys):
    """wrdata splits its file name at spaces (and takes quotes literally): 'my circuit.cir'
    used to write no data at all ("no such vector circuit.dat")."""
    from circuitnet.interface.cli import main
    (tmp_path / "made").mkdir()
    cir = tmp_path / "made" / "my circuit.cir"
    assert main(["export", str(NETLISTS / "elbow_diode.json"), "-o", str(cir), "--op"]) == 0
    assert f"run it with: ngspice -b '{cir}' (writes my_circuit.dat)" in capsys.readouterr().out
    _, data = exported_outputs(cir, 1)
    assert len(data["y_units"]) == 1


def test_data_file_names_are_ones_wrdata_reads_whole():
    from circuitnet.errors import UsageError
    assert data_file_for("out/my circuit (v2).cir") == "my_circuit__v2_.dat"
    assert data_file_for("-x.cir") == "_-x.dat" and data_file_for("d/circuit.cir") == "circuit.dat"
    circuit = load_model(NETLISTS / "elbow_diode.json")
    with pytest.raises(UsageError, match=r"data file 'my circuit.dat': wrdata needs a bare file name .* "
                                         r"such as 'my_circuit.dat'"):
        netlist_text(circuit, data_file="my circuit.dat")
