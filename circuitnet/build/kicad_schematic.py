"""The circuit as a KiCad schematic (``circuit.kicad_sch``, KiCad 7 format and later), with
the SPICE models of its parts (``circuit.lib``) and a project file (``circuit.kicad_pro``)
beside it.

Every element of circuitnet's netlist is one symbol (``kicad_parts``) at its place in the
shared Placement (``placement.place``: its millimetres and rotations, on KiCad's grid), with
its designator. Where the placement's pins fall on the symbols' pin tips (they do for
``placement.place``), the sheet has the placement's own wires, net labels and ground marks,
so it is the same drawing as ``schematic.svg``; otherwise every pin carries a label with its
net. Either way the labels are global labels with circuitnet's node names (``x1``,
``vref_inv``, ``l1n1_sum``, ``y``), so KiCad's nets are circuitnet's nodes by name. The
placement's sheets (a large circuit has one per layer) sit side by side on the one KiCad sheet.

Below the circuit sit the parts circuitnet's netlist does not simulate but a board needs: each
op-amp package's supply unit with two 100 nF decoupling capacitors, the unused amplifiers of
the last package (wired as grounded followers), the two supply sources and the PWR_FLAGs that
tell ERC the rails are driven. circuitnet's accuracy options are on the sheet as a SPICE
directive, so KiCad's SPICE export simulates as circuitnet's netlists do.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from ..model.circuit import Circuit
from ..model.elements import Element
from ..model.opamp_parts import OpAmpPart, opamp_part
from ..topologies.shared_blocks import ACCURACY_OPTIONS, sources
from ..util.atomic import write_text_atomically
from . import footprints
from . import kicad_hierarchy as hierarchy
from . import kicad_symbols as symbols
from .kicad_models import LIBRARY_FILE, KicadExportError, library_text
from .kicad_parts import PartSymbol, dc_source_fields, on_grid, package_fields, package_reference, part_symbol, unit_of
from .kicad_sheet import FONT, Point, Sheet, add_label, add_symbol, add_wire, connect, pin_tip
from .pins import is_controlled_source
from .placement import PlacedPart, Placement, board_elements, check_buildable, on_the_board, place
from .sexpr import Atom, dumps

SCHEMATIC_FILE = "circuit.kicad_sch"
PROJECT = "circuit"
PROJECT_FILE = "circuit.kicad_pro"
FORMAT_VERSION = 20230121  # KiCad 7's schematic format: KiCad 7, 8 and 9 open it
DECOUPLING = "100n"
USER_PAPER_MAX_MM = 3000.0  # KiCad's largest page is 120 inches (3048 mm) a side; it cuts a larger one
PAPERS = (("A4", 297.0, 210.0), ("A3", 420.0, 297.0), ("A2", 594.0, 420.0), ("A1", 841.0, 594.0), ("A0", 1189.0, 841.0))


@dataclass(frozen=True)
class KicadFiles:
    """What write_kicad_schematic wrote: the schematic, the SPICE library beside it and the
    project file that opens both."""

    schematic: Path
    library: Path
    project: Path
    sub_sheets: tuple[Path, ...] = ()  # a large circuit's (kicad_hierarchy), which the schematic holds


def write_kicad_schematic(circuit: Circuit, folder: str | Path, placement: Placement | None = None,
                          input_volts=None, opamp: OpAmpPart | None = None,
                          resistor_footprints: Mapping[str, str] | None = None,
                          sheet_parts: int | None = None) -> KicadFiles:
    """Write ``circuit.kicad_sch``, ``circuit.lib`` and ``circuit.kicad_pro`` into ``folder``
    (atomically, each; nothing is written when the circuit or placement is refused).

    placement: where every part goes (default: ``place`` of the circuit's elements with the
        op-amp part). input_volts: shape (n_inputs,), the DC volts of the input sources (0).
    opamp: the op-amp part whose packages the op-amps are units of (default: the one the
        circuit's op-amp model names, else a generic single op-amp); the simulated model is
        the circuit's either way.
    resistor_footprints: designator -> footprint for resistors rated above 1/4 W (bom.csv's
        ratings; ``footprints.resistor_footprint``); every other resistor is a 1/4 W part.
    sheet_parts: a circuit of more parts is a hierarchy of sub-sheets of about that many
        (``kicad_hierarchy``; default ``kicad_hierarchy.SHEET_PARTS``), written beside it.
    """
    check_buildable(circuit)
    opamp = opamp or (opamp_part(circuit.opamp.part) if circuit.opamp.part else None)
    entries = board_elements(circuit)  # the modelled supply is the packages' supply pins; pairs are two parts
    if input_volts is not None:  # the same elements with the input sources at these volts
        held = {e.name: e for e in sources(circuit, input_volts) if isinstance(e, Element)}
        entries = [held.get(e.name, e) for e in entries]
    placement = placement or place(entries, opamp)
    texts, library = schematic_documents(circuit, placement, entries, opamp, resistor_footprints,
                                         sheet_parts=sheet_parts or hierarchy.SHEET_PARTS)
    folder = Path(folder)
    library_path = write_text_atomically(folder / LIBRARY_FILE, library)
    project = write_text_atomically(folder / PROJECT_FILE, project_text())
    sub_sheets = tuple(write_text_atomically(folder / name, text) for name, text in texts.items()
                       if name != SCHEMATIC_FILE)
    return KicadFiles(write_text_atomically(folder / SCHEMATIC_FILE, texts[SCHEMATIC_FILE]), library_path, project,
                      sub_sheets)


def project_text() -> str:
    """The project file. KiCad resolves a symbol's relative Sim.Library against the project's
    folder, so the schematic needs one to simulate or export; its ERC settings ignore
    "symbol library not configured" (the symbols are embedded in the schematic on purpose) and
    "footprint library not configured": the footprints are KiCad's standard ones (checked in
    ``footprints``), and a KiCad whose footprint table lacks them (kicad-cli in a fresh HOME)
    would warn once per symbol; the PCB editor says so when it needs them."""
    settings = {"meta": {"filename": PROJECT_FILE, "version": 1},
                "erc": {"rule_severities": {"lib_symbol_issues": "ignore", "footprint_link_issues": "ignore"}}}
    return json.dumps(settings, indent=2) + "\n"


def package_of(circuit: Circuit, opamp: OpAmpPart | None = None) -> tuple[str, int]:
    """(package symbol name, amplifiers per package): ``opamp``, else the circuit's op-amp
    part, else a generic single op-amp."""
    part = opamp or (opamp_part(circuit.opamp.part) if circuit.opamp.part else None)
    return ("OPAMP", 1) if part is None else (part.name, part.amplifiers_per_package)


def schematic_text(circuit: Circuit, placement: Placement, entries: list[Element], opamp: OpAmpPart | None = None,
                   resistor_footprints: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(the .kicad_sch text, the SPICE library text) of the placed elements ``entries`` (the
    placement's parts, by name; the sources' values are the entries'), op-amps as units of
    ``opamp`` packages (see package_of), on one flat sheet. The op-amps' modelled supply among
    ``entries`` is left out (``on_the_board``): on the board it is the packages' supply pins.
    resistor_footprints: as write_kicad_schematic's."""
    files, library = schematic_documents(circuit, placement, entries, opamp, resistor_footprints, sheet_parts=None)
    return files[SCHEMATIC_FILE], library


