"""How one block of a circuit is laid out: its parts, the wires between their pins, and the
net labels and ground marks on the pins that leave the block.

A block is drawn the way the lecture draws a neuron, left to right: the weight resistors in a
column (each fed from a labelled rail), a bus that joins them into the summing junction, the
op-amp with its feedback above it, then the rectifier and its load. Every connection inside a
block is a wire; every connection to another block is a net label with the net's name (the
netlist's node name), so blocks can sit anywhere and a large circuit can spread over sheets.

Coordinates here are grid units (``GRID_MM`` millimetres, KiCad's 0.1 inch grid) relative to
the block's top-left corner, y downwards. A two-pin part is 3 grid units long (7.62 mm, the
pin spacing of KiCad's resistor and diode symbols); an op-amp is 6 wide with its inputs 2 apart,
inverting input on top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..model.elements import Element
from .pins import element_pins, is_controlled_source, opamp_nodes
from .series_parts import pair_part

GRID_MM = 2.54
ROW = 3.0  # pitch of the weight resistors, grid units
LABEL_ROOM = 7.0  # room for a net label's text beside a pin, grid units
PART = 3.0  # length of a two-pin part, grid units
LEAD = 3.0  # wire from a weight resistor to its rail's label: room for the resistor's text
COLUMN = LABEL_ROOM + LEAD + PART + 4.0  # one column of weight resistors with its bus
MIN_ROWS_PER_COLUMN = 16  # weight resistors stacked before a block wraps them into columns

Point = tuple[float, float]


@dataclass
class Cell:
    """One block's drawing, grid units relative to its top-left corner.

    parts: (element, {pin name: point}); wires: (net, start, end); labels: (net, point, side)
    with side ``left`` or ``right`` of the point; grounds: points where a ground mark hangs;
    halves: a series pair's resistor (its netlist element) -> its two parts (``series_parts``).
    """

    parts: list[tuple[Element, dict[str, Point]]] = field(default_factory=list)
    wires: list[tuple[str, Point, Point]] = field(default_factory=list)
    labels: list[tuple[str, Point, str]] = field(default_factory=list)
    grounds: list[Point] = field(default_factory=list)
    halves: dict[str, tuple[Element, Element]] = field(default_factory=dict)

    def wire(self, net: str, *points: Point) -> None:
        """A wire through ``points`` (one segment between each neighbouring pair)."""
        for start, end in zip(points, points[1:], strict=False):
            if start != end:
                self.wires.append((net, start, end))

    def two_pin(self, element: Element, first: Point, second: Point) -> None:
        """A resistor, diode or source with its first pin at ``first`` and second at ``second``."""
        (name_a, _), (name_b, _) = element_pins(element)
        self.parts.append((element, {name_a: first, name_b: second}))

    def resistor(self, element: Element, start: Point, step: Point) -> Point:
        """A resistor with its pin 1 at ``start`` and pin 2 PART grid units along ``step`` (a
        unit vector), or a series pair's two parts one after the other; returns the last pin 2."""
        point = start
        for part in self.halves.get(element.name, (element,)):
            end = (point[0] + PART * step[0], point[1] + PART * step[1])
            self.two_pin(part, point, end)
            point = end
        return point

    def length(self, element: Element) -> float:
        """How long a resistor is drawn, grid units: PART, or twice that for a series pair."""
        return PART * len(self.halves.get(element.name, (element,)))

    def end(self, net: str, point: Point, side: str) -> None:
        """Where a net leaves the block: a ground mark for ground, else a label."""
        if net == "0":
            self.grounds.append(point)
        else:
            self.labels.append((net, point, side))

    def size(self) -> tuple[float, float]:
        """(width, height) in grid units, with room for the labels and the ground marks."""
        points = [p for _, pins in self.parts for p in pins.values()]
        points += [p for _, a, b in self.wires for p in (a, b)]
        points += [(x + (LABEL_ROOM if side == "right" else 0.0), y) for _, (x, y), side in self.labels]
        points += [(x, y + 1.5) for x, y in self.grounds]
        return max(x for x, _ in points) + 1.0, max(y for _, y in points) + 2.0


def cell_for(elements: list[Element]) -> Cell:
    """The layout of one block: sources, a summer-fed neuron or inverter, a passive neuron;
    any element the shapes below don't claim is drawn on its own with a label on every pin."""
    if all(element.part == "source" for element in elements):
        return _sources(elements)
    cell = Cell()
    merged = _merge_pairs(cell, elements)
    claimed = _neuron(cell, merged)
    claimed |= {half.name for name in claimed & set(cell.halves) for half in cell.halves[name]}
    _loose(cell, [element for element in elements if element.name not in claimed], top=cell.size()[1] if claimed else 0)
    return cell


