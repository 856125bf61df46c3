"""The items of one KiCad schematic sheet as they are drawn: placed symbols, wires, junctions,
labels, power ports, texts; each an S-expression node (``sexpr``), each with a uuid fixed by
what it is, so the same circuit writes the same file.

Nets are joined the way KiCad joins them: a wire's end, a pin's tip, a label's or a power
port's point at the same coordinates are connected; a global label names its net (KiCad's
netlist and SPICE export then use that name as it is, without a sheet path); a power port
(``GND``, ``+15V``, ``-15V``) names its net on every sheet.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

from . import kicad_symbols as symbols
from .kicad_models import KicadExportError
from .kicad_symbols import Symbol
from .sexpr import Raw, number_text, quoted

Point = tuple[float, float]
FONT = ("font", ("size", 1.27, 1.27))


@dataclass
class Sheet:
    """The sheet's items so far, written as text (``Raw``: a large circuit has 10^5 of them).
    project: the KiCad project the symbols' instances belong to; nets_at: the net a label,
    port or pin put on each point, so that two nets never meet; ends: how many wire ends, pin
    tips and label points sit on each point (three or more get a junction dot)."""

    project: str
    symbols: list[Raw] = field(default_factory=list)
    wires: list[Raw] = field(default_factory=list)
    labels: list[Raw] = field(default_factory=list)
    texts: list[tuple] = field(default_factory=list)
    library: dict[str, Symbol] = field(default_factory=dict)
    nets_at: dict[Point, str] = field(default_factory=dict)
    ends: dict[Point, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def uid(self, key: str) -> str:
        """A uuid fixed by what the item is (``key``), so the same circuit writes the same
        file: 128 bits of its BLAKE2 hash in uuid form (a large schematic has 10^5 of them;
        uuid.uuid5 took 40% of the writing)."""
        h = hashlib.blake2b(key.encode(), digest_size=16, key=b"circuitnet-kicad").hexdigest()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def next_reference(self, prefix: str) -> str:
        """The next free reference: ``C3``; power ports and flags as KiCad numbers them, ``#PWR03``."""
        self.counts[prefix] = self.counts.get(prefix, 0) + 1
        return f"{prefix}{self.counts[prefix]:02d}" if prefix.startswith("#") else f"{prefix}{self.counts[prefix]}"

    def claim(self, point: Point, net: str) -> None:
        """Put ``net`` on ``point``; KicadExportError if another net is already there."""
        net = "GND" if net == "0" else net
        seen = self.nets_at.setdefault(point, net)
        if seen != net:
            raise KicadExportError(f"nets {seen} and {net} meet at ({point[0]:g}, {point[1]:g}) mm on the sheet: "
                                   "the placement puts two pins on one point; place the parts further apart")

    def touch(self, point: Point) -> None:
        self.ends[point] = self.ends.get(point, 0) + 1

    @property
    def root(self) -> str:
        """The uuid of the sheet itself (the path of every symbol instance)."""
        return self.uid("root")

    def junctions(self) -> list[Raw]:
        """A junction dot where three or more ends meet (KiCad draws T joins with one)."""
        return [placed(f'(junction (at {_mm(x)} {_mm(y)}) (diameter 0) (color 0 0 0 0) '
                       f'(uuid "{self.uid(f"j:{x}:{y}")}"))', (x, y))
                for (x, y), count in sorted(self.ends.items()) if count >= 3]


def placed(text: str, point: Point) -> Raw:
    """An item's text that knows where on the sheet it is (``x_mm``, ``y_mm``), so that a large
    sheet can be split by region (``kicad_hierarchy``)."""
    item = Raw(text)
    item.x_mm, item.y_mm = point
    return item


