"""The schematic's sheets: what each drawn sheet holds, its title and notes, and its SVG and
PNG.

A small circuit is one sheet with every block. A large one (see ``placement``) has one sheet
per layer, and drawing every one of a 784-input layer's 78,400 resistors helps no one: each
sheet draws the layer's first neuron in full (every part, as built) and a table of every
neuron's resistors; ``resistors.csv`` (``tables``) has every value of every neuron.
"""

from __future__ import annotations

from dataclasses import dataclass

import schemdraw
import schemdraw.elements as elm

from ..model.opamp_parts import OpAmpPart
from .cells import GRID_MM
from .drawing import FONT_SIZE, draw_blocks, new_drawing, point
from .placement import MARGIN_MM, Placement
from .tables import neuron_table_lines

PNG_DPI = 150  # a grid step (2.54 mm) is 15 pixels
NOTE_FONT_SIZE = 9.0


@dataclass
class Sheet:
    """One drawn sheet: its title, the blocks drawn in full, whether that is all its blocks,
    and the schemdraw drawing."""

    title: str
    blocks: list[str]
    complete: bool
    drawing: schemdraw.Drawing


def draw_sheets(placement: Placement, heading: str, opamp: OpAmpPart) -> list[Sheet]:
    """Every sheet of a placement, drawn; ``heading`` names the circuit (first line of the notes)."""
    sheets = []
    for index, title in enumerate(placement.sheets):
        blocks = [b for b in placement.blocks if b.sheet == index]
        complete = len(placement.sheets) == 1
        shown = blocks if complete else [_first_neuron(blocks)]
        drawing = new_drawing()
        left = min(b.x_mm for b in shown) - MARGIN_MM
        top = min(b.y_mm for b in shown) - MARGIN_MM
        draw_blocks(drawing, placement, [b.name for b in shown], origin=(left, top))
        bottom = max(b.y_mm + b.height_mm for b in shown) - top
        notes = _notes(heading, title, index, len(placement.sheets), placement, opamp)
        if not complete:
            notes += ["", f"{shown[0].name} drawn in full; every neuron of this sheet has the same parts, "
                      "with the values below (all of them: resistors.csv)."]
            notes += neuron_table_lines(placement, [b.name for b in blocks])
        _text(drawing, notes, (0.0, bottom + GRID_MM * 2))
        sheets.append(Sheet(title, [b.name for b in shown], complete, drawing))
    return sheets


def _first_neuron(blocks):
    """The block a large sheet draws in full: its first neuron (or output summer)."""
    neurons = [b for b in blocks if b.name[0] in "ly" and not b.name.endswith("_inv")]
    return (neurons or blocks)[0]


def _notes(heading: str, title: str, index: int, n_sheets: int, placement: Placement, opamp: OpAmpPart) -> list[str]:
    packages = sorted({part.designator.rstrip("ABCD") for part in placement.parts if part.element.part == "opamp"},
                      key=lambda d: int(d[1:]))
    span = f"{packages[0]}..{packages[-1]}" if len(packages) > 1 else (packages[0] if packages else "none")
    return [
        f"{heading} - sheet {index + 1} of {n_sheets}: {title}",
        f"op-amps {span}: {opamp.name} ({opamp.amplifiers_per_package} per {opamp.package}), each package on "
        "+-15 V with 100 nF to ground on each rail (not drawn; see BUILD.md)",
        "labels of the same name are one net; the ground symbol is 0 V; sources V are where the inputs and "
        "the +-V_ref references connect",
    ]


def _text(drawing: schemdraw.Drawing, lines: list[str], at_mm: tuple[float, float]) -> None:
    """Plain text lines from ``at_mm`` (top-left, mm from the drawing's origin) downwards."""
    x, y = point(*at_mm)
    line_units = NOTE_FONT_SIZE / 72 * 25.4 / GRID_MM * 1.25
    for row, line in enumerate(lines):
        if line:
            drawing.add(elm.Label().at((x, y - row * line_units)).label(
                line, halign="left", valign="top", fontsize=NOTE_FONT_SIZE if row else NOTE_FONT_SIZE + 2,
                font="monospace" if line.startswith("|") else None))


def svg_bytes(sheet: Sheet) -> bytes:
    sheet.drawing.draw(show=False, canvas="svg")
    return sheet.drawing.get_imagedata("svg")


def png_bytes(sheet: Sheet) -> bytes:
    """The sheet through matplotlib at PNG_DPI (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    sheet.drawing.dpi = PNG_DPI
    figure = sheet.drawing.draw(show=False, canvas="matplotlib")
    try:
        return figure.getimage(ext="png")
    finally:
        plt.close(figure.fig)


__all__ = ["FONT_SIZE", "Sheet", "draw_sheets", "png_bytes", "svg_bytes"]
