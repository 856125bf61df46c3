"""A circuit's parts as SPICE sees them: one list that the netlist writer, the power figures and
the bill of materials all read, so no one parses netlist text that circuitnet wrote itself.

A topology turns a Circuit into a *netlist*: a list whose entries are Elements, or strings
that are comments (``* ...``) and directives (``.model``, ``.options``, ``.temp``).
"""

from __future__ import annotations

from typing import NamedTuple

from ..util.choices import Choice
from .comments import comment_lines


class Part(Choice):
    """What an Element is on the bill of materials (``Element.part``)."""

    RESISTOR = "resistor"
    DIODE = "diode"
    OPAMP = "opamp"
    SOURCE = "source"  # inputs and references: V, and B sources that set a voltage
    # a board's op-amp input offset source and bias-current sources (model.opamp_offsets): part
    # of the op-amp's model and no part to buy; the power figures and limits leave them out
    OPAMP_INPUT = "opamp_input"


PARTS = Part.values()
# Part.RESISTOR as a plain str, for the per-element paths (netlists have thousands of resistors):
# comparing with a str is several times faster than looking an enum member up and comparing.
_RESISTOR = Part.RESISTOR.value


def number(value: float) -> str:
    """A value as the netlist writes it: 17 significant digits, so a netlist realises exactly
    the circuit it came from."""
    return f"{float(value):.17g}"


class Element(NamedTuple):
    """One SPICE element (a named tuple: a netlist of a large circuit has thousands).

    name: the instance name; its first letter is SPICE's element kind (R, D, V, I, B, E).
    nodes: its terminals; current flows between the first two (for an E source the last two
        are its sensing inputs).
    value: a resistor's ohms (float); for every other part the rest of its SPICE line as text
        (a diode's model name, ``DC 1``, an E source's gain, a B source's expression).
    part: what it is on the bill of materials: one of PARTS.
    """

    name: str
    nodes: tuple[str, ...]
    value: float | str
    part: str

    def line(self) -> str:
        if self.part == _RESISTOR:  # the common case, written out: netlists have thousands
            a, b = self.nodes
            return f"{self.name} {a} {b} {self.value:.17g}"
        return f"{self.name} {' '.join(self.nodes)} {self.value}"


def resistor(name: str, a: str, b: str, ohms: float) -> Element:
    """``R<name>`` between nodes a and b."""
    return Element(f"R{name}", (a, b), float(ohms), _RESISTOR)


NetlistEntry = Element | str


def lines(entries: list[NetlistEntry]) -> list[str]:
    """The netlist text lines of a list of elements, comments and directives. A comment entry
    can become several lines (``comments.comment_lines``: long or multi-line text stays comment)."""
    found: list[str] = []
    for entry in entries:
        if isinstance(entry, Element):
            found.append(entry.line())
        elif entry.startswith("*"):
            found += comment_lines(entry)
        else:
            found.append(entry)
    return found


def elements(entries: list[NetlistEntry]) -> list[Element]:
    """The elements of a netlist, without its comments and directives."""
    return [entry for entry in entries if isinstance(entry, Element)]
