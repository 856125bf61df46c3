"""The SPICE backend checks its inputs once per call, from the circuit's input count, without
reading the circuit's network back (which costs a pass over every resistor of a large
circuit), and still names what is wrong with bad inputs."""

from pathlib import Path

import numpy as np
import pytest

from circuitnet import InputShapeError, load_model
from circuitnet.topologies import get_topology

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


@pytest.mark.ngspice
def test_simulating_and_checking_limits_read_no_network_back(spice, monkeypatch):
    circuit = load_model(NETLISTS / "eight_diode.json")
    topology = type(get_topology(circuit.topology))
    calls = []
    original = topology.read_back
    monkeypatch.setattr(topology, "read_back", lambda self, c: calls.append(1) or original(self, c))
    x = np.linspace(-1.0, 1.0, 5)[:, None]
    spice.simulate(circuit, x)
    spice.violations(circuit, x)
    spice.simulate_checked(circuit, x)
    spice.node_voltages(circuit, x)
    assert calls == []


@pytest.mark.parametrize(("x", "words"), [
    (np.zeros((0, 1)), "no input samples to simulate"),
    (np.zeros((3, 2)), "inputs have 2 columns but the network has 1 inputs"),
    (np.array([[0.0], [np.nan]]), "inputs row 1 is not finite"),
])
def test_bad_inputs_are_refused_by_name_before_ngspice_runs(spice, x, words):
    circuit = load_model(NETLISTS / "eight_diode.json")
    for call in (spice.simulate, spice.violations, spice.simulate_checked, spice.node_voltages):
        with pytest.raises(InputShapeError, match=words):
            call(circuit, x)
