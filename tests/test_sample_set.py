"""The sample-set netlist's fixed part built once per circuit (backends/spice/sample_set.py)."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from circuitnet import TOPOLOGIES, load_model
from circuitnet.backends.spice import sample_set
from circuitnet.backends.spice.backend import SpiceBackend, sample_set_elements, samples_netlist
from circuitnet.backends.spice.sample_set import INDEX_NODE, input_source
from circuitnet.model import nodes
from circuitnet.model.elements import Element
from circuitnet.topologies import circuit_elements, netlist_lines

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def written_from_scratch(circuit, x, temperature_c=27.0) -> str:
    """The sample-set netlist as the backend wrote it before the template: the whole circuit
    from its topology, every input a pwl B source (the reference the template must equal)."""
    volts = x * circuit.volts_per_unit
    sources = [Element(f"V{INDEX_NODE}", (INDEX_NODE, "0"), "DC 0", "source")]
    for k in range(circuit.n_inputs):
        pairs = ", ".join(f"{i}, {v:.17g}" for i, v in enumerate(volts[:, k]))
        node = nodes.input_node(k)
        sources.append(Element(f"B{node}", (node, "0"), f"V = pwl(v({INDEX_NODE}), {pairs})", "source"))
    lines = [f"* circuitnet sample set: {circuit.topology}, {len(x)} samples",
             *netlist_lines(circuit, input_elements=sources, temperature_c=temperature_c),
             f".dc V{INDEX_NODE} 0 {len(x) - 1} 1", ".end"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", ["two_input_diode", "eight_passive", "eight_precision", "eight_resistive"])
def test_the_template_writes_the_netlist_the_topology_writes(rng, name):
    circuit = load_model(NETLISTS / f"{name}.json")
    assert circuit.topology in TOPOLOGIES
    for temperature in (27.0, 60.0):
        x = rng.uniform(-1, 1, (5, circuit.n_inputs))
        assert samples_netlist(circuit, x, temperature, save_all=True) == written_from_scratch(circuit, x, temperature)


def test_the_elements_are_the_circuits_with_pwl_inputs_and_no_index_source():
    circuit = load_model(NETLISTS / "two_input_diode.json")
    expected = circuit_elements(circuit, [input_source(k, np.zeros(1)) for k in range(circuit.n_inputs)])
    assert sample_set_elements(circuit) == expected


def test_a_second_chunk_of_the_same_circuit_does_not_build_the_circuit_again(monkeypatch, rng):
    circuit = load_model(NETLISTS / "two_input_diode.json")
    topology = TOPOLOGIES[circuit.topology]
    built = []
    original = type(topology).netlist
    monkeypatch.setattr(type(topology), "netlist", lambda self, *a, **k: built.append(1) or original(self, *a, **k))
    monkeypatch.setattr(sample_set, "_templates", type(sample_set._templates)())
    for _ in range(3):  # three chunks, and the elements the limits check and power figures read
        samples_netlist(circuit, rng.uniform(-1, 1, (4, 2)), 27.0, save_all=True)
        sample_set_elements(circuit)
    assert len(built) == 1


def test_a_changed_circuit_gets_its_own_netlist_never_a_kept_one(rng):
    circuit = load_model(NETLISTS / "two_input_diode.json")
    x = rng.uniform(-1, 1, (4, 2))
    before = samples_netlist(circuit, x, save_all=True)
    stage = circuit.stages[0]
    changed = replace(circuit, stages=(replace(stage, r_plain=stage.r_plain * 1.01), *circuit.stages[1:]))
    assert samples_netlist(changed, x, save_all=True) == written_from_scratch(changed, x) != before
    assert samples_netlist(circuit, x, save_all=True) == before  # and the first is still its own


def test_only_the_last_few_templates_are_kept(monkeypatch):
    monkeypatch.setattr(sample_set, "_templates", type(sample_set._templates)())
    circuit = load_model(NETLISTS / "two_input_diode.json")
    for temperature in range(10):
        sample_set.sample_set_template(circuit, float(temperature))
    assert len(sample_set._templates) == sample_set.TEMPLATES_KEPT


@pytest.mark.ngspice
def test_the_limits_check_still_sees_every_part(spice: SpiceBackend):
    """A circuit driven past its rails: the checked run names every op-amp the check names when
    it builds the circuit's elements afresh."""
    from circuitnet.model.limits import violations
    circuit = load_model(NETLISTS / "two_input_diode.json")
    x = np.array([[40.0, -40.0], [-40.0, 40.0], [0.1, 0.2]])
    _, found, _ = spice.simulate_checked(circuit, x)
    afresh = violations(circuit, circuit_elements(circuit), spice.node_voltages(circuit, x), x)
    assert found and found == afresh


def test_an_input_line_writes_each_value_as_formatting_it_alone_does():
    """The pwl pairs are one %-format per input line: each value's text is the 17-digit
    format of that value alone, signed zeros, tiny and huge values, integers and 1 sample too."""
    for volts in (np.array([-0.0, 0.0, 1e-300, -3.0e12, 2.0, 0.1 + 0.2, -1 / 3]), np.array([0.5])):
        expected = ", ".join(f"{i}, {v:.17g}" for i, v in enumerate(volts))
        assert input_source(3, volts).value == f"V = pwl(v({INDEX_NODE}), {expected})"
