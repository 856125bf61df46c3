"""The KiCad schematic writer without KiCad: what it refuses, and that it writes the same file
twice. (tests/test_kicad.py checks its schematics in kicad-cli and ngspice.)"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pytest
from conftest import random_network

from circuitnet import OpAmpModel, realise
from circuitnet.build import kicad_checks
from circuitnet.build.kicad_models import KicadExportError, opamp_terminals
from circuitnet.build.kicad_schematic import paper_for, schematic_text, write_kicad_schematic
from circuitnet.build.kicad_sheet import Sheet
from circuitnet.build.placement import Placement, board_elements, on_the_board, place
from circuitnet.build.sexpr import loads
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.topologies import circuit_elements

TL074 = opamp_part("TL074")


@pytest.fixture
def circuit():
    return realise(random_network(np.random.default_rng(3), 2, [3], 1, zero_fraction=0.0), "diode",
                   opamp=OpAmpModel("finite_gain", part="TL074"))


def test_an_opamp_element_that_is_not_the_circuits_model_is_refused(circuit):
    opamp = next(e for e in circuit_elements(circuit) if e.part == "opamp")
    assert opamp_terminals(circuit, opamp) == (opamp.nodes[0], "0", opamp.nodes[3])
    other = opamp._replace(value="1000")  # another gain than the subcircuit's
    with pytest.raises(KicadExportError, match=rf"op-amp element {opamp.name} .* is not this circuit's op-amp"):
        opamp_terminals(circuit, other)


def test_two_nets_on_one_point_are_refused(circuit):
    elements = circuit_elements(circuit)
    stacked = place(elements, TL074)
    stacked = Placement(tuple(replace(part, x_mm=20.0, y_mm=20.0) for part in stacked.parts), stacked.sheets)
    with pytest.raises(KicadExportError, match=r"nets \S+ and \S+ meet at \([0-9.]+, [0-9.]+\) mm on the sheet"):
        schematic_text(circuit, stacked, elements)


def test_a_placement_of_other_elements_is_refused(circuit):
    elements = circuit_elements(circuit)
    placed = on_the_board(elements)  # (the modelled supply is never placed: dropping it would change nothing)
    with pytest.raises(KicadExportError, match="does not place exactly the circuit's elements"):
        schematic_text(circuit, place(placed[:-1], TL074), elements)


def test_the_same_circuit_writes_the_same_files(circuit, tmp_path):
    first = write_kicad_schematic(circuit, tmp_path / "a", input_volts=[0.5, -0.25])
    second = write_kicad_schematic(circuit, tmp_path / "b", input_volts=[0.5, -0.25])
    for a, b in ((first.schematic, second.schematic), (first.library, second.library)):
        assert a.read_text() == b.read_text()
    text = first.schematic.read_text()
    tree = loads(text)
    assert tree[0] == "kicad_sch"
    # the input sources carry the volts they were given, to 17 digits, as KiCad simulation fields
    assert '(property "Sim.Params" "dc=0.5"' in text and '(property "Sim.Params" "dc=-0.25"' in text
    # the op-amps are units of TL074 packages, simulated by the package subcircuit beside the schematic
    assert '(property "Sim.Name" "CN_TL074"' in text
    assert ".subckt CN_TL074 1 2 3 4 5 6 7 8 9 10 11 12 13 14" in first.library.read_text()


def test_a_missing_kicad_cli_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(kicad_checks.KicadCliError, match="kicad-cli .* is not installed; run 'make system-deps'"):
        kicad_checks.kicad_cli()


def test_the_schematic_is_the_placements_drawing(circuit):
    """place() puts its pins on the symbols' pin tips, so the sheet has its wires, one per
    placement wire, and its ground marks as ground ports."""
    elements = circuit_elements(circuit)
    placement = place(elements, TL074)
    text, _ = schematic_text(circuit, placement, elements)
    assert len(re.findall(r"\(wire\b", text)) == len(placement.wires) > 0
    assert text.count('(lib_id "power:GND")') >= len(placement.grounds) > 0


def test_a_placement_without_pins_gets_a_label_on_every_pin(circuit):
    elements = on_the_board(circuit_elements(circuit))  # (the modelled supply is the packages' supply pins)
    bare = place(elements, TL074)
    bare = Placement(tuple(replace(part, pins=()) for part in bare.parts), bare.sheets)
    text, _ = schematic_text(circuit, bare, elements)
    assert not re.findall(r"\(wire\b", text)
    labelled = sum(1 for e in elements for node in (e.nodes if e.part != "opamp" else opamp_terminals(circuit, e))
                   if node != "0")
    unused = 2 * 2  # the TL074's two unused amplifiers: output and - input on their own net
    assert len(re.findall(r"\(global_label\b", text)) == labelled + unused


def test_a_placement_of_single_opamps_for_quad_packages_is_refused(circuit):
    elements = circuit_elements(circuit)
    with pytest.raises(KicadExportError, match=r"op-amp designators are not units of TL074 packages \(4 amplifier"):
        schematic_text(circuit, place(elements), elements)


def test_a_sheet_past_a0_is_a_user_page_no_larger_than_kicad_takes():
    sheet = Sheet("circuit")
    sheet.claim((1500.0, 400.0), "x1")
    assert paper_for(sheet) == (1551.0, 451.0, ("paper", "User", 1551.0, 451.0))
    sheet.claim((5000.0, 700.0), "x2")
    assert paper_for(sheet)[2] == ("paper", "User", 3000.0, 751.0)
    sheet = Sheet("circuit")
    sheet.claim((300.0, 200.0), "x1")
    assert paper_for(sheet)[2] == ("paper", "A3")


def test_a_kicad_cli_that_hangs_is_stopped_with_a_clear_error(monkeypatch, tmp_path):
    fake = tmp_path / "kicad-cli"
    fake.write_text("#!/bin/sh\nexec /bin/sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(kicad_checks, "KICAD_TIMEOUT_S", 0.5)
    with pytest.raises(kicad_checks.KicadCliError, match=r"kicad-cli sch erc --format did not finish within 0.5 s"):
        kicad_checks.erc(tmp_path / "circuit.kicad_sch")


def test_the_kicad_timeout_grows_with_the_parts_of_the_schematic_and_its_sub_sheets(tmp_path):
    """A 784-100-10 classifier's ERC took 831 s on a busy machine, past the fixed 300 s it had:
    the timeout now adds KICAD_SECONDS_PER_PART for every part placed on the sheets."""
    part = '(symbol (lib_id "circuitnet:R") (at 0 0 0) (unit 1))\n'
    (tmp_path / "circuit.kicad_sch").write_text(
        "(kicad_sch\n" + part * 3 + '(sheet (property "Sheetfile" "circuit-2.kicad_sch"))\n'
        '(sheet (property "Sheetfile" "circuit-2.kicad_sch"))\n)\n')  # one sub-sheet, named twice: read once
    (tmp_path / "circuit-2.kicad_sch").write_text("(kicad_sch\n" + part * 2 + ")\n")
    assert kicad_checks.placed_parts(tmp_path / "circuit.kicad_sch") == 5
    assert kicad_checks.kicad_timeout_s(tmp_path / "circuit.kicad_sch") == pytest.approx(
        kicad_checks.KICAD_TIMEOUT_S + 5 * kicad_checks.KICAD_SECONDS_PER_PART)
    parts_784 = 82_000  # about the 784-100-10 classifier's resistors, diodes and op-amps
    assert kicad_checks.KICAD_TIMEOUT_S + parts_784 * kicad_checks.KICAD_SECONDS_PER_PART > 2 * 831


def symbol_instances(text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(lib_id, Reference, {property: value}) of every placed symbol of a schematic."""
    found = []
    for node in loads(text)[1:]:
        if isinstance(node, list) and node[0] == "symbol":
            lib_id = next(item[1] for item in node if isinstance(item, list) and item[0] == "lib_id")
            properties = {item[1]: item[2] for item in node if isinstance(item, list) and item[0] == "property"}
            found.append((lib_id, properties["Reference"], properties))
    return found