def schematic_documents(circuit: Circuit, placement: Placement, entries: list[Element], opamp: OpAmpPart | None = None,
                        resistor_footprints: Mapping[str, str] | None = None,
                        *, sheet_parts: int | None) -> tuple[dict[str, str], str]:
    """({file name: text} of the schematic, the SPICE library text), as schematic_text's, but
    a circuit of more than ``sheet_parts`` parts as a hierarchy of sub-sheets of about that
    many (``kicad_hierarchy``: KiCad's ERC takes far less time on them); None: one sheet."""
    entries = on_the_board(entries)
    package, per_package = package_of(circuit, opamp)
    placed = placement.by_element()
    if set(placed) != {e.name for e in entries}:
        raise KicadExportError("the placement does not place exactly the circuit's elements; place them again "
                               "from placement.board_elements(circuit)")
    lettered = {part.designator[-1] in "ABCD" for part in placement.parts if part.element.part == "opamp"}
    if lettered and lettered != {per_package > 1}:
        raise KicadExportError(f"the placement's op-amp designators are not units of {package} packages "
                               f"({per_package} amplifier(s) each); place the circuit with its op-amp part")
    offsets = sheet_offsets(placement)
    chosen = [replace(placed[e.name], element=e) for e in entries]
    parts = [(part, part_symbol(circuit, part, package, per_package, offsets[part.sheet], resistor_footprints))
             for part in chosen]
    wired = all(follows_placement(symbol, part, offsets[part.sheet]) for part, symbol in parts)
    sheet = Sheet(PROJECT)
    for part, symbol in parts:
        nets = {number: net for number, (_, net) in symbol.pins.items()}
        tips = add_symbol(sheet, symbol.symbol, symbol.unit, symbol.reference, symbol.at, symbol.fields,
                          {} if wired else nets, key=part.element.name, mirror=symbol.mirror)
        for number, net in nets.items() if wired else ():
            sheet.claim(tips[number], net)
            sheet.touch(tips[number])
    if wired:
        draw_wiring(sheet, placement, offsets)
    bottom = max((y for _, y in sheet.nets_at), default=0.0) + 25.4
    add_supplies(sheet, circuit, package, per_package, placement, bottom)
    _, height, paper = paper_for(sheet)
    directives = ["* circuitnet's accuracy options (its netlists carry the same)", ACCURACY_OPTIONS]
    sheet.texts.append(("text", "\n".join(directives), ("at", 25.4, height - 20.32, 0),
                        ("effects", FONT, ("justify", Atom("left"), Atom("bottom"))),
                        ("uuid", sheet.uid("directives"))))
    title = (f"circuitnet {circuit.topology} circuit: {circuit.n_inputs} input(s), hidden "
             f"{list(circuit.hidden_sizes)}, {circuit.n_outputs} output(s)")
    head = [("version", FORMAT_VERSION), ("generator", Atom("circuitnet")), ("uuid", sheet.root), paper,
            ("title_block", ("title", title), ("comment", 1, "made by circuitnet build; nets are circuitnet's nodes"))]
    library = ("lib_symbols", *(symbol.node() for symbol in sheet.library.values()))
    junctions = sheet.junctions()
    items = [*junctions, *sheet.wires, *sheet.labels, *sheet.symbols]
    gains = [str(e.value) for e in entries if is_controlled_source(e)]
    models = library_text(circuit, package, per_package, gains)
    if sheet_parts is not None and len(placement.parts) > sheet_parts:
        groups = hierarchy.split(items, hierarchy.regions(placement, offsets, sheet_parts), bottom - 12.7)
        return hierarchy.documents(sheet, groups, library, head, sheet.texts), models
    document = ("kicad_sch", *head, library, *junctions, *sheet.wires, *sheet.texts, *sheet.labels, *sheet.symbols,
                ("sheet_instances", ("path", "/", ("page", "1"))))
    return {SCHEMATIC_FILE: dumps(document) + "\n"}, models


