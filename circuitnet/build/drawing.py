"""The schematic drawn with schemdraw, from the placement: every placed part at its place with
its designator and value, the placement's wires, net labels and ground marks, and a dot where
three or more wires meet.

One drawing unit is one grid step (``cells.GRID_MM`` = 2.54 mm, drawn at that size:
``INCHES_PER_UNIT``); schemdraw's y axis points up, the placement's down, so y flips.

``drawn_parts`` reads a finished drawing back (its elements, their anchors and label texts),
which is what the connectivity test compares with the netlist: the drawing is checked as
drawn, not as the placement meant it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import schemdraw
import schemdraw.elements as elm
from schemdraw.util import Point

from .cells import GRID_MM
from .placement import GroundMark, NetLabel, PlacedPart, Placement
from .values import part_value

INCHES_PER_UNIT = GRID_MM / 25.4  # one grid step drawn at its real size
FONT_SIZE = 8.0  # points at full size; a 450 mm sheet printed on A4 shows it at 5 pt
OPAMP_SCALE = 1.6  # schemdraw's op-amp has its inputs 1.25 apart; the placement puts them 2 apart
PIN_OF_ANCHOR = {  # drawn element kind -> schemdraw anchor -> the pin it is (pins.element_pins)
    "resistor": {"start": "1", "end": "2"},
    "diode": {"start": "A", "end": "K"},
    "source": {"start": "-", "end": "+"},
    "opamp": {"in1": "-", "in2": "+", "out": "out"},
    "controlled": {"start": "-", "end": "+", "sense_plus": "c+", "sense_minus": "c-"},
}


class NetName(elm.Label):
    """A net label: the text is the net's name; every point so labelled is on that net (a
    plain ``elm.Label`` is a note, not a connection)."""


class ControlledSource(elm.SourceControlledV):
    """A voltage-controlled voltage source (a diamond) from its - to its + pin, with its sensing
    pins c+ and c- as the anchors ``sense_plus`` and ``sense_minus`` at the points ``sensing``
    gives (drawing units, absolute); ``_draw_part`` draws their leads to the body."""

    def __init__(self, sensing: dict[str, tuple[float, float]], **kwargs) -> None:
        super().__init__(**kwargs)
        self._sensing = sensing

    def _place(self, dwgxy, dwgtheta, **dwgparams):
        placed = super()._place(dwgxy, dwgtheta, **dwgparams)
        for anchor, xy in self._sensing.items():
            self.absanchors[anchor] = Point(xy)
        return placed


_KIND_OF_CLASS = {elm.Resistor: "resistor", elm.Diode: "diode", elm.SourceV: "source", elm.Opamp: "opamp",
                  ControlledSource: "controlled"}


def point(x_mm: float, y_mm: float, origin: tuple[float, float] = (0.0, 0.0)) -> tuple[float, float]:
    """A placement position (mm, y down) as drawing units (y up), relative to ``origin`` (mm)."""
    return (x_mm - origin[0]) / GRID_MM, -(y_mm - origin[1]) / GRID_MM


def new_drawing() -> schemdraw.Drawing:
    drawing = schemdraw.Drawing(show=False, canvas="svg")
    drawing.config(unit=3.0, inches_per_unit=INCHES_PER_UNIT, fontsize=FONT_SIZE, lw=1.0, margin=1.0)
    return drawing


def draw_blocks(drawing: schemdraw.Drawing, placement: Placement, blocks: Iterable[str],
                origin: tuple[float, float] = (0.0, 0.0)) -> None:
    """Draw the named blocks of a placement (their parts, wires, labels, ground marks) into
    ``drawing``, shifted so that ``origin`` (mm on the sheet) is the drawing's (0, 0)."""
    wanted = set(blocks)
    boxes = [b for b in placement.blocks if b.name in wanted]

    def inside(x_mm: float, y_mm: float, sheet: int) -> bool:
        return any(b.sheet == sheet and b.x_mm <= x_mm <= b.x_mm + b.width_mm and b.y_mm <= y_mm <= b.y_mm + b.height_mm
                   for b in boxes)

    ends: Counter = Counter()
    for part in placement.parts:
        if part.block in wanted:
            _draw_part(drawing, part, origin)
            ends.update((pin.x_mm, pin.y_mm) for pin in part.pins)
    wires = [w for w in placement.wires if inside(w.x1_mm, w.y1_mm, w.sheet)]
    for wire in wires:
        drawing.add(elm.Line().at(point(wire.x1_mm, wire.y1_mm, origin)).to(point(wire.x2_mm, wire.y2_mm, origin)))
        ends.update([(wire.x1_mm, wire.y1_mm), (wire.x2_mm, wire.y2_mm)])
    _draw_ends(drawing, [label for label in placement.labels if inside(label.x_mm, label.y_mm, label.sheet)],
               [ground for ground in placement.grounds if inside(ground.x_mm, ground.y_mm, ground.sheet)], origin)
    for (x_mm, y_mm), count in ends.items():
        if count >= 3:  # a junction: where three or more wires and pins meet
            drawing.add(elm.Dot(radius=0.15).at(point(x_mm, y_mm, origin)))