def _merge_pairs(cell: Cell, elements: list[Element]) -> list[Element]:
    """The block's elements with each series pair's two parts as the one resistor they make
    (so the shapes below find its role), noted in ``cell.halves`` to be placed as both."""
    parts: dict[str, list[Element]] = {}
    for element in elements:
        pair = pair_part(element.name)
        if pair is not None:
            parts.setdefault(pair[0], []).append(element)
    merged, done = [], set()
    for element in elements:
        pair = pair_part(element.name)
        if pair is None or len(parts[pair[0]]) != 2:
            merged.append(element)
        elif pair[0] not in done:
            larger, smaller = sorted(parts[pair[0]], key=lambda e: pair_part(e.name)[1])
            whole = Element(pair[0], (larger.nodes[0], smaller.nodes[1]), float(larger.value) + float(smaller.value),
                            "resistor")
            cell.halves[whole.name] = (larger, smaller)
            merged.append(whole)
            done.add(pair[0])
    return merged


def _sources(elements: list[Element]) -> Cell:
    """Each source upright, + on top, its net labelled to the right, its - pin grounded."""
    cell = Cell()
    # a controlled source senses two nets on its left: the column leaves room for their labels
    x = 2.0 + (CONTROL_LEAD + LABEL_ROOM if any(is_controlled_source(e) for e in elements) else 0.0)
    for index, element in enumerate(elements):
        top, bottom = (x, 2.0 + 6 * index), (x, 5.0 + 6 * index)
        _source(cell, element, top, bottom)
        plus, minus = element.nodes[:2]
        cell.wire(plus, top, (x + 3.0, top[1]))  # past the source's text
        cell.end(plus, (x + 3.0, top[1]), "right")
        cell.end(minus, bottom, "left")
    return cell


CONTROL_LEAD = 2.0  # a controlled source's sensing pins sit this far left of its body, grid units


def _source(cell: Cell, element: Element, top: Point, bottom: Point) -> None:
    """A source upright, + at ``top``, - at ``bottom``; a controlled source's sensing pins c+
    and c- CONTROL_LEAD to the left, level with + and - (their labels a part's length apart)."""
    if not is_controlled_source(element):
        cell.two_pin(element, top, bottom)
        return
    x, y = top
    pins = {"+": top, "-": bottom, "c+": (x - CONTROL_LEAD, y), "c-": (x - CONTROL_LEAD, bottom[1])}
    cell.parts.append((element, pins))
    for name, net in element_pins(element)[2:]:
        cell.end(net, pins[name], "left")


@dataclass(frozen=True)
class _Roles:
    """The parts of a neuron-shaped block by what they do (None where the block has none)."""

    junction: str  # the summing junction (an op-amp's inverting input, or a passive neuron's node)
    inputs: list[Element]  # resistors from a rail into the junction
    opamp: Element | None
    feedback: Element | None  # resistor from the output (or, with a clamp, the rectifier output) to the junction
    clamp: Element | None  # precision rectifier's diode from the junction to the op-amp output
    diode: Element | None  # the rectifier diode
    load: Element | None  # rectifier output to ground
    to_ground: Element | None  # passive neuron's node to ground (a resistive neuron's leak)
    clamps_from_bias: bool = False  # a resistive neuron: the diode from a bias rail into the junction


def _roles(elements: list[Element]) -> _Roles | None:
    """Read what each part does from how it is wired (never from the topology's name)."""
    opamps = [e for e in elements if e.part == "opamp"]
    diodes = [e for e in elements if e.part == "diode"]
    resistors = [e for e in elements if e.part == "resistor"]
    if len(opamps) > 1 or len(diodes) > 2 or (not opamps and len(diodes) != 1):
        return None
    if opamps:
        out, plus, junction = opamp_nodes(opamps[0])
        if plus != "0":
            return None
        clamp = next((d for d in diodes if d.nodes == (junction, out)), None)
        diode = next((d for d in diodes if d.nodes[0] == out), None)
    else:
        out, clamp, diode = None, None, diodes[0]
        junction = diode.nodes[0]
        if not any(junction in r.nodes for r in resistors):  # a resistive neuron: its bias rail clamps the node
            return _resistive_roles(diode, resistors)
    h = diode.nodes[1] if diode is not None else None
    fed_back = h if clamp is not None else out
    feedback = next((r for r in resistors if set(r.nodes) == {fed_back, junction}), None)
    load = next((r for r in resistors if h is not None and r.nodes == (h, "0")), None)
    to_ground = next((r for r in resistors if not opamps and r.nodes == (junction, "0")), None)
    inner = {junction, out, h, "0"}
    inputs = [r for r in resistors if r.nodes[1] == junction and r.nodes[0] not in inner]
    return _Roles(junction, inputs, opamps[0] if opamps else None, feedback, clamp, diode, load, to_ground)