def follows_placement(symbol: PartSymbol, part: PlacedPart, x_offset: float) -> bool:
    """Whether the symbol's pin tips are the placement's pins (same points, same nets), so the
    placement's wires end on them."""
    x, y, rotation = symbol.at
    tips = {name: (pin_tip(symbol.symbol.pin(symbol.unit, number), x, y, rotation, symbol.mirror)[0], net)
            for number, (name, net) in symbol.pins.items()}
    wanted = {pin.name: ((round(pin.x_mm + x_offset, 4), round(pin.y_mm, 4)), pin.net) for pin in part.pins}
    return bool(part.pins) and tips == wanted


def draw_wiring(sheet: Sheet, placement: Placement, offsets: dict[int, float]) -> None:
    """The placement's wires, net labels (text left or right of their point) and ground marks."""
    for k, wire in enumerate(placement.wires):
        dx = offsets[wire.sheet]
        start, end = (round(wire.x1_mm + dx, 4), wire.y1_mm), (round(wire.x2_mm + dx, 4), wire.y2_mm)
        sheet.claim(start, wire.net)
        sheet.claim(end, wire.net)
        add_wire(sheet, start, end, key=f"{k}")
    for k, label in enumerate(placement.labels):
        point = (round(label.x_mm + offsets[label.sheet], 4), label.y_mm)
        connect(sheet, label.net, point, 180 if label.side == "left" else 0, key=f"label{k}")
    for k, ground in enumerate(placement.grounds):
        connect(sheet, "0", (round(ground.x_mm + offsets[ground.sheet], 4), ground.y_mm), 270, key=f"ground{k}")
    # a net inside one block is wired, not labelled: name it on its longest wire, so that every
    # KiCad net is circuitnet's node by name
    named = {label.net for label in placement.labels} | {"0"}
    longest: dict[str, tuple[float, Point]] = {}
    for wire in placement.wires:
        length = abs(wire.x2_mm - wire.x1_mm) + abs(wire.y2_mm - wire.y1_mm)
        if wire.net not in named and length > longest.get(wire.net, (-1.0, (0.0, 0.0)))[0]:
            longest[wire.net] = (length, (round(wire.x1_mm + offsets[wire.sheet], 4), wire.y1_mm))
    # where two parts meet pin to pin (a series pair's parts) there is no wire: name it at the pin
    for part in placement.parts:
        for pin in part.pins:
            if pin.net not in named and pin.net not in longest:
                longest[pin.net] = (0.0, (round(pin.x_mm + offsets[part.sheet], 4), pin.y_mm))
    for net, (_, point) in sorted(longest.items()):
        add_label(sheet, net, point, 90, key=f"name:{net}")


