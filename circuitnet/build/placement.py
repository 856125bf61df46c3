"""Where every part of a circuit goes on its sheets, computed once: every writer (the drawing,
the KiCad schematic, the wiring list, the parts list) reads the same placement, so that their
designators, positions and wires agree.

A part is one element of the circuit's netlist (``topologies.circuit_elements``). Parts are
grouped into *blocks*, read from the elements' node names:

- ``inputs``: the input sources and the two bias references;
- ``x1_inv``, ``l1n3_h_inv``, ...: each unity inverter, named after the inverted rail it makes
  (an input's inverter belongs to layer 1, an inverter of layer L's output to layer L + 1);
- ``lLnJ``: hidden neuron J of layer L (its summer, rectifier and load);
- ``y`` (or ``y1``, ``y2``, ...): each output's summer.

Each block is laid out by ``cells`` (its parts, wires, labels and ground marks); blocks sit in
columns, layer by layer from left to right (a layer's inverters above its neurons), and a
column wraps into the next when it grows taller than a sheet should be (about A4's landscape
proportions for a small circuit, ``MAX_COLUMN_MM`` for a large one). A small circuit
(``SMALL_NEURONS`` hidden neurons and ``SMALL_INPUTS`` inputs at most) is one sheet; a larger
one has one sheet per layer (the inputs on the first).

Coordinates are millimetres on the sheet, origin at the top left, y downwards (KiCad's and
SVG's convention), on KiCad's 2.54 mm grid. A part's position is its centre; its rotation is
counter-clockwise on the sheet: 0 puts pin 1 left of pin 2, 90 below it, 180 right of it, 270
above it. An op-amp at 0 has its inputs on the left, the inverting one on top.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..errors import BuildError
from ..model.circuit import Circuit
from ..model.elements import Element
from ..model.opamp_parts import OpAmpPart
from ..topologies import TOPOLOGIES, circuit_elements
from .cells import GRID_MM, Cell, cell_for
from .pins import element_pins
from .series_parts import pair_part, resistor_name, split_pairs

MARGIN_MM = 20.32  # 8 grid steps
BLOCK_GAP_MM = 5.08  # between blocks of one column
COLUMN_GAP_MM = 10.16  # between columns
MAX_COLUMN_MM = 400.0  # a column taller than this wraps into a new column
SMALL_NEURONS = 16  # at most this many hidden neurons and ...
SMALL_INPUTS = 4  # ... inputs: the whole circuit on one sheet
A4_LANDSCAPE = 297.0 / 210.0  # width / height

_NEURON = re.compile(r"^(l(\d+)n\d+)_")
_RAIL = re.compile(r"^(x\d+|l(\d+)n\d+_h)_inv(_in|_f)?$")
_OUTPUT = re.compile(r"^(y\d*)(_|$)")
_INPUT_SOURCE = re.compile(r"^Vx\d+$", re.IGNORECASE)
_DESIGNATOR_PREFIX = {"resistor": "R", "diode": "D", "opamp": "U", "source": "V"}


@dataclass(frozen=True)
class PlacedPin:
    """One pin of a placed part: its name (``pins.element_pins``), its net, its position in mm."""

    name: str
    net: str
    x_mm: float
    y_mm: float


@dataclass(frozen=True)
class PlacedPart:
    """One part on a sheet.

    element: the netlist element it is (its nodes are the part's nets, in pin order).
    designator: its reference designator (``R12``, ``D3``, ``U2B``: package 2, unit B).
    block: the group it belongs to (``inputs``, ``x1_inv``, ``l1n3``, ``y``).
    sheet: 0-based sheet index; x_mm, y_mm: its centre; rotation_deg: 0, 90, 180 or 270.
    pins: where each of its pins is, and on which net.
    """

    element: Element
    designator: str
    block: str
    sheet: int
    x_mm: float
    y_mm: float
    rotation_deg: int = 0
    pins: tuple[PlacedPin, ...] = ()


@dataclass(frozen=True)
class Wire:
    """A straight wire of one net between two points of a sheet, mm."""

    net: str
    sheet: int
    x1_mm: float
    y1_mm: float
    x2_mm: float
    y2_mm: float


@dataclass(frozen=True)
class NetLabel:
    """A net's name at a point: the point joins every other point with the same name.
    side: where the text goes, ``left`` or ``right`` of the point."""

    net: str
    sheet: int
    x_mm: float
    y_mm: float
    side: str


@dataclass(frozen=True)
class GroundMark:
    """A ground symbol hanging below a point (the net ``0``)."""

    sheet: int
    x_mm: float
    y_mm: float


@dataclass(frozen=True)
class Block:
    """A block's box on its sheet: name (see the module docstring), layer (0 for the inputs),
    sheet, top-left corner and size in mm."""

    name: str
    layer: int
    sheet: int
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float


@dataclass(frozen=True)
class Placement:
    """Every part of one circuit, placed, with the wires, labels and ground marks that join
    them. sheets: each sheet's title, by index."""

    parts: tuple[PlacedPart, ...]
    sheets: tuple[str, ...]
    wires: tuple[Wire, ...] = ()
    labels: tuple[NetLabel, ...] = ()
    grounds: tuple[GroundMark, ...] = ()
    blocks: tuple[Block, ...] = ()

    def by_element(self) -> dict[str, PlacedPart]:
        """Element name -> its placed part."""
        return {part.element.name: part for part in self.parts}

    def by_block(self) -> dict[str, list[PlacedPart]]:
        """Block name -> its parts, in netlist order."""
        found: dict[str, list[PlacedPart]] = {}
        for part in self.parts:
            found.setdefault(part.block, []).append(part)
        return found

    def sheet_size_mm(self, sheet: int) -> tuple[float, float]:
        """(width, height) that holds every block of a sheet, with the margins."""
        boxes = [b for b in self.blocks if b.sheet == sheet]
        return (max(b.x_mm + b.width_mm for b in boxes) + MARGIN_MM,
                max(b.y_mm + b.height_mm for b in boxes) + MARGIN_MM)


def block_of(element: Element) -> str:
    """The block an element belongs to (see the module docstring), read from its name: an
    inverter of ``x1`` or ``l1n3_h`` belongs to the rails, a part named after a neuron's node to
    that neuron, a part named after ``y`` to that output; everything else to ``inputs``."""
    name = resistor_name(element.name)[1:].lower()  # a series pair's parts go where their resistor goes
    rail = _RAIL.match(name)
    if rail:
        return f"{rail.group(1)}_inv"
    neuron = _NEURON.match(name)
    if neuron:
        return neuron.group(1)
    output = _OUTPUT.match(name)
    if output and element.part != "source":
        return output.group(1)
    return "inputs"


def layer_of_block(block: str, n_layers: int) -> int:
    """0 for the inputs, L for layer L's rails and neurons, ``n_layers`` for the outputs."""
    if block == "inputs":
        return 0
    rail = _RAIL.match(block)
    if rail:
        return int(rail.group(2)) + 1 if rail.group(2) else 1
    neuron = _NEURON.match(block + "_")
    return int(neuron.group(2)) if neuron else n_layers


def designators(elements: list[Element], opamp: OpAmpPart | None) -> list[str]:
    """Reference designators in netlist order: R1.., D1.., V1.., op-amps as units of
    packages of ``opamp.amplifiers_per_package`` (U1A, U1B, ...; one unit each if None), and
    the two parts of a series pair (``series_parts``) one number with A and B (R12A, R12B)."""
    counts: dict[str, int] = {}
    per_package = opamp.amplifiers_per_package if opamp is not None else 1
    found = []
    for element in elements:
        prefix = _DESIGNATOR_PREFIX.get(element.part, "X")
        pair = pair_part(element.name)
        if pair is not None:
            if pair[1] == 0:
                counts[prefix] = counts.get(prefix, 0) + 1
            found.append(f"{prefix}{counts[prefix]}{'AB'[pair[1]]}")
            continue
        index = counts.get(prefix, 0)
        counts[prefix] = index + 1
        if prefix == "U":
            unit = "ABCD"[index % per_package] if per_package > 1 else ""
            found.append(f"U{index // per_package + 1}{unit}")
        else:
            found.append(f"{prefix}{index + 1}")
    return found


# The topologies build draws: every one of the registry. The resistive topology's -x rails and
# output readouts are ideal controlled sources in its netlist; they are drawn (and on the KiCad
# schematic) as such, and the board makes them from the parts ``resistive_rails`` lists.
BUILDABLE_TOPOLOGIES = tuple(TOPOLOGIES)


def check_buildable(circuit: Circuit) -> None:
    """BuildError, naming the topology and what works instead, for a circuit build can't draw
    (one of a topology added to the registry without a build)."""
    if circuit.topology not in BUILDABLE_TOPOLOGIES:
        raise BuildError(
            f"build draws the {', '.join(BUILDABLE_TOPOLOGIES)} topologies; this model's circuit is "
            f"{circuit.topology!r}. `circuitnet export` writes its netlist, which stock ngspice runs")


# What a person puts on the board. A circuit with a real op-amp part also has, in its netlist,
# the bench supply (part "supply": Vvcc, Vvee) and each op-amp's quiescent current (a "macro"
# current source standing for what the package draws): the board has supply pins for those.
BOARD_PARTS = frozenset({"resistor", "diode", "opamp", "source"})


def on_the_board(elements: list[Element]) -> list[Element]:
    """The elements a person places: everything but the op-amps' modelled supply."""
    return [element for element in elements if element.part in BOARD_PARTS]


def board_elements(circuit: Circuit) -> list[Element]:
    """What a person places for ``circuit``: its netlist's elements on the board
    (``on_the_board``), each series pair as its two parts (``series_parts.split_pairs``)."""
    return split_pairs(circuit, on_the_board(circuit_elements(circuit)))


def place(elements: list[Element], opamp: OpAmpPart | None = None) -> Placement:
    """Place every element on the board (``on_the_board``): blocks laid out by ``cells``, in
    columns per layer, on one sheet for a small circuit and one sheet per layer for a larger one
    (see the module docstring)."""
    elements = on_the_board(elements)
    names = designators(elements, opamp)
    members: dict[str, list[int]] = {}
    for index, element in enumerate(elements):
        members.setdefault(block_of(element), []).append(index)
    # the output layer's index: one past the last hidden layer (and at least its rails' index)
    hidden = [b for b in members if _NEURON.match(b + "_") and not _RAIL.match(b)]
    n_layers = max(max((layer_of_block(b, 0) for b in members if _RAIL.match(b)), default=1),
                   1 + max((layer_of_block(b, 0) for b in hidden), default=0))
    neurons = len(hidden)
    n_inputs = sum(1 for e in elements if e.part == "source" and _INPUT_SOURCE.match(e.name))
    one_sheet = neurons <= SMALL_NEURONS and n_inputs <= SMALL_INPUTS
    order = sorted(members, key=lambda b: (layer_of_block(b, n_layers), _column_kind(b), _number_key(b)))
    cells = {block: cell_for([elements[i] for i in members[block]]) for block in order}
    boxes = _arrange(order, cells, n_layers, one_sheet)
    placed = _Translated()
    for box in boxes:
        placed.add(cells[box.name], box, [(elements[i], names[i]) for i in members[box.name]])
    n_sheets = 1 + max(box.sheet for box in boxes)
    titles = (("the whole circuit",) if one_sheet else
              tuple(_sheet_title(sheet, n_layers) for sheet in range(n_sheets)))
    position = {element.name: index for index, element in enumerate(elements)}
    parts = sorted(placed.parts, key=lambda part: position[part.element.name])
    return Placement(tuple(parts), titles, tuple(placed.wires), tuple(placed.labels), tuple(placed.grounds),
                     tuple(boxes))


def _column_kind(block: str) -> int:
    """Inputs, then each layer's rails, then its neurons (or outputs)."""
    return 0 if block == "inputs" else (1 if _RAIL.match(block) else 2)


def _number_key(block: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", block))


def _sheet_title(sheet: int, n_layers: int) -> str:
    if sheet == 0:
        return "inputs, references and hidden layer 1"
    return "output layer" if sheet == n_layers - 1 else f"hidden layer {sheet + 1}"


def _arrange(order: list[str], cells: dict[str, Cell], n_layers: int, one_sheet: bool) -> list[Block]:
    """Blocks into columns (one per layer, wrapping past the column height) and sheets."""
    sizes = {block: tuple(size * GRID_MM for size in cells[block].size()) for block in order}
    tallest = max(h for _, h in sizes.values())
    if one_sheet:  # columns about as tall as A4 landscape's proportions make the whole sheet
        area = sum((w + COLUMN_GAP_MM) * (h + BLOCK_GAP_MM) for w, h in sizes.values())
        column_mm = max(tallest, 1.1 * math.sqrt(area / A4_LANDSCAPE))
    else:
        column_mm = max(tallest, MAX_COLUMN_MM)
    boxes: list[Block] = []
    column, x, y, width, sheet = None, MARGIN_MM, MARGIN_MM, 0.0, 0
    for block in order:
        layer = layer_of_block(block, n_layers)
        block_sheet = 0 if one_sheet else max(0, layer - 1)
        w, h = sizes[block]
        if block_sheet != sheet:
            column, x, y, width, sheet = layer, MARGIN_MM, MARGIN_MM, 0.0, block_sheet
        elif layer != column or y + h > MARGIN_MM + column_mm:
            if column is not None:
                x, y, width = _on_grid(x + width + COLUMN_GAP_MM), MARGIN_MM, 0.0
            column = layer
        boxes.append(Block(block, layer, sheet, x, y, w, h))
        y = _on_grid(y + h + BLOCK_GAP_MM)
        width = max(width, w)
    return boxes


def _on_grid(mm: float) -> float:
    return math.ceil(mm / GRID_MM - 1e-9) * GRID_MM


class _Translated:
    """Cells moved to their blocks' places, in mm, as the Placement's records."""

    def __init__(self) -> None:
        self.parts: list[PlacedPart] = []
        self.wires: list[Wire] = []
        self.labels: list[NetLabel] = []
        self.grounds: list[GroundMark] = []

    def add(self, cell: Cell, box: Block, named: list[tuple[Element, str]]) -> None:
        ox, oy, sheet = box.x_mm, box.y_mm, box.sheet

        def mm(point):
            return round(ox + point[0] * GRID_MM, 4), round(oy + point[1] * GRID_MM, 4)

        designator = {element.name: name for element, name in named}
        for element, pins in cell.parts:
            placed = tuple(PlacedPin(pin, net, *mm(pins[pin])) for pin, net in element_pins(element))
            x, y, rotation = _centre_and_rotation(element, placed)
            self.parts.append(PlacedPart(element, designator[element.name], box.name, sheet, x, y, rotation, placed))
        self.wires += [Wire(net, sheet, *mm(a), *mm(b)) for net, a, b in cell.wires]
        for net, point, side in cell.labels:
            x_mm, y_mm = mm(point)
            self.labels.append(NetLabel(net, sheet, x_mm, y_mm, side))
        self.grounds += [GroundMark(sheet, *mm(point)) for point in cell.grounds]


def _centre_and_rotation(element: Element, pins: tuple[PlacedPin, ...]) -> tuple[float, float, int]:
    if element.part == "opamp":
        by_name = {pin.name: pin for pin in pins}
        return round((by_name["-"].x_mm + by_name["out"].x_mm) / 2, 4), by_name["out"].y_mm, 0
    first, second = pins[:2]  # (a controlled source's sensing pins are beside its body)
    angle = math.degrees(math.atan2(-(second.y_mm - first.y_mm), second.x_mm - first.x_mm))
    return (round((first.x_mm + second.x_mm) / 2, 4), round((first.y_mm + second.y_mm) / 2, 4),
            int(round(angle)) % 360)