def _draw_ends(drawing: schemdraw.Drawing, labels: list[NetLabel], grounds: list[GroundMark],
               origin: tuple[float, float]) -> None:
    """The net labels (text beside the point, on the label's side) and the ground marks."""
    for label in labels:
        left = label.side == "left"
        drawing.add(NetName().at(point(label.x_mm, label.y_mm, origin)).label(
            label.net, halign="right" if left else "left", valign="center", ofst=(-0.3 if left else 0.3, 0)))
    for ground in grounds:
        drawing.add(elm.Ground(lead=False).at(point(ground.x_mm, ground.y_mm, origin)))


def _draw_part(drawing: schemdraw.Drawing, part: PlacedPart, origin: tuple[float, float]) -> None:
    pins = {pin.name: point(pin.x_mm, pin.y_mm, origin) for pin in part.pins}
    kind = part.element.part
    value = part_value(part.element)
    vertical = part.rotation_deg in (90, 270)
    if kind == "opamp":
        body = elm.Opamp().right().scale(OPAMP_SCALE).anchor("in1")  # right(): not the last part's direction
        minus = pins["-"]
        drawing.add(body.at((minus[0] + 1.0, minus[1])).label(part.designator, loc="center", ofst=(-0.3, 0)))
        drawing.add(elm.Line().at(minus).to(body.absanchors["in1"]))
        drawing.add(elm.Line().at(pins["+"]).to(body.absanchors["in2"]))
        drawing.add(elm.Line().at(body.absanchors["out"]).to(pins["out"]))
        return
    if kind == "source" and "c+" in pins:  # a controlled source, its sensing leads to its left side
        body = ControlledSource({"sense_plus": pins["c+"], "sense_minus": pins["c-"]}).at(pins["-"]).to(pins["+"])
        drawing.add(body.label(f"{part.designator}\n{value}", loc="bottom", halign="left", valign="center", ofst=0.6))
        for sense, end in (("c+", "+"), ("c-", "-")):  # a lead to the body's side, level with its pin
            drawing.add(elm.Line().at(pins[sense]).to((pins[end][0] - 0.8, pins[sense][1])))
        return
    if kind == "resistor":
        body, start, end = elm.Resistor(), pins["1"], pins["2"]
    elif kind == "diode":
        body, start, end = elm.Diode(), pins["A"], pins["K"]
    else:
        body, start, end = elm.SourceV(), pins["-"], pins["+"]
    body = body.at(start).to(end)
    if vertical:  # designator over value, right of the part
        body.label(f"{part.designator}\n{value}", loc="bottom", halign="left", valign="center", ofst=0.4)
    elif kind == "diode":  # designator above, part number below: the text is wider than the part
        body.label(part.designator, loc="top", ofst=0.15).label(value, loc="bottom", ofst=0.15)
    else:  # one line above the part: rows of weight resistors are close together
        body.label(f"{part.designator} {value}", loc="top", ofst=0.15)
    drawing.add(body)


@dataclass(frozen=True)
class DrawnPart:
    """A part as the finished drawing has it: its kind, designator (its first label), and
    each pin's point (drawing units)."""

    kind: str
    designator: str
    pins: dict[str, tuple[float, float]]


def drawn_parts(drawing: schemdraw.Drawing) -> list[DrawnPart]:
    """Every resistor, diode, source and op-amp of a drawing, read from its elements."""
    found = []
    for element in drawing.elements:
        kind = next((k for cls, k in _KIND_OF_CLASS.items() if isinstance(element, cls)), None)
        if kind is None:
            continue
        designator = str(element._userlabels[0].label).split()[0]
        pins = {pin: tuple(element.absanchors[anchor]) for anchor, pin in PIN_OF_ANCHOR[kind].items()}
        found.append(DrawnPart(kind, designator, pins))
    return found


def drawn_geometry(drawing: schemdraw.Drawing):
    """(pins, wires, labels, grounds) of a drawing, as ``connectivity.drawn_nets`` takes them.
    An op-amp's short leads are wires like any other."""
    pins = [((part.designator, pin), xy) for part in drawn_parts(drawing) for pin, xy in part.pins.items()]
    wires, labels, grounds = [], [], []
    for element in drawing.elements:
        if isinstance(element, elm.Line):
            wires.append((tuple(element.absanchors["start"]), tuple(element.absanchors["end"])))
        elif isinstance(element, elm.Ground):
            grounds.append(tuple(element.absanchors["start"]))
        elif isinstance(element, NetName):
            labels.append((element._userlabels[0].label, tuple(element.absanchors["xy"])))
    return pins, wires, labels, grounds


def text_boxes(drawing: schemdraw.Drawing) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every text of a drawing with its box (xmin, ymin, xmax, ymax), drawing units, sized as
    schemdraw's SVG writer sizes text (``svgtext.text_approx_size``)."""
    from schemdraw.backends.svgtext import text_approx_size
    from schemdraw.segments import SegmentText

    boxes = []
    units_per_point = 1.0 / 72.0 / INCHES_PER_UNIT
    for element in drawing.elements:
        for segment in element.segments:
            if not isinstance(segment, SegmentText) or not segment.text.strip():
                continue
            size = segment.fontsize or FONT_SIZE
            width, height, _ = text_approx_size(segment.text, size=size)
            width, height = width * units_per_point, height * units_per_point
            x, y = element.transform.transform(segment.xy)
            halign, valign = segment.align or ("center", "center")
            left = x - {"left": 0.0, "center": width / 2, "right": width}[halign]
            bottom = y - {"bottom": 0.0, "center": height / 2, "top": height}.get(valign, height / 2)
            boxes.append((segment.text, (left, bottom, left + width, bottom + height)))
    return boxes
