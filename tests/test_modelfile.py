"""Model files: exact round trip, atomic writes, and only named errors for bad files."""

import copy
import json
import re

import numpy as np
import pytest
from conftest import random_network

from circuitnet import TOPOLOGIES, ModelFileError, load_model, realise, save_model
from circuitnet.formats import modelfile


@pytest.fixture(params=list(TOPOLOGIES))
def circuit(request, rng):
    return realise(random_network(rng, 2, [5], 1), request.param)


def test_round_trip_is_exact(circuit, tmp_path):
    path = save_model(circuit, tmp_path / "sub" / "model.json")
    again = load_model(path)
    assert modelfile.dumps(again) == path.read_text()
    for a, b in zip(circuit.stages, again.stages):
        for name, array in a.resistor_arrays().items():
            np.testing.assert_array_equal(array, getattr(b, name))
    assert again.diode == circuit.diode and again.opamp == circuit.opamp
    document = json.loads(path.read_text())
    assert document["topology"] == circuit.topology
    assert np.array(document["network"]["layers"][0]["weights"]).shape == (5, 2)


def test_save_is_atomic(circuit, tmp_path, monkeypatch):
    path = save_model(circuit, tmp_path / "model.json")
    before = path.read_text()

    def broken_dumps(_):
        raise RuntimeError("disk full")
    monkeypatch.setattr(modelfile, "dumps", broken_dumps)
    with pytest.raises(RuntimeError, match="disk full"):
        modelfile.save(circuit, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


def test_custom_diode_round_trips(tmp_path, rng):
    from circuitnet import shockley_diode
    circuit = realise(random_network(rng, 1, [3], 1), "diode", diode=shockley_diode(IS=1e-14, N=1.05, RS=2.0))
    assert load_model(save_model(circuit, tmp_path / "m.json")).diode == circuit.diode


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("topology"), "missing 'topology'"),
    (lambda d: d.update(topology="tube"), "topology = \"tube\"; allowed: passive, diode, precision, resistive"),
    (lambda d: d["devices"]["diode"].update(name="1N0000"), "devices.diode.name"),
    (lambda d: d["components"]["stages"][0]["r_plain"][0].__setitem__(0, -50.0),
     r"components.stages\[0\].r_plain\[0\]\[0\] = -50.0 ohm"),
    (lambda d: d["components"]["stages"][0]["r_plain"][0].__setitem__(0, 0.0), "= 0.0 ohm"),
    (lambda d: d["components"]["stages"][1]["r_feedback"].__setitem__(0, None) if "r_feedback" in
     d["components"]["stages"][1] else d["components"]["stages"][1]["r_ground"].__setitem__(0, -50.0),
     r"stages\[1\]\.r_(feedback\[0\]|ground\[0\] = -50.0 ohm)"),
    (lambda d: d["scaling"].update(v_ref="five"), "scaling.v_ref"),
    (lambda d: d["network"]["layers"][0]["biases"].__setitem__(0, 123.0), "the component values give"),
    (lambda d: d.update(version=2), "version = 2"),
    (lambda d: d["devices"]["diode"]["params"].update(IS=1e-9), "differ from the library"),
])
def test_specific_errors_name_the_field(circuit, mutate, message):
    document = modelfile.circuit_to_dict(circuit)
    mutate(document)
    with pytest.raises(ModelFileError, match=message) as caught:
        modelfile.loads(json.dumps(document))
    assert "np." not in str(caught.value)  # plain numbers, not NumPy reprs