def add_symbol(sheet: Sheet, symbol: Symbol, unit: int, reference: str, at: tuple[float, float, int],
               fields: list[tuple[str, str]], pins: dict[str, str], key: str, mirror: bool = False) -> dict[str, Point]:
    """Place one unit of ``symbol`` at ``at`` (x mm, y mm, rotation) and put a label or port on
    each pin in ``pins`` (number -> net). mirror: flip it top to bottom (KiCad's mirror x)
    before turning it. Returns every pin's tip on the sheet, by pin number."""
    sheet.library.setdefault(symbol.name, symbol)
    x, y, rotation = at
    if rotation in (90, 270) and symbol.prefix in ("R", "C", "V"):  # a horizontal two-pin part: text above, below
        shown, reference_at, value_at = _SHOWN, (x, y - 2.54, 90), (x, y + 2.54, 90)
    else:
        shown, reference_at, value_at = _SHOWN_LEFT, (x + 3.81, y - 1.27, 0), (x + 3.81, y + 1.27, 0)
    # power ports: KiCad hides their #PWR, #FLG references
    properties = [_property("Reference", reference, reference_at, _HIDDEN if reference.startswith("#") else shown),
                  *(_property(name, value, value_at, shown if name == "Value" else _HIDDEN) for name, value in fields)]
    flip = " (mirror x)" if mirror else ""
    pin_uuids = " ".join(f'(pin {quoted(pin.number)} (uuid "{sheet.uid(f"pin:{key}:{pin.number}")}"))'
                         for pin in symbol.units[unit])
    sheet.symbols.append(placed("\n\t\t".join([
        f"(symbol (lib_id {quoted(symbol.name)}) (at {_mm(x)} {_mm(y)} {rotation}){flip} (unit {unit}) "
        f'(in_bom yes) (on_board yes) (dnp no) (uuid "{sheet.uid(f"symbol:{key}")}")',
        *properties, pin_uuids,
        f'(instances (project {quoted(sheet.project)} (path "/{sheet.root}" (reference {quoted(reference)}) '
        f"(unit {unit}))))"]) + "\n\t)", (x, y)))
    tips = {}
    for pin in symbol.units[unit]:
        tip, direction = pin_tip(pin, x, y, rotation, mirror)
        tips[pin.number] = tip
        if pin.number in pins:
            connect(sheet, pins[pin.number], tip, direction, key=f"{key}:{pin.number}")
    return tips


_HIDDEN = "(effects (font (size 1.27 1.27)) hide)"
_SHOWN = "(effects (font (size 1.27 1.27)))"
_SHOWN_LEFT = "(effects (font (size 1.27 1.27)) (justify left))"


def _property(name: str, value: str, at: tuple[float, float, int], effects: str) -> Raw:
    """A symbol's ``(property ...)`` node, written at once (a schematic has thousands)."""
    x, y, angle = at
    return Raw(f"(property {quoted(name)} {quoted(value)} (at {_mm(x)} {_mm(y)} {angle}) {effects})")


def connect(sheet: Sheet, net: str, point: Point, direction: int, key: str) -> None:
    """Name the net on ``point``: a global label whose text points ``direction`` degrees
    (counter-clockwise on the sheet, 0 to the right), or a power port for ground (``0``) and
    the supplies (``+15V``, ``-15V``), drawn away from the point in that direction."""
    sheet.claim(point, net)
    sheet.touch(point)
    net = "GND" if net == "0" else net
    if net == "GND" or net[:1] in "+-":
        # ground and negative ports hang below their point at rotation 0, positive ones stand above it
        rotation = (direction + 270) % 360 if net[:1] == "+" else (direction + 90) % 360
        add_symbol(sheet, symbols.power_port(net), 1, sheet.next_reference("#PWR"), (point[0], point[1], rotation),
                   [("Value", net)], {}, key=f"port:{key}")
        return
    add_label(sheet, net, point, direction, key)


def add_label(sheet: Sheet, net: str, point: Point, direction: int, key: str) -> None:
    """A global label naming ``net`` at ``point`` (on a wire or a pin tip), its text pointing
    ``direction`` degrees."""
    x, y = _mm(point[0]), _mm(point[1])
    justify = "right" if direction in (180, 270) else "left"
    sheet.labels.append(placed(
        f"(global_label {quoted(net)} (shape passive) (at {x} {y} {direction}) (fields_autoplaced) "
        f'(effects (font (size 1.27 1.27)) (justify {justify})) (uuid "{sheet.uid(f"label:{key}")}") '
        f'(property "Intersheetrefs" "${{INTERSHEET_REFS}}" (at {x} {y} 0) {_HIDDEN}))', point))


def add_wire(sheet: Sheet, start: Point, end: Point, key: str) -> None:
    """A wire from ``start`` to ``end`` (mm)."""
    sheet.touch(start)
    sheet.touch(end)
    sheet.wires.append(placed(f"(wire (pts (xy {_mm(start[0])} {_mm(start[1])}) (xy {_mm(end[0])} {_mm(end[1])})) "
                              f'(stroke (width 0) (type default)) (uuid "{sheet.uid(f"wire:{key}")}"))', start))


def pin_tip(pin: symbols.Pin, x: float, y: float, rotation: int, mirror: bool = False) -> tuple[Point, int]:
    """A pin's tip on the sheet (mm, y down) and the direction (degrees, counter-clockwise on
    the sheet) pointing away from the part; ``mirror`` flips the symbol's y first."""
    turn = math.radians(rotation)
    px, py, angle = pin.x, -pin.y if mirror else pin.y, (360 - pin.angle) % 360 if mirror else pin.angle
    dx = px * math.cos(turn) - py * math.sin(turn)
    dy = px * math.sin(turn) + py * math.cos(turn)
    return (round(x + dx, 4), round(y - dy, 4)), (angle + rotation + 180) % 360


def _mm(value: float) -> str:
    return number_text(value)
