"""The power figures, the op-amps' output currents and the operating-limits check read a circuit's
elements as arrays built once per circuit (model/element_arrays.py), not by a Python loop over
every resistor at every chunk. Checked against the per-element formulas, written out here one
element at a time, on small circuits with real op-amps and node voltages drawn at random (the
formulas are algebra on node voltages and branch currents, so any values test them), with
parts past every limit; and a sample set's chunks build the arrays once."""

import math
from collections import OrderedDict

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.backends.spice import sample_set
from circuitnet.backends.spice.backend import sample_set_arrays, sample_set_elements
from circuitnet.backends.spice.power import output_stage_dissipation, static_power
from circuitnet.model import element_arrays
from circuitnet.model.board_amplifiers import board_driven_sources
from circuitnet.model.currents import opamp_output_currents
from circuitnet.model.limits import OperatingLimits, rows_beyond, violations
from circuitnet.model.opamp_parts import opamp_model, opamp_part, supply_rails
from circuitnet.topologies import TOPOLOGIES_WITH_OPAMPS
from circuitnet.topologies.opamp_supply import SUPPLY

NET = ReLUNet.from_arrays([([[1.0, -0.3], [-0.5, 0.8], [0.4, 0.4]], [0.0, 0.2, -0.1]),
                           ([[1.0, 0.7, -0.6], [-0.2, 0.5, 0.9]], [0.1, -0.2])])
N = 7  # operating points
REL = 1e-12  # of the largest magnitude of each figure: rounding, not a formula


def drawn_vectors(elements, seed: int = 0, volts: float = 20.0) -> dict[str, np.ndarray]:
    """Every node voltage (within +-volts: past the rails) and source branch current (+-40 mA)
    at N points, as ngspice names them."""
    rng = np.random.default_rng(seed)
    nodes = {node.lower() for e in elements for node in e.nodes} - {"0"}
    vectors = {node: rng.uniform(-volts, volts, N) for node in sorted(nodes)}
    for e in elements:
        if e.part in ("source", "opamp", SUPPLY):
            vectors[f"{e.name.lower()}#branch"] = rng.uniform(-0.04, 0.04, N)
    return vectors


def volts_of(vectors, node):
    return np.zeros(N) if node.lower() == "0" else vectors[node.lower()]


def reference_kcl_nodes(elements):
    """Each diode's KCL node: its cathode where only resistors otherwise touch it, else its anode."""
    others = {}
    for e in elements:
        if e.part != "resistor":
            for node in e.nodes[:2]:
                others.setdefault(node.lower(), []).append(e.name)
    return {e.name: ((e.nodes[1].lower(), 1.0) if others.get(e.nodes[1].lower()) == [e.name]
                     else (e.nodes[0].lower(), -1.0)) for e in elements if e.part == "diode"}


def reference_resistors(elements, vectors):
    """(power in the resistors, the current the resistors carry out of each node), resistor by resistor."""
    power, out_of = np.zeros(N), {}
    for e in elements:
        if e.part == "resistor":
            drop = volts_of(vectors, e.nodes[0]) - volts_of(vectors, e.nodes[1])
            power = power + drop * drop / e.value
            out_of[e.nodes[0].lower()] = out_of.get(e.nodes[0].lower(), 0.0) + drop / e.value
            out_of[e.nodes[1].lower()] = out_of.get(e.nodes[1].lower(), 0.0) - drop / e.value
    return power, out_of


def reference_power(circuit, elements, vectors):
    """static_power's figures, element by element."""
    rails = supply_rails(circuit.opamp)
    driven = board_driven_sources(circuit, elements)
    in_resistors, out_of = reference_resistors(elements, vectors)
    kcl = reference_kcl_nodes(elements)
    found = {"delivered": {}, "opamps": np.zeros(N), "opamp_supply": np.zeros(N),
             "opamp_output_stage": np.zeros(N), "resistors": in_resistors, "diodes": np.zeros(N)}
    for e in elements:
        a, b = (volts_of(vectors, node) for node in e.nodes[:2])
        if e.part in ("source", "opamp", SUPPLY):
            current = vectors[f"{e.name.lower()}#branch"]
            power = -(a - b) * current
            if e.part == "source":
                found["delivered"][e.name] = power
                if e.name in driven:
                    found["opamp_output_stage"] = found["opamp_output_stage"] + output_stage_dissipation(
                        a - b, -current, rails)
            elif e.part == SUPPLY:
                found["opamp_supply"] = found["opamp_supply"] + power
            else:
                found["opamps"] = found["opamps"] + power
                found["opamp_output_stage"] = found["opamp_output_stage"] + output_stage_dissipation(
                    a, -current, rails)
        elif e.part == "diode":
            node, sign = kcl[e.name]
            found["diodes"] = found["diodes"] + (a - b) * sign * out_of[node]
    found["total"] = (sum(found["delivered"].values()) + found["opamps"] + found["opamp_supply"]
                      + found["opamp_output_stage"])
    return found