def test_load_names_the_file(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{")
    with pytest.raises(ModelFileError, match="broken.json: not valid JSON"):
        load_model(path)
    with pytest.raises(ModelFileError, match="can't read"):
        load_model(tmp_path / "missing.json")


# -- the property test: thousands of generated malformed files, only named errors ----------

def _paths(value, prefix=()):
    """Every (path, value) in a JSON document."""
    yield prefix, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _set(document, path, value):
    target = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _delete(document, path):
    target = document
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]


BAD_VALUES = [None, True, "1k", [], {}, -1.0, 0.0, float("nan"), float("inf"), -float("inf"), 1e300, -1e-300,
              [1.0, 2.0], {"a": 1}, "", 10**30]


def _malformed(rng, document, text):
    """One malformed variant of a valid model file, as text. Every variant is invalid."""
    kind = rng.integers(0, 7)
    if kind == 0:  # truncated
        return text[: int(rng.integers(0, len(text) - 2))]
    if kind == 1:  # random garbage or bytes in the middle
        cut = int(rng.integers(1, len(text) - 2))
        return text[:cut] + "".join(chr(int(c)) for c in rng.integers(0, 0x2FF, int(rng.integers(1, 8)))) + "\x00" + text[cut:]
    doc = copy.deepcopy(document)
    paths = [p for p, _ in _paths(doc) if p]
    path = paths[int(rng.integers(len(paths)))]
    if kind == 2 and isinstance(path[-1], str):  # a required field removed
        _delete(doc, path)
    elif kind == 3 and isinstance(path[-1], str):  # an unknown field added next to it
        _set(doc, path[:-1] + ("unexpected_" + path[-1],), 1.0)
    elif kind == 4:  # absurd sizes
        stage = doc["components"]["stages"][0]
        stage["r_plain"] = [[1e4] * int(rng.integers(300, 5000))] * 2
    elif kind == 5:  # an unknown name
        key = ["topology", "diode", "kind"][int(rng.integers(3))]
        if key == "topology":
            doc["topology"] = "nonsense" + str(rng.integers(100))
        elif key == "diode":
            doc["devices"]["diode"]["name"] = "D" + str(rng.integers(100))
        else:
            doc["devices"]["opamp"]["kind"] = "ideal"
    else:  # a wrong value where a resistance, number, name or list belongs
        resistors = [p for p, v in _paths(doc) if isinstance(v, float) and any(
            isinstance(k, str) and k.startswith("r_") for k in p)]
        path = resistors[int(rng.integers(len(resistors)))]
        bad = [-1.0, 0.0, float("nan"), float("inf"), "1k", True, [], 1e-3, 1e12]
        _set(doc, path, bad[int(rng.integers(len(bad)))])
    return json.dumps(doc)  # NaN and Infinity as JSON's common extension, which readers must refuse


@pytest.mark.slow
def test_ten_thousand_malformed_files_raise_only_model_file_errors(rng):
    valid = {}
    for topology in TOPOLOGIES:
        circuit = realise(random_network(rng, 2, [3], 1), topology)
        document = modelfile.circuit_to_dict(circuit)
        valid[topology] = (document, json.dumps(document))
    for index in range(10_000):
        document, text = valid[list(valid)[index % len(valid)]]
        bad = _malformed(rng, document, text)
        with pytest.raises(ModelFileError) as caught:
            modelfile.loads(bad)
        message = str(caught.value)
        # one line that starts by saying where: the JSON position, the file, or a field's path
        assert "\n" not in message and len(message) <= 300, message
        assert re.match(r"(not valid JSON \(line \d+, column \d+|the file |[a-z_]+[\w.\[\]]*( = | |$))", message), message


def test_a_key_given_twice_is_refused(circuit):
    text = modelfile.dumps(circuit)
    repeated = text.replace('"topology": ', '"topology": "diode", "topology": ', 1)
    with pytest.raises(ModelFileError, match="the key 'topology' appears twice in one object; keep one of them"):
        modelfile.loads(repeated)


def test_an_mnist_sized_classifier_round_trips(tmp_path):
    """784 inputs (MNIST's), 100 hidden and 10 outputs: what fit --dataset digits28 saves loads back."""
    import numpy as np

    from circuitnet import ReLUNet, load_model, read_back, save_model
    from circuitnet.training.realisable import RowRatioProjection
    rng = np.random.default_rng(5)
    params = RowRatioProjection((1e3, 1e6))([rng.normal(size=(100, 784)), rng.normal(size=100),
                                             rng.normal(size=(10, 100)), rng.normal(size=10)])
    from circuitnet.training.pruning import realise_pruned
    from circuitnet.topologies import RealisationOptions
    circuit, _ = realise_pruned(ReLUNet.from_arrays([(params[0], params[1]), (params[2], params[3])]), "diode",
                                RealisationOptions())
    loaded = load_model(save_model(circuit, tmp_path / "model.json"))
    for a, b in zip(read_back(loaded).layers, read_back(circuit).layers):
        np.testing.assert_array_equal(a.weights, b.weights)


@pytest.mark.parametrize("command", [["compare", "--out", "cmp"], ["simulate", "--x", "-1:1:3"], ["build", "--out", "b"]])
def test_a_netlist_given_as_a_model_file_says_so(tmp_path, command):
    """A fit folder's circuit.cir given where its model.json goes was 'not valid JSON (line 1,
    column 1 ...); the file may be truncated', which sends the user looking for damage."""
    import subprocess
    import sys

    from circuitnet import netlist_text

    network = random_network(np.random.default_rng(0), 1, [2], 1)
    (tmp_path / "circuit.cir").write_text(netlist_text(realise(network, "diode")))
    done = subprocess.run([sys.executable, "-m", "circuitnet", command[0], "circuit.cir", *command[1:]],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "circuit.cir: a SPICE netlist, not a circuitnet model file (JSON): give the model.json" in done.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["circuit.cir"]  # nothing written


def test_a_board_with_op_amp_offsets_is_refused_not_saved_without_them(tmp_path, rng):
    """A model file has no field for op-amp input offsets and bias currents: save_model of a
    board drawn with them (Board(opamp_offsets=True).apply) wrote the nominal op-amps without a
    word, so the file simulated as another board. It is refused, naming the way to keep it,
    and nothing is written."""
    from circuitnet.model.board import Board
    from circuitnet.model.opamp_parts import opamp_model
    circuit = realise(random_network(rng, 2, [5], 1), "diode", opamp=opamp_model("TL072"))
    board = Board(tolerance=0.01, seed=3, opamp_offsets=True).apply(circuit)
    path = tmp_path / "board.json"
    with pytest.raises(ModelFileError, match=r"op-amp input offsets .* netlist_text"):
        save_model(board, path)
    assert not path.exists()
    save_model(Board(tolerance=0.01, seed=3).apply(circuit), path)  # a board of resistor errors alone is a circuit
    assert load_model(path).opamp_offsets is None
