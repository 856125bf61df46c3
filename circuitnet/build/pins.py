"""The pins of a netlist element, named as every build writer names them, and an op-amp
unit's pin numbers on its real package.

A SPICE element's nodes are not a part's pins one for one: an op-amp is an E source
``(out, 0, plus, minus)`` (the ``0`` is the output's reference, the supply's ground on a
board) or a B source ``(out, 0)`` whose inputs are in its expression. ``element_pins`` gives
the pins a person wires, with the net each is on:

- resistor: ``1``, ``2`` (the element's first and second node);
- diode: ``A`` (anode), ``K`` (cathode);
- source: ``+``, ``-``; a controlled source (an E source standing for an amplifier off the
  network, as the resistive topology's ``-x`` rails and output readouts are) also ``c+``,
  ``c-``, the inputs it senses;
- op-amp: ``out``, ``+`` (non-inverting input), ``-`` (inverting input).
"""

from __future__ import annotations

import re

from ..model.elements import Element

_PIN_NAMES = {"resistor": ("1", "2"), "diode": ("A", "K"), "source": ("+", "-")}
_B_INPUTS = re.compile(r"v\(([^)]+)\)\s*-\s*v\(([^)]+)\)")
_B_INVERTING_ONLY = re.compile(r"-\s*v\(([^)]+)\)")

# The usual pinout of single, dual and quad op-amps (TL071/TL072/TL074, NE5532, OPA134,
# OPA4277, LM358 all share it): unit -> (out, -, +) package pins, and the supply pins.
UNIT_PINS = {
    1: {"A": {"out": 6, "-": 2, "+": 3}},
    2: {"A": {"out": 1, "-": 2, "+": 3}, "B": {"out": 7, "-": 6, "+": 5}},
    4: {"A": {"out": 1, "-": 2, "+": 3}, "B": {"out": 7, "-": 6, "+": 5},
        "C": {"out": 8, "-": 9, "+": 10}, "D": {"out": 14, "-": 13, "+": 12}},
}
SUPPLY_PINS = {1: {"V+": 7, "V-": 4}, 2: {"V+": 8, "V-": 4}, 4: {"V+": 4, "V-": 11}}


def opamp_nodes(element: Element) -> tuple[str, str, str]:
    """(out, plus, minus) nodes of an op-amp element (E: from its nodes; B: from its expression)."""
    if element.name[0].upper() == "E":
        out, _, plus, minus = element.nodes
        return out, plus, minus
    text = str(element.value).lower()
    both = _B_INPUTS.search(text)
    if both:
        return element.nodes[0], both.group(1), both.group(2)
    inverting = _B_INVERTING_ONLY.search(text)
    if inverting is None:
        raise ValueError(f"{element.name}: no op-amp inputs in {element.value!r}")
    return element.nodes[0], "0", inverting.group(1)


def is_controlled_source(element: Element) -> bool:
    """A voltage-controlled voltage source (E) among the sources: ``(out+, out-, in+, in-)``."""
    return element.part == "source" and element.name[:1].upper() == "E" and len(element.nodes) == 4


def element_pins(element: Element) -> tuple[tuple[str, str], ...]:
    """(pin name, net) of every pin of the part an element is, in the order of the module docstring."""
    if element.part == "opamp":
        out, plus, minus = opamp_nodes(element)
        return (("out", out), ("+", plus), ("-", minus))
    if is_controlled_source(element):
        return tuple(zip(("+", "-", "c+", "c-"), element.nodes, strict=True))
    return tuple(zip(_PIN_NAMES[element.part], element.nodes[:2], strict=True))


def package_pin(amplifiers_per_package: int, unit: str, pin: str) -> int:
    """The package pin number of an op-amp unit's ``out``, ``-`` or ``+`` pin (unit ``A``..``D``),
    or of ``V+``/``V-`` (unit ignored)."""
    if pin in ("V+", "V-"):
        return SUPPLY_PINS[amplifiers_per_package][pin]
    return UNIT_PINS[amplifiers_per_package][unit or "A"][pin]