def reference_output_currents(elements, vectors):
    """Each op-amp's output current: out of its output node through every resistor and diode."""
    _, out_of = reference_resistors(elements, vectors)
    kcl = reference_kcl_nodes(elements)
    forward = {name: sign * out_of[node] for name, (node, sign) in kcl.items()}
    found = {}
    for e in elements:
        if e.part == "opamp":
            out = e.nodes[0].lower()
            found[e.name] = out_of.get(out, 0.0) + sum(
                (forward[d.name] if d.nodes[0].lower() == out else 0.0) - (forward[d.name] if d.nodes[1].lower() == out
                                                                           else 0.0)
                for d in elements if d.part == "diode")
    return found


def reference_crossings(circuit, elements, vectors, limits):
    """(element, quantity, values, limit, sign) of every part past a limit, element by element."""
    part = opamp_part(circuit.opamp.part)
    currents = reference_output_currents(elements, vectors)
    breakdown = (1.0 - limits.breakdown_margin) * float(circuit.diode.params.get("BV", math.inf))
    found = []
    for e in elements:
        a, b = (volts_of(vectors, node) for node in e.nodes[:2])
        if e.part == "opamp":
            found += [(e.name, "output above its positive rail", a, circuit.opamp.v_pos, 1.0),
                      (e.name, "output below its negative rail", a, circuit.opamp.v_neg, -1.0)]
        elif e.part == "diode":
            found.append((e.name, "reverse voltage", b - a, breakdown, 1.0))
    found += [(name, "output current", np.abs(current), part.output_current_a, 1.0)
              for name, current in currents.items()]
    found += [(e.name, "dissipation", (volts_of(vectors, e.nodes[0]) - volts_of(vectors, e.nodes[1])) ** 2 / e.value,
               limits.resistor_rating_w, 1.0) for e in elements if e.part == "resistor"]
    return [c for c in found if np.any(c[4] * c[2] > c[4] * c[3])]


def close(found, expected):
    scale = max(float(np.max(np.abs(expected))), 1e-300)
    return float(np.max(np.abs(np.asarray(found) - expected))) <= REL * scale


@pytest.fixture(params=TOPOLOGIES_WITH_OPAMPS)
def circuit(request):
    return realise(NET, request.param, opamp=opamp_model("TL072"))


def test_the_static_power_from_the_arrays_is_the_per_element_formulas(circuit):
    elements = sample_set_elements(circuit)
    vectors = drawn_vectors(elements)
    expected = reference_power(circuit, elements, vectors)
    for given in (elements, sample_set_arrays(circuit)):  # a list, or the arrays built once
        found = static_power(circuit, vectors, N, given)
        assert found["opamp_supply_modelled"] and found["delivered"].keys() == expected["delivered"].keys()
        for name, values in expected["delivered"].items():
            assert close(found["delivered"][name], values), name
        for key in ("opamps", "opamp_supply", "opamp_output_stage", "resistors", "diodes", "total"):
            assert close(found[key], expected[key]), key
        assert np.any(expected["opamp_output_stage"] != 0) and np.any(expected["diodes"] != 0)


def test_the_output_currents_from_the_arrays_are_kirchhoffs_law_element_by_element(circuit):
    elements = sample_set_elements(circuit)
    vectors = drawn_vectors(elements, seed=1)
    expected = reference_output_currents(elements, vectors)
    found = opamp_output_currents(sample_set_arrays(circuit), vectors, N)
    assert found.keys() == expected.keys() and len(found) >= 5
    for name, current in expected.items():
        assert close(found[name], current), name


