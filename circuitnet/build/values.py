"""A part's value as a schematic and a parts list print it: ``11.43k`` ohms, a diode's part
number, a source's volts."""

from __future__ import annotations

import math

from ..model.elements import Element
from .pins import is_controlled_source

_PREFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1.0, ""), (1e-3, "m"), (1e-6, "u"), (1e-9, "n"), (1e-12, "p"))


def engineering(value: float, digits: int = 4) -> str:
    """``value`` with an SI prefix and at most ``digits`` significant digits: 11428.57 -> ``11.43k``."""
    if value == 0 or not math.isfinite(value):
        return f"{value:g}"
    magnitude = abs(value)
    scale, prefix = next(((s, p) for s, p in _PREFIXES if magnitude >= s * (1 - 1e-12)), _PREFIXES[-1])
    text = f"{value / scale:.{digits}g}"
    return f"{text}{prefix}"


def part_value(element: Element) -> str:
    """Ohms for a resistor, the part number for a diode (its SPICE model is ``D`` + the part
    number), the volts of a reference source, ``input`` for an input source."""
    if element.part == "resistor":
        return engineering(float(element.value))
    if element.part == "diode":
        model = str(element.value)
        return model[1:] if model.upper().startswith("D") else model
    if element.part == "source":
        if is_controlled_source(element):  # an E source: its gain
            return f"gain {element.value}"
        words = str(element.value).split()
        if element.nodes[0].lower().startswith("x"):
            return "input"
        if len(words) == 2 and words[0].upper() == "DC":
            return f"{float(words[1]):+g} V"
        return str(element.value)
    return ""
