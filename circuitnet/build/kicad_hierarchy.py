"""A large KiCad schematic as a hierarchy: a root sheet whose sheet symbols hold the circuit in
sub-sheets of about ``SHEET_PARTS`` parts each (whole blocks of the placement, column by
column), the board's supply row on the first (with the inputs: KiCad's ERC finds a
PWR_FLAG on a sheet of no other pin of its net unconnected).

Why: ``kicad-cli sch erc``'s time grows faster than the size of a sheet (measured on one flat
sheet, KiCad 9.0.8: 6.6 s of CPU for 4,020 resistors, 24.7 s for 9,140, 66.3 s for 17,460,
about the 1.5th power), while the same 9,140 resistors in 10 sub-sheets of at most 17,000
items took 8.0 s: ERC's cost is per sheet. The nets are unchanged: every label is a global
label, which joins its net across sheets, and every item keeps its place (a sub-sheet is the
flat sheet's region, so its coordinates are the flat sheet's).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from .kicad_sheet import Sheet
from .placement import Placement
from .sexpr import Atom, Raw, dumps, quoted

SHEET_PARTS = 2000  # parts of the circuit per sub-sheet, at most (a column more only where one column holds more)
SUB_SHEET_FILE = "circuit-{}.kicad_sch"


@dataclass(frozen=True)
class Regions:
    """Where each sub-sheet's items are on the flat sheet: per column of blocks (its left x,
    mm), its blocks' tops (y, mm, ascending) and the sub-sheet each block is on."""

    columns: list[float]
    tops: list[list[float]]
    groups: list[list[int]]

    def group_at(self, x_mm: float, y_mm: float) -> int:
        column = max(bisect_right(self.columns, x_mm + 1e-6) - 1, 0)
        block = max(bisect_right(self.tops[column], y_mm + 1e-6) - 1, 0)
        return self.groups[column][block]


def regions(placement: Placement, offsets: dict[int, float], sheet_parts: int = SHEET_PARTS) -> Regions:
    """The blocks in placement order (column by column, top to bottom), a new sub-sheet where
    the next block would take it past ``sheet_parts`` parts."""
    counts: dict[str, int] = {}
    for part in placement.parts:
        counts[part.block] = counts.get(part.block, 0) + 1
    by_column: dict[float, list[tuple[float, int]]] = {}
    group, held = 0, 0
    for block in sorted(placement.blocks, key=lambda b: (b.x_mm + offsets[b.sheet], b.y_mm)):
        if held and held + counts.get(block.name, 0) > sheet_parts:
            group, held = group + 1, 0
        held += counts.get(block.name, 0)
        by_column.setdefault(round(block.x_mm + offsets[block.sheet], 4), []).append((block.y_mm, group))
    columns = sorted(by_column)
    return Regions(columns, [[y for y, _ in by_column[x]] for x in columns],
                   [[g for _, g in by_column[x]] for x in columns])


def split(items: list[Raw], where: Regions, supplies_from_y: float) -> list[list[Raw]]:
    """The items of each sub-sheet: each in the block whose region holds its ``x_mm``,
    ``y_mm``; those at ``supplies_from_y`` mm or lower (the supply row) on the first; empty
    sub-sheets dropped."""
    groups: dict[int, list[Raw]] = {}
    for item in items:
        index = 0 if item.y_mm >= supplies_from_y else where.group_at(item.x_mm, item.y_mm)
        groups.setdefault(index, []).append(item)
    return [groups[index] for index in sorted(groups)]


def documents(sheet: Sheet, groups: list[list[Raw]], library: tuple, head: list[tuple],
              root_items: list) -> dict[str, str]:
    """The files of the hierarchy: ``circuit.kicad_sch`` (the root: ``head``, its sheet symbols
    and ``root_items``) and one sub-sheet file per group. head: the nodes after the uuid (paper,
    title block); library: the ``(lib_symbols ...)`` node every sheet carries."""
    root = sheet.root
    files, symbols = {}, []
    for index, items in enumerate(groups):
        name = SUB_SHEET_FILE.format(index + 1)
        child = sheet.uid(f"sub-sheet:{index}")
        # a symbol's instance is its path of sheets: the root, then this sub-sheet
        moved = [Raw(item.replace(f'(path "/{root}"', f'(path "/{root}/{child}"')) for item in items]
        width = max((item.x_mm for item in items), default=0.0) + 50.8
        height = max((item.y_mm for item in items), default=0.0) + 50.8
        paper = ("paper", "User", float(round(min(width, 3000.0))), float(round(min(height, 3000.0))))
        files[name] = dumps(("kicad_sch", ("version", head[0][1]), ("generator", Atom("circuitnet")),
                             ("uuid", child), paper, library, *moved)) + "\n"
        x, y = 25.4 + 40.64 * (index % 8), 38.1 + 25.4 * (index // 8)
        symbols.append(Raw(
            f'(sheet (at {x} {y}) (size 33.02 12.7) (fields_autoplaced) (stroke (width 0.1524) (type solid)) '
            f'(fill (color 0 0 0 0)) (uuid "{child}") '
            f'(property "Sheetname" {quoted(f"part {index + 1}")} (at {x} {y - 0.7} 0) '
            f'(effects (font (size 1.27 1.27)) (justify left bottom))) '
            f'(property "Sheetfile" {quoted(name)} (at {x} {y + 13.4} 0) '
            f'(effects (font (size 1.27 1.27)) (justify left top))) '
            f'(instances (project {quoted(sheet.project)} (path "/{root}" (page "{index + 2}")))))'))
    files = {"circuit.kicad_sch": dumps(("kicad_sch", *head, ("lib_symbols",), *symbols, *root_items,
                                         ("sheet_instances", ("path", "/", ("page", "1"))))) + "\n", **files}
    return files