def test_the_limits_check_from_the_arrays_names_what_the_per_element_check_names(circuit):
    limits = OperatingLimits(resistor_rating_w=2.0)  # 200 V across a 10k resistor is 4 W: some pass it
    elements = sample_set_elements(circuit)
    vectors = drawn_vectors(elements, seed=2, volts=200.0)  # some op-amps then drive more than 40 mA
    x = np.arange(N * circuit.n_inputs, dtype=float).reshape(N, circuit.n_inputs)
    expected = reference_crossings(circuit, elements, vectors, limits)
    found = violations(circuit, sample_set_arrays(circuit), vectors, x, limits)
    assert {v.quantity for v in found} >= {"output above its positive rail", "output below its negative rail",
                                           "dissipation", "output current"}
    assert len(found) == len(expected)
    for violation in found:
        (values, limit, sign), = [c[2:] for c in expected if c[:2] == (violation.element, violation.quantity)]
        worst = int(np.argmax(sign * values))
        assert violation.limit == limit and violation.x == tuple(x[worst])
        assert violation.value == pytest.approx(values[worst], rel=REL)
    assert violations(circuit, elements, vectors, x, limits) == found  # from the list, the same
    beyond = rows_beyond(circuit, sample_set_arrays(circuit), vectors, N, limits)
    assert beyond == rows_beyond(circuit, elements, vectors, N, limits) and all(beyond)


def test_resistor_drops_are_each_resistors_voltage_in_blocks():
    circuit = realise(NET, "diode")
    elements = sample_set_elements(circuit)
    vectors = drawn_vectors(elements, seed=3)
    seen = []
    for block, drops in element_arrays.resistor_drops(elements, {**vectors, "0": np.zeros(N)}):
        for resistor, drop in zip(block, drops, strict=True):
            seen.append(resistor.name)
            assert np.array_equal(drop, volts_of(vectors, resistor.nodes[0]) - volts_of(vectors, resistor.nodes[1]))
    assert seen == [e.name for e in elements if e.part == "resistor"]


@pytest.mark.ngspice
def test_a_sample_sets_chunks_build_the_element_arrays_once(spice, monkeypatch):
    """The arrays belong to the circuit's sample-set template: a second chunk of the same circuit
    reads them again, with its own limits check and power figures."""
    circuit = realise(NET, "diode", opamp=opamp_model("TL072"))
    monkeypatch.setattr(sample_set, "_templates", OrderedDict())  # no template kept from another test
    built = []
    real = element_arrays.ElementArrays.of.__func__

    def counted(cls, elements):
        built.append(len(elements))
        return real(cls, elements)
    monkeypatch.setattr(element_arrays.ElementArrays, "of", classmethod(counted))
    x = np.linspace(-1.0, 1.0, 8).reshape(4, 2)
    first = spice.simulate_checked(circuit, x)
    second = spice.simulate_checked(circuit, x[::-1])
    assert built == [len(sample_set_elements(circuit))]  # once, for both chunks
    assert np.allclose(second[2], first[2][::-1], rtol=1e-6) and second[1] == first[1] == []


@pytest.mark.ngspice
def test_a_sharded_runs_chunks_are_each_checked_once_and_not_again_by_the_caller(spice, monkeypatch):
    """Each chunk's task checks its limits and sums its power (in the worker's process on a
    cluster): the caller only keeps the worst per part, it checks nothing again."""
    from circuitnet.backends.spice import backend
    from circuitnet.backends.spice.sharded import chunk_bounds, simulate_sharded
    from circuitnet.util.executor import LocalExecutor
    calls = {"violations": 0, "static_power": 0}

    def counting(name):
        real = getattr(backend, name)

        def call(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return call
    for name in calls:
        monkeypatch.setattr(backend, name, counting(name))
    circuit = realise(NET, "diode", opamp=opamp_model("TL072"))
    x = np.random.default_rng(4).uniform(-1, 1, (40, 2))
    run = simulate_sharded(circuit, x, 27.0, LocalExecutor(2), spice=spice)
    assert run.chunks == len(chunk_bounds(40)) == 2 and calls == {"violations": 2, "static_power": 2}
