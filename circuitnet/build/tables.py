"""Every neuron's resistor values as tables: a line per neuron for a large sheet (the one
neuron it draws stands for the rest), and ``resistors.csv`` with every resistor of the circuit.

A resistor's role in its neuron is read from its netlist name: ``..._f`` feedback, ``..._load``
the rectifier's load, ``..._offset`` the diode-drop offset, ``..._gnd`` a passive node's
resistor to ground; every other resistor of a neuron is a weight (from a rail into its junction).
"""

from __future__ import annotations

from ..util.csv_text import csv_text
from .placement import Placement
from .series_parts import resistor_name
from .values import engineering

ROLES = (("_f", "feedback"), ("_load", "load"), ("_offset", "offset"), ("_gnd", "to ground"))


def role(element_name: str) -> str:
    """``feedback``, ``load``, ``offset``, ``to ground`` or ``weight`` (a series pair's part: its
    resistor's role)."""
    element_name = resistor_name(element_name)
    return next((name for suffix, name in ROLES if element_name.endswith(suffix)), "weight")


def neuron_table_lines(placement: Placement, blocks: list[str]) -> list[str]:
    """One text line per block: its fixed resistors and the range of its weight resistors."""
    by_block = placement.by_block()
    lines = ["| block    | feedback | load     | offset   | to ground | weights: count, smallest .. largest"]
    for block in blocks:
        resistors = [part for part in by_block.get(block, []) if part.element.part == "resistor"]
        fixed = {role(part.element.name): engineering(float(part.element.value)) for part in resistors}
        weights = sorted(float(part.element.value) for part in resistors if role(part.element.name) == "weight")
        span = f"{len(weights)}, {engineering(weights[0])} .. {engineering(weights[-1])}" if weights else "0"
        lines.append(f"| {block:<8} | " + " | ".join(f"{fixed.get(name, '-'):<8}" for _, name in ROLES)
                     + f" | {span}")
    return lines


def resistors_csv(placement: Placement) -> str:
    """Every resistor: block, designator, role, the nets of pins 1 and 2, ohms (full precision)."""
    resistors = (part for part in placement.parts if part.element.part == "resistor")
    return csv_text(["block", "designator", "role", "pin 1 net", "pin 2 net", "ohms"],
                    ([part.block, part.designator, role(part.element.name), *part.element.nodes,
                      f"{float(part.element.value):.10g}"] for part in resistors))
