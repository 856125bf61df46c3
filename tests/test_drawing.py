"""The schematic as drawn: its own elements (schemdraw's parts, wires, net labels and ground
marks, read back from the drawing) join exactly the pins the SPICE netlist joins, for every
topology; and the golden 8-neuron diode circuit's sheet is legible on A4."""

import numpy as np
import pytest
from conftest import random_network, series_paired

from circuitnet import realise
from circuitnet.build.connectivity import differences, drawn_nets, netlist_nets
from circuitnet.build.drawing import INCHES_PER_UNIT, drawn_geometry, drawn_parts, text_boxes
from circuitnet.build.placement import board_elements, place
from circuitnet.build.schematic import FONT_SIZE, draw_sheets
from circuitnet.formats import modelfile
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.topologies import TOPOLOGIES, circuit_elements

A4_LANDSCAPE_MM = (297.0, 210.0)
SMALLEST_PRINTED_PT = 5.0  # text height on paper, at least (KiCad's default text is 1.27 mm, 5 pt)


def cases():
    """Every topology on a 1-input and a 2-input model, and on a small classifier."""
    rng = np.random.default_rng(7)
    for topology in sorted(TOPOLOGIES):  # the registry's, every one
        for n_in, hidden, n_out in ((1, [3], 1), (2, [4], 1), (2, [5], 3)):
            yield f"{topology}-{n_in}in-{n_out}out", realise(random_network(rng, n_in, hidden, n_out), topology)


CASES = list(cases())


def drawn(circuit):
    elements = board_elements(circuit)
    placement = place(elements, opamp_part("TL074"))
    (sheet,) = draw_sheets(placement, "test", opamp_part("TL074"))
    return elements, placement, sheet


@pytest.mark.parametrize("name,circuit", CASES, ids=[name for name, _ in CASES])
def test_the_drawing_joins_the_pins_the_netlist_joins(name, circuit):
    elements, placement, sheet = drawn(circuit)
    parts = drawn_parts(sheet.drawing)
    designator = {part.element.name: part.designator for part in placement.parts}
    assert sorted(part.designator for part in parts) == sorted(designator.values())  # each element once
    assert differences(drawn_nets(*drawn_geometry(sheet.drawing)), netlist_nets(elements, designator)) == []


def test_a_series_pair_is_drawn_as_its_two_parts_on_a_net_of_their_own():
    """A resistor fit --e-series-pairs made of two E24 parts is drawn as both (R12A, R12B),
    joined by a net of their own, and the drawing still joins what the netlist joins."""
    circuit = series_paired(realise(random_network(np.random.default_rng(5), 2, [4], 1), "diode"))
    elements, placement, sheet = drawn(circuit)
    assert len(elements) > len(circuit_elements(circuit))  # pairs are two elements
    designator = {part.element.name: part.designator for part in placement.parts}
    pairs = [name for name in designator if name.endswith("_pa")]
    assert len(pairs) >= 10
    nets = drawn_nets(*drawn_geometry(sheet.drawing))
    for name in pairs:
        number = designator[name][:-1]
        assert designator[name] == number + "A" and designator[name[:-3] + "_pb"] == number + "B"
        middle = f"{name[:-3].lower()}_mid"
        assert nets[frozenset({(number + "A", "2"), (number + "B", "1")})] <= {middle}
    assert differences(nets, netlist_nets(elements, designator)) == []


def test_the_drawing_check_finds_a_wire_that_is_not_drawn():
    elements, placement, sheet = drawn(CASES[0][1])
    lines = [e for e in sheet.drawing.elements if type(e).__name__ == "Line"]
    sheet.drawing.elements.remove(lines[len(lines) // 2])
    designator = {part.element.name: part.designator for part in placement.parts}
    assert differences(drawn_nets(*drawn_geometry(sheet.drawing)), netlist_nets(elements, designator))


@pytest.fixture(scope="module")
def eight_diode_sheet():
    circuit = modelfile.load("netlists/eight_diode.json")
    return drawn(circuit)[2]


def overlapping(boxes):
    found = []
    for i, (text_a, a) in enumerate(boxes):
        for text_b, b in boxes[i + 1:]:
            if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]:
                found.append((text_a, text_b))
    return found


def test_no_two_labels_of_the_eight_neuron_sheet_overlap(eight_diode_sheet):
    boxes = text_boxes(eight_diode_sheet.drawing)
    assert len(boxes) > 100  # every part's designator and value, every net label
    assert overlapping(boxes) == []


def test_the_overlap_check_sees_overlapping_labels():
    boxes = [("R1 10k", (0.0, 0.0, 4.0, 1.0)), ("x1", (3.5, 0.5, 5.0, 1.5)), ("far", (9.0, 9.0, 10.0, 10.0))]
    assert overlapping(boxes) == [("R1 10k", "x1")]


def test_the_eight_neuron_sheet_printed_on_a4_keeps_its_text_legible(eight_diode_sheet):
    box = eight_diode_sheet.drawing.get_bbox()
    width_mm = (box.xmax - box.xmin) * INCHES_PER_UNIT * 25.4
    height_mm = (box.ymax - box.ymin) * INCHES_PER_UNIT * 25.4
    scale = min(A4_LANDSCAPE_MM[0] / width_mm, A4_LANDSCAPE_MM[1] / height_mm, 1.0)
    assert FONT_SIZE * scale >= SMALLEST_PRINTED_PT, (width_mm, height_mm)


def test_a_large_circuits_sheets_draw_one_neuron_and_one_inverter_as_the_netlist_wires_them(rng):
    """Past 16 neurons a sheet per layer, each drawing its first inverter and first neuron in
    full: their drawn pins are joined as the netlist joins those parts' pins."""
    from circuitnet.build.placement import SMALL_NEURONS
    circuit = realise(random_network(rng, 3, [SMALL_NEURONS + 1], 2, zero_fraction=0.0), "diode")
    elements = circuit_elements(circuit)
    placement = place(elements, opamp_part("TL074"))
    sheets = draw_sheets(placement, "test", opamp_part("TL074"))
    first_inverters = [[b.name for b in placement.blocks if b.sheet == k and b.name.endswith("_inv")][:1]
                       for k in range(2)]
    assert [sheet.blocks for sheet in sheets] == [first_inverters[0] + ["l1n1"], first_inverters[1] + ["y1"]]
    assert first_inverters[0] == ["x1_inv"]
    designator = {part.element.name: part.designator for part in placement.parts}
    for sheet in sheets:
        drawn_elements = [part.element for part in placement.parts if part.block in sheet.blocks]
        assert sorted(p.designator for p in drawn_parts(sheet.drawing)) == sorted(
            designator[e.name] for e in drawn_elements)
        assert differences(drawn_nets(*drawn_geometry(sheet.drawing)), netlist_nets(drawn_elements, designator)) == []
    table = [text for text, _ in text_boxes(sheets[0].drawing) if text.startswith("| l1n")]
    assert len(table) == SMALL_NEURONS + 1  # a row for every neuron of the layer