def _resistive_roles(diode: Element, resistors: list[Element]) -> _Roles:
    """A resistive neuron: resistors from every rail into its node, a leak to ground, and the
    diode from the bias rail (its anode) into the node (its cathode)."""
    junction = diode.nodes[1]
    leak = next((r for r in resistors if r.nodes == (junction, "0")), None)
    inputs = [r for r in resistors if r.nodes[1] == junction and r.nodes[0] != "0"]
    return _Roles(junction, inputs, None, None, None, diode, None, leak, clamps_from_bias=True)


def _neuron(cell: Cell, elements: list[Element]) -> set[str]:
    """Lay out a neuron-shaped block into ``cell``; the names of the elements it placed."""
    roles = _roles(elements)
    if roles is None or not roles.inputs:
        return set()
    feedback_rows = 2 if roles.clamp is not None else (1 if roles.opamp is not None else 0)
    spine = 2.0 + ROW * feedback_rows
    bus_x = _weight_columns(cell, roles.inputs, roles.junction, spine)
    tap = bus_x + 2.0
    cell.wire(roles.junction, (bus_x, spine), (tap, spine))
    if roles.clamps_from_bias:
        _clamped_node(cell, roles, (tap, spine))
        return _names(roles)
    if roles.opamp is None:
        output = (tap, spine)
        if roles.to_ground is not None:
            cell.end("0", cell.resistor(roles.to_ground, output, (0.0, 1.0)), "left")
        cell.wire(roles.junction, output, (tap + 2.0, spine))
        _rectifier(cell, roles, (tap + 2.0, spine))
        return _names(roles)
    output = _opamp(cell, roles, tap, spine)
    if roles.diode is None:
        out_net = opamp_nodes(roles.opamp)[0]
        cell.wire(out_net, output, (output[0] + 2.0, output[1]))
        cell.end(out_net, (output[0] + 2.0, output[1]), "right")
        return _names(roles)
    _rectifier(cell, roles, output)
    return _names(roles)


def _weight_columns(cell: Cell, inputs: list[Element], junction: str, spine: float) -> float:
    """The weight resistors in columns, each column's bus joined along the spine at ``spine``;
    returns the x of the last bus."""
    per_column = max(MIN_ROWS_PER_COLUMN, math.ceil(math.sqrt(len(inputs))))
    bus_x = 0.0
    for column in range(math.ceil(len(inputs) / per_column)):
        label_x = column * COLUMN + LABEL_ROOM
        left = label_x + LEAD
        bus_x = left + PART + 3.0
        taps = [(bus_x, spine)]
        for row, element in enumerate(inputs[column * per_column:(column + 1) * per_column]):
            y = spine + 2.0 + ROW * row
            rail = element.nodes[0]
            start = left + PART - cell.length(element)  # a series pair's first part where the lead would be
            cell.resistor(element, (start, y), (1.0, 0.0))
            cell.wire(rail, (label_x, y), (start, y))
            cell.end(rail, (label_x, y), "left")
            cell.wire(junction, (left + PART, y), (bus_x, y))
            taps.append((bus_x, y))
        cell.wire(junction, *taps)
        if column:
            cell.wire(junction, (bus_x - COLUMN, spine), (bus_x, spine))
    return bus_x


