"""The schematic's sheets: what each drawn sheet holds, its title and notes, and its SVG and
PNG.

A small circuit is one sheet with every block. A large one (see ``placement``) has one sheet
per layer, and drawing every one of a 784-input layer's 78,400 resistors helps no one: each
sheet draws the layer's first neuron in full (every part, as built) and a table of every
neuron's resistors; ``resistors.csv`` (``tables``) has every value of every neuron.
"""

from __future__ import annotations

import io
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
TABLE_ROWS = 50  # rows of a neuron table per column
TABLE_CHAR_MM = NOTE_FONT_SIZE * 0.6 * 25.4 / 72  # a monospace character's width
LABEL_CHAR_MM = FONT_SIZE * 0.6 * 25.4 / 72 + 0.3  # a net label's character, at most (and its offset)


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
        shown = blocks if complete else _examples(blocks)
        drawing = new_drawing()
        if complete:
            draw_blocks(drawing, placement, [b.name for b in shown],
                        origin=(min(b.x_mm for b in shown) - MARGIN_MM, min(b.y_mm for b in shown) - MARGIN_MM))
            right = max(b.x_mm + b.width_mm for b in shown) - min(b.x_mm for b in shown) + MARGIN_MM
        else:  # the examples side by side, each moved from its place on the sheet
            right = MARGIN_MM
            for block in shown:
                draw_blocks(drawing, placement, [block.name], origin=(block.x_mm - right, block.y_mm - MARGIN_MM))
                right += block.width_mm + 2 * GRID_MM
        bottom = MARGIN_MM + max(b.height_mm for b in shown) if not complete else \
            max(b.y_mm + b.height_mm for b in shown) - min(b.y_mm for b in shown) + MARGIN_MM
        # schemdraw sizes the figure without the net labels' text, which it then cuts at the
        # right edge: mark where the rightmost label's text ends
        if complete:
            ends = [label.x_mm + len(label.net) * LABEL_CHAR_MM for label in placement.labels
                    if label.sheet == index and label.side == "right"]
            left = min(b.x_mm for b in shown) - MARGIN_MM
            drawing.add(elm.Dot(radius=0.01, color="white").at(point(max(ends, default=left) - left, MARGIN_MM)))
        notes = _notes(heading, title, index, len(placement.sheets), placement, opamp)
        if not complete:
            names = " and ".join(b.name for b in shown)
            notes += ["", f"{names} drawn in full: every neuron of this sheet has the same parts (and every inverter "
                      "the same two 10k resistors), with the values of the table (every one: resistors.csv)."]
            neurons = [b.name for b in blocks if _is_neuron(b.name)]
            _table(drawing, neuron_table_lines(placement, neurons), (right + 2 * GRID_MM, MARGIN_MM))
        _text(drawing, notes, (0.0, bottom + GRID_MM * 2))
        sheets.append(Sheet(title, [b.name for b in shown], complete, drawing))
    return sheets


def _is_neuron(block: str) -> bool:
    return block[0] in "ly" and not block.endswith("_inv")


def _examples(blocks):
    """The blocks a large sheet draws in full: its first inverter and its first neuron (or output
    summer), side by side from the top left."""
    neurons = [b for b in blocks if _is_neuron(b.name)]
    inverters = [b for b in blocks if b.name.endswith("_inv")]
    return [*inverters[:1], *(neurons[:1] or blocks[:1])]


def _table(drawing: schemdraw.Drawing, lines: list[str], at_mm: tuple[float, float]) -> None:
    """A table's header and rows in columns of TABLE_ROWS rows, from ``at_mm`` rightwards."""
    header, rows = lines[0], lines[1:]
    width_mm = max(len(line) for line in lines) * TABLE_CHAR_MM + 4 * GRID_MM
    columns = range(0, len(rows), TABLE_ROWS)
    for column, start in enumerate(columns):
        _text(drawing, [header, *rows[start:start + TABLE_ROWS]], (at_mm[0] + column * width_mm, at_mm[1]),
              heading=False)
    # schemdraw sizes the drawing by its proportional-font estimate: mark the table's far corner
    corner = point(at_mm[0] + len(columns) * width_mm, at_mm[1])
    drawing.add(elm.Dot(radius=0.01, color="white").at(corner))


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


def _text(drawing: schemdraw.Drawing, lines: list[str], at_mm: tuple[float, float], heading: bool = True) -> None:
    """Plain text lines from ``at_mm`` (top-left, mm from the drawing's origin) downwards; the
    first a little larger if ``heading``; lines starting with ``|`` (tables) in monospace."""
    x, y = point(*at_mm)
    line_units = NOTE_FONT_SIZE / 72 * 25.4 / GRID_MM * 1.25
    for row, line in enumerate(lines):
        if line:
            drawing.add(elm.Label().at((x, y - row * line_units)).label(
                line, halign="left", valign="top", fontsize=NOTE_FONT_SIZE + (2 if heading and not row else 0),
                font="monospace" if line.startswith("|") else None))


def svg_bytes(sheet: Sheet) -> bytes:
    sheet.drawing.draw(show=False, canvas="svg")
    return sheet.drawing.get_imagedata("svg")


def png_bytes(sheet: Sheet) -> bytes:
    """The sheet through matplotlib at PNG_DPI (the figure is closed afterwards)."""
    import matplotlib.pyplot as plt

    figure = sheet.drawing.draw(show=False, canvas="matplotlib").getfig()  # sized to the drawing's box
    output = io.BytesIO()
    try:  # not schemdraw's getimage: its bbox_inches="tight" renders every text twice (half the time)
        figure.savefig(output, format="png", dpi=PNG_DPI)
        return output.getvalue()
    finally:
        plt.close(figure)


__all__ = ["FONT_SIZE", "Sheet", "draw_sheets", "png_bytes", "svg_bytes"]
