"""The board's elements: the circuit's netlist elements as a person places them, with every
resistor that ``fit --e-series-pairs`` made of two E-series values (``circuit.series_pairs``)
split into its two parts in series.

The circuit (and its netlist, which every simulation reads) holds only the pair's sum. On the
board that resistor is two parts: the larger one from the resistor's first node to an
intermediate net, the smaller one from there to its second node. The parts are elements named
after the resistor with ``PAIR_SUFFIXES`` (``Rl1n1_x1_pa``, ``Rl1n1_x1_pb``); their net is
``<resistor name>_mid`` (``rl1n1_x1_mid``); their designators share a number (``R12A``,
``R12B``: ``placement.designators``). Every build writer reads these elements
(``placement.board_elements``), so the drawing,
the KiCad schematic, ``bom.csv`` and ``wiring.csv`` all show both parts; the sum of the two is
the simulated resistor to ``series_pairs.SAME_OHMS``, so the KiCad schematic simulates as the
circuit does.
"""

from __future__ import annotations

from ..model.circuit import Circuit
from ..model.elements import Element, resistor

PAIR_SUFFIXES = ("_pa", "_pb")  # the larger part, the smaller part


def pair_part(name: str) -> tuple[str, int] | None:
    """(the resistor's element name, 0 for its larger part or 1 for its smaller) of a pair
    part's element name; None for any other element."""
    for index, suffix in enumerate(PAIR_SUFFIXES):
        if name.endswith(suffix):
            return name[:-len(suffix)], index
    return None


def resistor_name(name: str) -> str:
    """The netlist resistor an element stands for: a pair part's resistor, else the name itself."""
    found = pair_part(name)
    return found[0] if found else name


def split_pairs(circuit: Circuit, elements: list[Element]) -> list[Element]:
    """``elements`` with each resistor whose value is a series pair of ``circuit.series_pairs``
    replaced by its two parts (see the module docstring); the rest unchanged, in order."""
    pairs = circuit.series_pairs
    if pairs is None:
        return list(elements)
    found: list[Element] = []
    for element in elements:
        parts = pairs.parts(float(element.value)) if element.part == "resistor" else None
        if parts is None:
            found.append(element)
            continue
        middle = f"{element.name.lower()}_mid"
        (a, b), (larger, smaller) = element.nodes, parts
        base = element.name[1:]  # resistor() puts the R back
        found += [resistor(base + PAIR_SUFFIXES[0], a, middle, larger),
                  resistor(base + PAIR_SUFFIXES[1], middle, b, smaller)]
    return found


def split_dissipation(dissipation_w: dict[str, float], elements: list[Element]) -> dict[str, float]:
    """``dissipation_w`` (resistor name -> watts, of the netlist's resistors) with each pair
    part's own share: its ohms over the pair's sum times the resistor's watts (one current
    flows through both parts)."""
    sums: dict[str, float] = {}
    for element in elements:
        found = pair_part(element.name)
        if found:
            sums[found[0]] = sums.get(found[0], 0.0) + float(element.value)
    shares = dict(dissipation_w)
    for element in elements:
        found = pair_part(element.name)
        if found and found[0] in dissipation_w:
            shares[element.name] = dissipation_w[found[0]] * float(element.value) / sums[found[0]]
    return shares