def test_every_part_of_the_board_has_a_through_hole_footprint_from_kicads_libraries(circuit, tmp_path):
    """Resistors axial (a 1/2 W one the larger body), the diode DO-35, the TL074 a DIP-14, the
    decoupling capacitors discs, the simulation sources 2-pin headers; power symbols none."""
    from circuitnet.build import footprints

    elements = board_elements(circuit)
    placement = place(elements, TL074)
    heavy = next(p.designator for p in placement.parts if p.element.part == "resistor")
    text, _ = schematic_text(circuit, placement, elements, TL074, {heavy: footprints.resistor_footprint(0.5)})
    by_prefix: dict[str, set[str]] = {}
    for lib_id, reference, properties in symbol_instances(text):
        if lib_id.startswith("power:"):
            assert "Footprint" not in properties
            continue
        assert properties["Footprint"].count(":") == 1, (reference, properties)
        if reference != heavy:
            by_prefix.setdefault(reference.rstrip("0123456789"), set()).add(properties["Footprint"])
    assert by_prefix == {"R": {"Resistor_THT:R_Axial_DIN0207_L6.3mm_D2.5mm_P10.16mm_Horizontal"},
                         "D": {"Diode_THT:D_DO-35_SOD27_P7.62mm_Horizontal"},
                         "U": {"Package_DIP:DIP-14_W7.62mm"}, "C": {"Capacitor_THT:C_Disc_D5.0mm_W2.5mm_P5.00mm"},
                         "V": {"Connector_PinHeader_2.54mm:PinHeader_1x02_P2.54mm_Vertical"}}
    assert f'(property "Footprint" "{footprints.RESISTORS[1][1]}"' in text  # the 1/2 W resistor's