def _opamp(cell: Cell, roles: _Roles, tap: float, spine: float) -> Point:
    """The op-amp right of the junction's tap, its feedback above it; returns its output point."""
    left = tap + 1.0
    assert roles.opamp is not None  # _neuron calls this for a block with an op-amp
    out, plus, _ = opamp_nodes(roles.opamp)
    output = (left + 7.0, spine + 1.0)
    cell.parts.append((roles.opamp, {"-": (left, spine), "+": (left, spine + 2.0), "out": (left + 6.0, spine + 1.0)}))
    cell.wire(roles.junction, (tap, spine), (left, spine))
    cell.wire(plus, (left, spine + 2.0), (left, spine + 3.0))
    cell.end(plus, (left, spine + 3.0), "left")
    cell.wire(out, (left + 6.0, spine + 1.0), output)
    row = spine - ROW
    cell.wire(roles.junction, (tap, spine), (tap, row), (left + 1.0, row))
    if roles.clamp is not None:  # the clamp diode on the first row, junction -> op-amp output
        cell.two_pin(roles.clamp, (left + 1.0, row), (left + 4.0, row))
        cell.wire(out, (left + 4.0, row), (output[0], row), output)
        assert roles.diode is not None  # a clamp comes with its rectifier diode (_roles)
        h = roles.diode.nodes[1]
        high = row - ROW
        cell.wire(roles.junction, (tap, row), (tap, high), (left + 1.0, high))
        start = (left + 1.0 + (cell.length(roles.feedback) if roles.feedback is not None else PART), high)
        if roles.feedback is not None:  # R_f: pin 1 on the rectifier output, pin 2 on the junction
            cell.resistor(roles.feedback, start, (-1.0, 0.0))
        cell.wire(h, start, (output[0] + PART, high), (output[0] + PART, output[1]))
    elif roles.feedback is not None:  # R_f: pin 1 on the output, pin 2 on the junction
        start = (left + 1.0 + cell.length(roles.feedback), row)
        cell.resistor(roles.feedback, start, (-1.0, 0.0))
        cell.wire(out, start, (output[0], row), output)
    return output


def _rectifier(cell: Cell, roles: _Roles, anode: Point) -> None:
    """The diode from ``anode`` to the rectifier output, the load to ground, the output's label."""
    assert roles.diode is not None  # _neuron calls this for a block with a rectifier diode
    x, y = anode
    h = roles.diode.nodes[1]
    cell.two_pin(roles.diode, anode, (x + PART, y))
    cell.wire(h, (x + PART, y), (x + PART + 2.0, y))
    if roles.load is not None:
        cell.end("0", cell.resistor(roles.load, (x + PART + 2.0, y), (0.0, 1.0)), "left")
    cell.wire(h, (x + PART + 2.0, y), (x + PART + 5.0, y))  # past the load's text
    cell.end(h, (x + PART + 5.0, y), "right")


def _clamped_node(cell: Cell, roles: _Roles, node: Point) -> None:
    """A resistive neuron's node at ``node``: its leak down to ground, then to the right the
    diode hanging from the node (cathode up) to its bias rail's label, and the node's label."""
    assert roles.diode is not None  # _resistive_roles found it
    x, y = node
    if roles.to_ground is not None:
        cell.end("0", cell.resistor(roles.to_ground, node, (0.0, 1.0)), "left")
    diode_x = x + 5.0  # past the leak's text
    cell.wire(roles.junction, node, (diode_x, y))
    anode, cathode = (diode_x, y + PART), (diode_x, y)
    cell.two_pin(roles.diode, anode, cathode)
    cell.wire(roles.diode.nodes[0], anode, (diode_x, y + PART + 2.0))  # below the diode's text
    cell.end(roles.diode.nodes[0], (diode_x, y + PART + 2.0), "right")
    cell.wire(roles.junction, (diode_x, y), (diode_x + 3.0, y))
    cell.end(roles.junction, (diode_x + 3.0, y), "right")


def _names(roles: _Roles) -> set[str]:
    placed = [roles.opamp, roles.feedback, roles.clamp, roles.diode, roles.load, roles.to_ground, *roles.inputs]
    return {element.name for element in placed if element is not None}


def _loose(cell: Cell, elements: list[Element], top: float) -> None:
    """Elements no shape claimed: each on its own row, a label on every pin."""
    for index, element in enumerate(elements):
        y = top + 2.0 + 4 * index
        if element.part == "opamp":
            out, plus, minus = opamp_nodes(element)
            pins = {"-": (LABEL_ROOM, y), "+": (LABEL_ROOM, y + 2.0), "out": (LABEL_ROOM + 6.0, y + 1.0)}
            cell.parts.append((element, pins))
            for name, net in (("-", minus), ("+", plus), ("out", out)):
                cell.end(net, pins[name], "right" if name == "out" else "left")
            continue
        if is_controlled_source(element):  # upright, as among the sources
            top = (LABEL_ROOM + CONTROL_LEAD, y)
            _source(cell, element, top, (top[0], y + PART))
            cell.end(element.nodes[0], top, "right")
            cell.end(element.nodes[1], (top[0], y + PART), "left")
            continue
        (_, a), (_, b) = element_pins(element)
        cell.two_pin(element, (LABEL_ROOM, y), (LABEL_ROOM + PART, y))
        cell.end(a, (LABEL_ROOM, y), "left")
        cell.end(b, (LABEL_ROOM + PART, y), "right")
