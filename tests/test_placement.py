"""The placement every build writer reads: every netlist element placed once, in the block it
belongs to, its wires, labels and ground marks joining exactly the pins the netlist joins, and
no two parts on top of each other."""

import numpy as np
import pytest
from conftest import random_network

from circuitnet import TOPOLOGIES, realise
from circuitnet.build.connectivity import differences, drawn_nets, netlist_nets
from circuitnet.build.placement import SMALL_NEURONS, block_of, place
from circuitnet.formats import modelfile
from circuitnet.model.elements import Element, resistor
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.topologies import circuit_elements

SHEET_SPACING_MM = 1e6  # points of different sheets never coincide


def placement_nets(placement):
    """The nets that a placement's pins, wires, labels and ground marks join."""
    def at(sheet, x, y):
        return x + sheet * SHEET_SPACING_MM, y
    pins = [((part.designator, pin.name), at(part.sheet, pin.x_mm, pin.y_mm))
            for part in placement.parts for pin in part.pins]
    wires = [(at(w.sheet, w.x1_mm, w.y1_mm), at(w.sheet, w.x2_mm, w.y2_mm)) for w in placement.wires]
    labels = [(label.net, at(label.sheet, label.x_mm, label.y_mm)) for label in placement.labels]
    grounds = [at(g.sheet, g.x_mm, g.y_mm) for g in placement.grounds]
    return drawn_nets(pins, wires, labels, grounds)


def circuits():
    """Every topology on a 1-input and a 2-input model and a small classifier (3 outputs)."""
    rng = np.random.default_rng(3)
    for topology in sorted(TOPOLOGIES):
        for n_in, hidden, n_out in ((1, [4], 1), (2, [3], 1), (2, [5], 3)):
            yield f"{topology}-{n_in}-{n_out}", realise(random_network(rng, n_in, hidden, n_out), topology)
    yield "eight_diode", modelfile.load("netlists/eight_diode.json")
    yield "two-layer-diode", realise(random_network(rng, 2, [3, 2], 1), "diode")


@pytest.mark.parametrize("name,circuit", list(circuits()), ids=[name for name, _ in circuits()])
def test_the_placement_joins_the_pins_the_netlist_joins(name, circuit):
    elements = circuit_elements(circuit)
    placement = place(elements, opamp_part("TL074"))
    assert sorted(part.element.name for part in placement.parts) == sorted(e.name for e in elements)
    designator = {part.element.name: part.designator for part in placement.parts}
    assert differences(placement_nets(placement), netlist_nets(elements, designator)) == []


def test_the_check_finds_a_miswired_placement():
    circuit = modelfile.load("netlists/eight_diode.json")
    elements = circuit_elements(circuit)
    placement = place(elements)
    designator = {part.element.name: part.designator for part in placement.parts}
    wrong = [e._replace(nodes=("l1n2_h", "0")) if e.name == "Rl1n1_h_load" else e for e in elements]
    problems = differences(placement_nets(placement), netlist_nets(wrong, designator))
    assert any("l1n2_h" in problem for problem in problems)


def test_blocks_follow_the_node_names():
    cases = {
        resistor("y_sum_vref_inv", "vref_inv", "y_sum", 1e4): "y",
        resistor("y2_f", "y2", "y2_sum", 1e4): "y2",
        resistor("x1_inv_in", "x1", "x1_inv_sum", 1e4): "x1_inv",
        resistor("l1n3_h_inv_f", "l1n3_h_inv", "l1n3_h_inv_sum", 1e4): "l1n3_h_inv",
        resistor("l2n1_sum_l1n3_h_inv", "l1n3_h_inv", "l2n1_sum", 1e4): "l2n1",
        Element("Dl1n1_h", ("l1n1_a", "l1n1_h"), "D1N4148", "diode"): "l1n1",
        Element("Vvref_inv", ("vref_inv", "0"), "DC -1", "source"): "inputs",
        Element("Vx2", ("x2", "0"), "DC 0", "source"): "inputs",
    }
    assert {element.name: block_of(element) for element in cases} == {e.name: b for e, b in cases.items()}


def overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def test_no_two_parts_or_blocks_overlap():
    placement = place(circuit_elements(modelfile.load("netlists/three_class_diode.json")))
    boxes = []
    for part in placement.parts:
        xs, ys = [p.x_mm for p in part.pins], [p.y_mm for p in part.pins]
        boxes.append((part.sheet, min(xs) + 0.1, min(ys) - 1.0, max(xs) - 0.1, max(ys) + 1.0))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] == b[0] and overlaps(a[1:], b[1:])), (a, b)
    blocks = [(b.sheet, b.x_mm, b.y_mm, b.x_mm + b.width_mm, b.y_mm + b.height_mm) for b in placement.blocks]
    for i, a in enumerate(blocks):
        for b in blocks[i + 1:]:
            assert not (a[0] == b[0] and overlaps(a[1:], b[1:])), (a, b)


def test_a_large_circuit_has_one_sheet_per_layer(rng):
    circuit = realise(random_network(rng, 6, [SMALL_NEURONS + 2, 3], 2), "diode")
    placement = place(circuit_elements(circuit))
    assert len(placement.sheets) == 3
    sheets = {part.block: part.sheet for part in placement.parts}
    assert sheets["inputs"] == sheets["x1_inv"] == sheets["l1n1"] == 0
    assert sheets["l2n1"] == sheets.get("l1n1_h_inv", 1) == 1 and sheets["y1"] == 2
    on_grid = [abs(v / 2.54 - round(v / 2.54)) < 1e-6 for part in placement.parts for pin in part.pins
               for v in (pin.x_mm, pin.y_mm)]
    assert all(on_grid)


def test_op_amps_are_units_of_packages():
    elements = circuit_elements(modelfile.load("netlists/eight_diode.json"))
    placement = place(elements, opamp_part("TL074"))
    units = [part.designator for part in placement.parts if part.element.part == "opamp"]
    n_opamps = sum(element.part == "opamp" for element in elements)
    assert units[:5] == ["U1A", "U1B", "U1C", "U1D", "U2A"] and len(set(units)) == len(units) == n_opamps


def test_a_rail_limited_opamps_pins_are_read_from_its_expression():
    from circuitnet.build.pins import element_pins
    from circuitnet.model.devices import OpAmpModel
    model = OpAmpModel("rail_limited", v_pos=13.5, v_neg=-13.5)
    summer = model.element("l1n1_a", "l1n1_a", "0", "l1n1_sum")
    follower = model.element("f", "out", "in", "out")
    assert element_pins(summer) == (("out", "l1n1_a"), ("+", "0"), ("-", "l1n1_sum"))
    assert element_pins(follower) == (("out", "out"), ("+", "in"), ("-", "out"))


def test_a_rail_limited_circuit_is_placed_as_its_netlist_wires_it(rng):
    from circuitnet.model.devices import OpAmpModel
    circuit = realise(random_network(rng, 2, [3], 1), "precision", opamp=OpAmpModel("rail_limited"))
    elements = circuit_elements(circuit)
    placement = place(elements)
    designator = {part.element.name: part.designator for part in placement.parts}
    assert differences(placement_nets(placement), netlist_nets(elements, designator)) == []