def test_a_footprint_missing_from_the_installed_libraries_is_found(tmp_path):
    from circuitnet.build import footprints

    library = tmp_path / "Package_DIP.pretty"
    library.mkdir()
    (library / "DIP-8_W7.62mm.kicad_mod").write_text("(footprint)")
    assert footprints.missing_footprints(footprints.DIP.values(), tmp_path) == ["Package_DIP:DIP-14_W7.62mm"]
    used = [*(name for _, name in footprints.RESISTORS), footprints.DIODE, footprints.CAPACITOR,
            footprints.REFERENCE, footprints.SOURCE, *footprints.DIP.values()]
    assert footprints.missing_footprints(used) == []  # where KiCad's libraries are installed, they have them all
    assert footprints.resistor_footprint(1.0).startswith("Resistor_THT:R_Axial_DIN0414")


def test_a_large_placement_splits_into_sub_sheets_of_whole_blocks(rng):
    """A large circuit's columns are as tall as its tallest block, many neurons each: the
    sub-sheets are blocks, column by column, past sheet_parts parts a new one; every item of
    a block is on its block's sub-sheet, the supply row on the first."""
    from circuitnet.build import kicad_hierarchy
    from circuitnet.build.kicad_schematic import sheet_offsets
    from circuitnet.build.kicad_sheet import placed

    circuit = realise(random_network(rng, 3, [20], 2, zero_fraction=0.0), "diode",
                      opamp=OpAmpModel("finite_gain", part="TL074"))
    placement = place(board_elements(circuit), TL074)
    offsets = sheet_offsets(placement)
    where = kicad_hierarchy.regions(placement, offsets, sheet_parts=30)
    by_block = placement.by_block()
    groups = {}
    for block in placement.blocks:
        parts = by_block[block.name]
        inside = {where.group_at(p.x_mm + offsets[p.sheet], p.y_mm) for p in parts}
        assert len(inside) == 1, block.name  # a block is never split
        groups.setdefault(inside.pop(), []).append(len(parts))
    assert len(groups) > len(where.columns)  # columns are split too
    assert all(sum(sizes) <= 30 or len(sizes) == 1 for sizes in groups.values())
    items = [placed("(wire a)", (offsets[1] + 30.0, 40.0)), placed("(symbol supply)", (900.0, 1e4))]
    first, *_ = kicad_hierarchy.split(items, where, supplies_from_y=5e3)
    assert "(symbol supply)" in first