def sheet_offsets(placement: Placement) -> dict[int, float]:
    """Sheet index -> the x offset, mm, that puts the placement's sheets side by side on the
    one KiCad sheet (a large circuit's layers, left to right), 50.8 mm apart."""
    widths: dict[int, float] = {}
    for part in placement.parts:
        widths[part.sheet] = max(widths.get(part.sheet, 0.0), part.x_mm)
    for wire in placement.wires:
        widths[wire.sheet] = max(widths.get(wire.sheet, 0.0), wire.x1_mm, wire.x2_mm)
    for label in placement.labels:
        widths[label.sheet] = max(widths.get(label.sheet, 0.0), label.x_mm)
    for ground in placement.grounds:
        widths[ground.sheet] = max(widths.get(ground.sheet, 0.0), ground.x_mm)
    offsets, x = {}, 0.0
    for index in sorted(widths):
        offsets[index] = x
        x += on_grid(widths[index] + 50.8, 2.54)
    return offsets


def add_supplies(sheet: Sheet, circuit: Circuit, package: str, per_package: int, placement: Placement,
                 top: float) -> None:
    """The board's parts off circuitnet's netlist, in a row at height ``top`` mm: per package
    its supply unit and decoupling capacitors, the unused amplifiers, the supply sources, the
    PWR_FLAGs."""
    v_plus, v_minus = f"+{circuit.opamp.v_pos:g}V", f"{circuit.opamp.v_neg:g}V"
    used: dict[str, set[int]] = {}
    for part in placement.parts:
        if part.element.part == "opamp":
            used.setdefault(package_reference(part.designator), set()).add(unit_of(part.designator))
    symbol = symbols.opamp_package(package, per_package)
    fields = package_fields(package, per_package)
    x = 25.4
    for reference in sorted(used, key=lambda name: int(name[1:])):
        supply_pins = dict(zip(symbols.PINOUTS[per_package][1], (v_plus, v_minus), strict=True))
        add_symbol(sheet, symbol, per_package + 1, reference, (x, top, 0), fields, supply_pins,
                   key=f"{reference}:power")
        for k, rail in enumerate((v_plus, v_minus)):
            capacitor = sheet.next_reference("C")
            add_symbol(sheet, symbols.capacitor(), 1, capacitor, (x + 12.7 + 10.16 * k, top, 0),
                       [("Value", DECOUPLING), ("Footprint", footprints.CAPACITOR), ("Sim.Device", "C"),
                        ("Sim.Params", "c=100n")],
                       {"1": rail, "2": "0"} if k == 0 else {"1": "0", "2": rail}, key=capacitor)
        for unit in sorted(set(range(1, per_package + 1)) - used[reference]):
            out_pin, minus_pin, plus_pin = symbols.PINOUTS[per_package][0][unit - 1]
            follower = f"{reference}{'ABCD'[unit - 1]}_unused"
            x += 33.02
            add_symbol(sheet, symbol, unit, reference, (x, top, 0), fields,
                       {out_pin: follower, minus_pin: follower, plus_pin: "0"}, key=follower, mirror=True)
        x += 38.1
    n_sources = sum(part.element.part == "source" for part in placement.parts)
    rails = ((v_plus, circuit.opamp.v_pos), (v_minus, circuit.opamp.v_neg)) if used else ()  # (none: no op-amp)
    for k, (rail, volts) in enumerate(rails):
        # + terminal up: the positive supply's on its rail, the negative supply's on ground
        pins = {"1": rail, "2": "0"} if volts > 0 else {"1": "0", "2": rail}
        tips = add_symbol(sheet, symbols.dc_source(), 1, f"V{n_sources + k + 1}", (x, top, 0),
                          dc_source_fields(abs(volts)), pins, key=f"supply:{rail}")
        flag = sheet.next_reference("#FLG")
        tip = tips["1" if volts > 0 else "2"]
        add_symbol(sheet, symbols.power_flag(), 1, flag, (tip[0] + 5.08, tip[1], 0), [("Value", "PWR_FLAG")],
                   {"1": rail}, key=flag)
        x += 25.4
    ground_flag = sheet.next_reference("#FLG")
    add_symbol(sheet, symbols.power_flag(), 1, ground_flag, (x, top, 0), [("Value", "PWR_FLAG")], {"1": "0"},
               key=ground_flag)


def paper_for(sheet: Sheet) -> tuple[float, float, tuple]:
    """(width, height, the ``(paper ...)`` node) of the smallest ISO sheet (landscape) that
    holds every point, with a 25 mm margin; past A0, a user-sized sheet (``(paper "User" w h)``),
    at most USER_PAPER_MAX_MM a side: KiCad cuts a larger page to 3048 mm (checked: a 4000 mm
    page prints 3048 mm wide), and a larger circuit's parts run on past the page's border,
    where KiCad keeps and checks them all the same."""
    xs = [x for x, _ in sheet.nets_at] or [0.0]
    ys = [y for _, y in sheet.nets_at] or [0.0]
    need_w, need_h = max(xs) + 50.8, max(ys) + 50.8
    for name, width, height in PAPERS:
        if need_w <= width and need_h <= height:
            return width, height, ("paper", name)
    width, height = (float(round(min(side, USER_PAPER_MAX_MM))) for side in (need_w, need_h))
    return width, height, ("paper", "User", width, height)
