"""The circuit as a KiCad schematic (``circuit.kicad_sch``, KiCad 7 format and later), with
the SPICE models of its parts (``circuit.lib``) beside it.

Every element of circuitnet's netlist is one symbol at its place in the shared Placement
(``placement.place``, its millimetres and rotations, on KiCad's 1.27 mm grid), with its
designator; the op-amps mirrored so that their inverting input is on top, as the placement
draws them. Nets are made by labels: every pin's tip carries a label with circuitnet's node
name (``x1``, ``vref_inv``, ``l1n1_sum``, ``y``), or a ground port for node 0, so KiCad's
nets are circuitnet's nodes by name. The placement's sheets (a large circuit has one per
layer) sit side by side on the one KiCad sheet. Below the circuit sit the parts circuitnet's netlist does
not simulate but a board needs: each op-amp package's supply unit with its two 100 nF
decoupling capacitors, the unused amplifiers of the last package (wired as grounded
followers), the two supply sources and the PWR_FLAGs that tell ERC the rails are driven.

Each symbol carries its simulation model in KiCad's own fields (Sim.Device, Sim.Type,
Sim.Params, Sim.Library, Sim.Name, Sim.Pins), so KiCad's SPICE export of this schematic is
the circuit circuitnet simulates: resistors to 17 digits, the diode's ``.model``, the op-amps
as packages whose subcircuit is circuitnet's op-amp model, and the input and reference
sources as DC simulation sources. The accuracy options of circuitnet's netlists are on the
sheet as SPICE directives.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..model.circuit import Circuit
from ..model.elements import Element, number
from ..model.opamp_parts import opamp_part
from ..topologies import circuit_elements
from ..topologies.shared_blocks import ACCURACY_OPTIONS, sources
from ..util.atomic import write_text_atomically
from . import kicad_symbols as symbols
from .kicad_models import LIBRARY_FILE, KicadExportError, library_text, opamp_terminals, package_pins, subcircuit_name
from .kicad_symbols import Symbol
from .placement import Placement, place
from .sexpr import Atom, dumps

SCHEMATIC_FILE = "circuit.kicad_sch"
PROJECT = "circuit"
PROJECT_FILE = "circuit.kicad_pro"
FORMAT_VERSION = 20230121  # KiCad 7's schematic format: KiCad 7, 8 and 9 open it
# KiCad rotation of each symbol at the placement's rotation 0 (pin 1 left of pin 2; our
# vertical symbols have pin 1 on top), and the op-amps mirrored (- input on top).
_TURN = {"resistor": 90, "source": 90, "diode": 0, "opamp": 0}
GRID_MM = 1.27
DECOUPLING = "100n"
PAPERS = (("A4", 297, 210), ("A3", 420, 297), ("A2", 594, 420), ("A1", 841, 594), ("A0", 1189, 841))
_NAMESPACE = uuid.UUID("5d1f2f3e-9c55-4c39-9d6e-2f0c6a6b7e21")


@dataclass(frozen=True)
class KicadFiles:
    """What write_kicad_schematic wrote: the schematic, the SPICE library beside it and the
    project file that opens both."""

    schematic: Path
    library: Path
    project: Path


@dataclass
class Sheet:
    """The schematic's items as they are added: placed symbols, labels, texts (S-expression
    nodes), and the point -> net map that refuses two nets meeting at one point."""

    symbols: list[tuple] = field(default_factory=list)
    labels: list[tuple] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)
    library: dict[str, Symbol] = field(default_factory=dict)
    nets_at: dict[tuple[float, float], str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def uid(self, key: str) -> str:
        """A uuid fixed by what the item is, so the same circuit writes the same file."""
        return str(uuid.uuid5(_NAMESPACE, key))

    def next_reference(self, prefix: str) -> str:
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]:02d}" if prefix.startswith("#") else f"{prefix}{self.counts[prefix]}"


def write_kicad_schematic(circuit: Circuit, folder: str | Path, placement: Placement | None = None,
                          input_volts=None) -> KicadFiles:
    """Write ``circuit.kicad_sch`` and ``circuit.lib`` into ``folder`` (atomically, each).

    placement: where every part goes (default: ``place`` of the circuit's elements with its
        op-amp part). input_volts: shape (n_inputs,), the DC volts of the input sources (0).
    """
    opamp = opamp_part(circuit.opamp.part) if circuit.opamp.part else None
    entries = circuit_elements(circuit)
    if input_volts is not None:  # the same elements with the input sources at these volts
        held = {e.name: e for e in sources(circuit, input_volts) if isinstance(e, Element)}
        entries = [held.get(e.name, e) for e in entries]
    placement = placement or place(entries, opamp)
    text, library = schematic_text(circuit, placement, entries)
    folder = Path(folder)
    library_path = write_text_atomically(folder / LIBRARY_FILE, library)
    project = write_text_atomically(folder / PROJECT_FILE, project_text())
    return KicadFiles(write_text_atomically(folder / SCHEMATIC_FILE, text), library_path, project)


def project_text() -> str:
    """The project file. KiCad resolves a symbol's relative Sim.Library against the project's
    folder, so the schematic needs one to simulate or export; its ERC settings ignore
    "symbol library not configured": the symbols are embedded in the schematic on purpose."""
    settings = {"meta": {"filename": PROJECT_FILE, "version": 1},
                "erc": {"rule_severities": {"lib_symbol_issues": "ignore"}}}
    return json.dumps(settings, indent=2) + "\n"


def package_of(circuit: Circuit) -> tuple[str, int]:
    """(package symbol name, amplifiers per package): the circuit's op-amp part, or a generic
    single op-amp when its model names none."""
    if circuit.opamp.part is None:
        return "OPAMP", 1
    part = opamp_part(circuit.opamp.part)
    return part.name, part.amplifiers_per_package


def schematic_text(circuit: Circuit, placement: Placement, entries: list[Element]) -> tuple[str, str]:
    """(the .kicad_sch text, the SPICE library text) of a placed circuit."""
    package, per_package = package_of(circuit)
    sheet = Sheet()
    placed = placement.by_element()
    if set(placed) != {e.name for e in entries}:
        raise KicadExportError("the placement does not place exactly the circuit's elements; place them again "
                               "from circuit_elements(circuit)")
    offsets = sheet_offsets(placement)
    for element in entries:
        part = placed[element.name]
        add_element(sheet, circuit, element, replace(part, x_mm=part.x_mm + offsets[part.sheet]), package, per_package)
    bottom = max((y for _, y in sheet.nets_at), default=0.0) + 25.4
    add_supplies(sheet, circuit, package, per_package, placement, bottom)
    _, height, paper = paper_for(sheet)
    root = sheet.uid("root")
    directives = ["* circuitnet's accuracy options (its netlists carry the same)", ACCURACY_OPTIONS]
    sheet.texts.append(("text", "\n".join(directives), ("at", 25.4, height - 20.32, 0),
                        ("effects", ("font", ("size", 1.27, 1.27)), ("justify", Atom("left"), Atom("bottom"))),
                        ("uuid", sheet.uid("directives"))))
    title = (f"circuitnet {circuit.topology} circuit: {circuit.n_inputs} input(s), hidden "
             f"{list(circuit.hidden_sizes)}, {circuit.n_outputs} output(s)")
    document = ("kicad_sch", ("version", FORMAT_VERSION), ("generator", Atom("circuitnet")), ("uuid", root),
                ("paper", paper), ("title_block", ("title", title), ("comment", 1, "made by circuitnet build; "
                                                                                    "nets are circuitnet's nodes")),
                ("lib_symbols", *(symbol.node() for symbol in sheet.library.values())),
                *sheet.texts, *sheet.labels, *(_instance(node, root) for node in sheet.symbols),
                ("sheet_instances", ("path", "/", ("page", "1"))))
    return dumps(document) + "\n", library_text(circuit, package, per_package)


def sheet_offsets(placement: Placement) -> dict[int, float]:
    """Sheet index -> the x offset, mm, that puts the placement's sheets side by side on the
    one KiCad sheet (a large circuit's layers, left to right), 50.8 mm apart."""
    widths: dict[int, float] = {}
    for part in placement.parts:
        widths[part.sheet] = max(widths.get(part.sheet, 0.0), part.x_mm)
    offsets, x = {}, 0.0
    for index in sorted(widths):
        offsets[index] = x
        x += _on_grid(widths[index] + 50.8)
    return offsets


def add_element(sheet: Sheet, circuit: Circuit, element: Element, part, package: str, per_package: int) -> None:
    """One netlist element as its symbol, its pins labelled with their nets."""
    x, y = _on_grid(part.x_mm), _on_grid(part.y_mm)
    if element.part == "resistor":
        symbol, unit = symbols.resistor(), 1
        pins = {"1": element.nodes[0], "2": element.nodes[1]}
        fields = [("Value", ohms_text(float(element.value))), ("Sim.Device", "R"),
                  ("Sim.Params", f"r={number(float(element.value))}")]
    elif element.part == "diode":
        symbol, unit = symbols.diode(circuit.diode.name), 1
        pins = {"2": element.nodes[0], "1": element.nodes[1]}
        fields = [("Value", circuit.diode.name), ("Sim.Device", "D"), ("Sim.Library", LIBRARY_FILE),
                  ("Sim.Name", circuit.diode.spice_name), ("Sim.Pins", "1=K 2=A")]
    elif element.part == "source":
        volts = _dc_volts(element)
        symbol, unit = symbols.dc_source(), 1
        pins = {"1": element.nodes[0], "2": element.nodes[1]}
        fields = [("Value", f"{volts:g} V"), ("Sim.Device", "V"), ("Sim.Type", "DC"),
                  ("Sim.Params", f"dc={number(volts)}")]
    elif element.part == "opamp":
        out, plus, minus = opamp_terminals(circuit, element)
        unit = _unit_of(part.designator)
        symbol = _package_symbol(package, per_package)
        out_pin, minus_pin, plus_pin = symbols.PINOUTS[per_package][0][unit - 1]
        pins = {out_pin: out, minus_pin: minus, plus_pin: plus}
        fields = _package_fields(package, per_package)
    else:
        raise KicadExportError(f"element {element.name} is a {element.part!r}; the KiCad schematic knows "
                               "resistors, diodes, op-amps and sources")
    reference = re.sub(r"[A-D]$", "", part.designator) if element.part == "opamp" else part.designator
    rotation = (part.rotation_deg + _TURN[element.part]) % 360
    add_symbol(sheet, symbol, unit, reference, (x, y, rotation), fields, pins, key=element.name,
               mirror=element.part == "opamp")


def add_symbol(sheet: Sheet, symbol: Symbol, unit: int, reference: str, at: tuple[float, float, int],
               fields: list[tuple[str, str]], pins: dict[str, str], key: str, mirror: bool = False) -> None:
    """Place one unit of ``symbol`` at ``at`` (x mm, y mm, rotation) and label each pin in
    ``pins`` (number -> net; ``0`` and ``GND`` become a ground port, a net starting with +
    or - a supply port). mirror: flip the symbol top to bottom (KiCad's mirror x) before
    turning it."""
    sheet.library.setdefault(symbol.name, symbol)
    x, y, rotation = at
    shown = ("effects", ("font", ("size", 1.27, 1.27)), ("justify", Atom("left")))
    hidden = ("effects", ("font", ("size", 1.27, 1.27)), Atom("hide"))
    properties = [("property", "Reference", reference, ("at", x + 3.81, y - 1.27, 0),
                   hidden if reference.startswith("#") else shown),  # power ports: KiCad hides #PWR, #FLG
                  *(("property", name, value, ("at", x + 3.81, y + 1.27, 0), shown if name == "Value" else hidden)
                    for name, value in fields)]
    flip = (("mirror", Atom("x")),) if mirror else ()
    node = ("symbol", ("lib_id", symbol.name), ("at", x, y, rotation), *flip, ("unit", unit), ("in_bom", Atom("yes")),
            ("on_board", Atom("yes")), ("dnp", Atom("no")), ("uuid", sheet.uid(f"symbol:{key}")), *properties,
            *(("pin", pin.number, ("uuid", sheet.uid(f"pin:{key}:{pin.number}"))) for pin in symbol.units[unit]),
            ("reference", reference, unit))
    sheet.symbols.append(node)
    for pin in symbol.units[unit]:
        if pin.number in pins:
            tip, direction = _pin_tip(pin, x, y, rotation, mirror)
            connect(sheet, pins[pin.number], tip, direction, key=f"{key}:{pin.number}")


def connect(sheet: Sheet, net: str, tip: tuple[float, float], direction: int, key: str) -> None:
    """Put net ``net`` on the point ``tip``: a label (its text pointing ``direction`` degrees,
    away from the part), or a power port for ground and the supplies."""
    net = "GND" if net == "0" else net
    seen = sheet.nets_at.setdefault(tip, net)
    if seen != net:
        raise KicadExportError(f"nets {seen} and {net} meet at ({tip[0]:g}, {tip[1]:g}) mm on the sheet: the "
                               "placement puts two pins on one point; place the parts further apart")
    if net == "GND" or net[:1] in "+-":
        port = symbols.power_port(net)
        reference = sheet.next_reference("#PWR")
        rotation = (direction + 90) % 360 if net[:1] == "+" else (direction + 270) % 360
        add_symbol(sheet, port, 1, reference, (tip[0], tip[1], rotation), [("Value", net)], {}, key=f"port:{key}")
        return
    justify = ("justify", Atom("right" if direction in (180, 270) else "left"))
    sheet.labels.append(("global_label", net, ("shape", Atom("passive")), ("at", tip[0], tip[1], direction),
                         ("fields_autoplaced",), ("effects", ("font", ("size", 1.27, 1.27)), justify),
                         ("uuid", sheet.uid(f"label:{key}")),
                         ("property", "Intersheetrefs", "${INTERSHEET_REFS}", ("at", tip[0], tip[1], 0),
                          ("effects", ("font", ("size", 1.27, 1.27)), Atom("hide")))))


def add_supplies(sheet: Sheet, circuit: Circuit, package: str, per_package: int, placement: Placement,
                 top: float) -> None:
    """The board's parts off circuitnet's netlist, in a row at height ``top`` mm: per package
    its supply unit and decoupling capacitors, the unused amplifiers, the supply sources, the
    PWR_FLAGs."""
    v_plus, v_minus = f"+{circuit.opamp.v_pos:g}V", f"{circuit.opamp.v_neg:g}V"
    used: dict[str, set[int]] = {}
    for part in placement.parts:
        if part.element.part == "opamp":
            used.setdefault(re.sub(r"[A-D]$", "", part.designator), set()).add(_unit_of(part.designator))
    symbol = _package_symbol(package, per_package)
    fields = _package_fields(package, per_package)
    x = 25.4
    for reference in sorted(used, key=lambda name: int(name[1:])):
        supply_pins = {pin.number: net for pin, net in zip(symbol.units[per_package + 1], (v_plus, v_minus),
                                                           strict=True)}
        add_symbol(sheet, symbol, per_package + 1, reference, (x, top, 0), fields, supply_pins,
                   key=f"{reference}:power")
        for k, rail in enumerate((v_plus, v_minus)):
            capacitor = sheet.next_reference("C")
            add_symbol(sheet, symbols.capacitor(), 1, capacitor, (x + 12.7 + 10.16 * k, top, 0),
                       [("Value", DECOUPLING), ("Sim.Device", "C"), ("Sim.Params", "c=100n")],
                       {"1": rail, "2": "0"} if k == 0 else {"1": "0", "2": rail}, key=capacitor)
        for unit in sorted(set(range(1, per_package + 1)) - used[reference]):
            out_pin, minus_pin, plus_pin = symbols.PINOUTS[per_package][0][unit - 1]
            follower = f"{reference}{'ABCD'[unit - 1]}_unused"
            x += 33.02
            add_symbol(sheet, symbol, unit, reference, (x, top, 0), fields,
                       {out_pin: follower, minus_pin: follower, plus_pin: "0"}, key=follower)
        x += 38.1
    n_sources = sum(part.element.part == "source" for part in placement.parts)
    for k, (rail, volts) in enumerate(((v_plus, circuit.opamp.v_pos), (v_minus, circuit.opamp.v_neg))):
        # + terminal up: the positive supply's on its rail, the negative supply's on ground
        pins = {"1": rail, "2": "0"} if volts > 0 else {"1": "0", "2": rail}
        add_symbol(sheet, symbols.dc_source(), 1, f"V{n_sources + k + 1}", (x, top, 0),
                   [("Value", f"{abs(volts):g} V"), ("Sim.Device", "V"), ("Sim.Type", "DC"),
                    ("Sim.Params", f"dc={number(abs(volts))}")], pins, key=f"supply:{rail}")
        flag = sheet.next_reference("#FLG")
        tip, _ = _pin_tip(symbols.dc_source().pin(1, "1" if volts > 0 else "2"), x, top, 0)
        add_symbol(sheet, symbols.power_flag(), 1, flag, (tip[0] + 5.08, tip[1], 0), [("Value", "PWR_FLAG")],
                   {"1": rail}, key=flag)
        x += 25.4
    ground_flag = sheet.next_reference("#FLG")
    add_symbol(sheet, symbols.power_flag(), 1, ground_flag, (x, top, 0), [("Value", "PWR_FLAG")], {"1": "0"},
               key=ground_flag)


def paper_for(sheet: Sheet) -> tuple[float, float, str]:
    """(width, height, paper) of the smallest ISO sheet (landscape) that holds every point,
    with a 25 mm margin; past A0, a user-sized sheet."""
    xs = [x for x, _ in sheet.nets_at] or [0.0]
    ys = [y for _, y in sheet.nets_at] or [0.0]
    need_w, need_h = max(xs) + 50.8, max(ys) + 50.8
    for name, width, height in PAPERS:
        if need_w <= width and need_h <= height:
            return width, height, name
    return need_w, need_h, f"User {need_w:.0f} {need_h:.0f}"


def ohms_text(ohms: float) -> str:
    """A resistor's value as a schematic shows it: 4 significant digits with k or M (``10.02k``)."""
    for scale, suffix in ((1e6, "M"), (1e3, "k"), (1.0, "")):
        if ohms >= scale:
            return f"{ohms / scale:.4g}{suffix}"
    return f"{ohms:.4g}"


def _package_symbol(package: str, per_package: int) -> Symbol:
    return symbols.opamp_package(package, per_package)


def _package_fields(package: str, per_package: int) -> list[tuple[str, str]]:
    pins = " ".join(f"{pin}={pin}" for pin in package_pins(per_package))
    return [("Value", package), ("Sim.Device", "SUBCKT"), ("Sim.Library", LIBRARY_FILE),
            ("Sim.Name", subcircuit_name(package)), ("Sim.Pins", pins)]


def _unit_of(designator: str) -> int:
    """U3B -> 2; U3 (a single op-amp) -> 1."""
    return "ABCD".index(designator[-1]) + 1 if designator[-1] in "ABCD" else 1


def _dc_volts(element: Element) -> float:
    words = str(element.value).split()
    if len(words) != 2 or words[0].upper() != "DC":
        raise KicadExportError(f"source {element.name} is {element.value!r}; the KiCad schematic carries DC sources")
    return float(words[1])


def _pin_tip(pin: symbols.Pin, x: float, y: float, rotation: int,
             mirror: bool = False) -> tuple[tuple[float, float], int]:
    """A pin's tip on the sheet (mm, y down) and the direction (degrees, counter-clockwise on
    the sheet) pointing away from the part; ``mirror`` flips the symbol's y first."""
    turn = math.radians(rotation)
    px, py, angle = pin.x, -pin.y if mirror else pin.y, (360 - pin.angle) % 360 if mirror else pin.angle
    dx = px * math.cos(turn) - py * math.sin(turn)
    dy = px * math.sin(turn) + py * math.cos(turn)
    return (round(x + dx, 4), round(y - dy, 4)), (angle + rotation + 180) % 360


def _on_grid(mm: float) -> float:
    return round(round(mm / GRID_MM) * GRID_MM, 4)


def _instance(node: tuple, root: str) -> tuple:
    """A placed symbol with its ``instances`` (KiCad 7's per-project reference and unit)."""
    *body, (_, reference, unit) = node
    return (*body, ("instances", ("project", PROJECT, ("path", f"/{root}", ("reference", reference), ("unit", unit)))))
