"""Where every part of a circuit goes on its sheets, computed once: every writer (the drawing,
the KiCad schematic, the wiring list, the parts list) reads the same placement, so that their
designators and positions agree.

A part is one element of the circuit's netlist (``topologies.circuit_elements``). Parts are
grouped into *blocks*: the input rails, one block per neuron (its summer, rectifier and load),
the outputs. Blocks sit on a grid, one column per layer, one row per neuron; a large circuit
spreads over several sheets.

Coordinates are millimetres on the sheet, origin at the top left, y downwards (KiCad's and
SVG's convention).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model.elements import Element
from ..model.opamp_parts import OpAmpPart

BLOCK_PITCH_X_MM = 60.0  # one layer's column width
BLOCK_PITCH_Y_MM = 30.0  # one neuron's row height
PART_PITCH_MM = 12.0  # parts of one block, side by side
MARGIN_MM = 20.0
ROWS_PER_SHEET = 8

_NEURON = re.compile(r"^(l\d+n\d+)_")
_DESIGNATOR_PREFIX = {"resistor": "R", "diode": "D", "opamp": "U", "source": "V"}


@dataclass(frozen=True)
class PlacedPart:
    """One part on a sheet.

    element: the netlist element it is (its nodes are the part's nets, in pin order).
    designator: its reference designator (``R12``, ``D3``, ``U2B``: package 2, unit B).
    block: the group it belongs to (``inputs``, ``l1n3``, ``outputs``).
    sheet: 0-based sheet index; x_mm, y_mm: its position; rotation_deg: 0, 90, 180 or 270.
    """

    element: Element
    designator: str
    block: str
    sheet: int
    x_mm: float
    y_mm: float
    rotation_deg: int = 0


@dataclass(frozen=True)
class Placement:
    """Every part of one circuit, placed. sheets: each sheet's title, by index."""

    parts: tuple[PlacedPart, ...]
    sheets: tuple[str, ...]

    def by_element(self) -> dict[str, PlacedPart]:
        """Element name -> its placed part."""
        return {part.element.name: part for part in self.parts}


def block_of(element: Element) -> str:
    """The block an element belongs to: the neuron its name or first node names, else
    ``inputs`` (sources, input inverters) or ``outputs``."""
    for text in (element.name[1:], *element.nodes):
        match = _NEURON.match(text.lower())
        if match:
            return match.group(1)
    if any(node.lower().startswith("y") for node in element.nodes[:1]):
        return "outputs"
    return "inputs"


def designators(elements: list[Element], opamp: OpAmpPart | None) -> list[str]:
    """Reference designators in netlist order: R1.., D1.., V1.., and op-amps as units of
    packages of ``opamp.amplifiers_per_package`` (U1A, U1B, ...; one unit each if None)."""
    counts: dict[str, int] = {}
    per_package = opamp.amplifiers_per_package if opamp is not None else 1
    found = []
    for element in elements:
        prefix = _DESIGNATOR_PREFIX.get(element.part, "X")
        index = counts.get(prefix, 0)
        counts[prefix] = index + 1
        if prefix == "U":
            unit = "ABCD"[index % per_package] if per_package > 1 else ""
            found.append(f"U{index // per_package + 1}{unit}")
        else:
            found.append(f"{prefix}{index + 1}")
    return found


def place(elements: list[Element], opamp: OpAmpPart | None = None) -> Placement:
    """A first placement on a grid: blocks in netlist order, a column per layer (inputs first,
    outputs last), ROWS_PER_SHEET neuron rows per sheet, parts side by side in a block."""
    names = designators(elements, opamp)
    blocks: dict[str, list[int]] = {}
    for index, element in enumerate(elements):
        blocks.setdefault(block_of(element), []).append(index)
    columns: dict[str, int] = {}
    slots: list[tuple[str, int, int]] = []  # block, column, row
    for block in blocks:
        column = 0 if block == "inputs" else (10_000 if block == "outputs" else int(block[1:].split("n")[0]))
        row = columns.get(str(column), 0)
        columns[str(column)] = row + 1
        slots.append((block, column, row))
    ordered_columns = sorted({column for _, column, _ in slots})
    parts = []
    for block, column, row in slots:
        sheet, row_on_sheet = divmod(row, ROWS_PER_SHEET)
        x0 = MARGIN_MM + ordered_columns.index(column) * BLOCK_PITCH_X_MM
        y0 = MARGIN_MM + row_on_sheet * BLOCK_PITCH_Y_MM
        for offset, index in enumerate(blocks[block]):
            parts.append(PlacedPart(elements[index], names[index], block, sheet,
                                    x0 + (offset % 4) * PART_PITCH_MM, y0 + (offset // 4) * PART_PITCH_MM))
    n_sheets = 1 + max((part.sheet for part in parts), default=0)
    return Placement(tuple(parts), tuple(f"sheet {k + 1} of {n_sheets}" for k in range(n_sheets)))
