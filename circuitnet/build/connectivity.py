"""Which pins a drawing joins, found from its geometry alone, and the same from a netlist, so
the two can be compared: a drawn circuit is right only if it joins the pins its netlist joins.

A drawing is read as pins (a part's pin at a point), wires (two points joined), labels (a
point carries a net's name; points with the same name are joined) and ground marks (a point
on net ``0``). Points within ``TOLERANCE`` of each other are the same point; a wire joins only
its two ends (a wire that passes over a point without ending there does not touch it).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.elements import Element
from .pins import element_pins

TOLERANCE = 1e-3  # same point, in the drawing's units

Point = tuple[float, float]
PinRef = tuple[str, str]  # (part, pin name)


class _Points:
    """Union-find over points snapped to TOLERANCE, with names attached to groups."""

    def __init__(self) -> None:
        self.parent: dict[tuple[int, int], tuple[int, int]] = {}

    def key(self, point: Point) -> tuple[int, int]:
        k = (round(point[0] / TOLERANCE), round(point[1] / TOLERANCE))
        self.parent.setdefault(k, k)
        return k

    def root(self, k: tuple[int, int]) -> tuple[int, int]:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, a: tuple[int, int], b: tuple[int, int]) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[ra] = rb


def drawn_nets(pins: Iterable[tuple[PinRef, Point]], wires: Iterable[tuple[Point, Point]],
               labels: Iterable[tuple[str, Point]], grounds: Iterable[Point]) -> dict[frozenset, set[str]]:
    """The nets of a drawing: each set of joined pins -> the names its labels give it (``0``
    for a ground mark; empty where nothing names it). A net with no pin is left out."""
    points = _Points()
    pin_keys = [(ref, points.key(point)) for ref, point in pins]
    for a, b in wires:
        points.join(points.key(a), points.key(b))
    named: dict[str, tuple[int, int]] = {}
    names: list[tuple[str, tuple[int, int]]] = [(text, points.key(p)) for text, p in labels]
    names += [("0", points.key(p)) for p in grounds]
    for text, k in names:
        if text in named:
            points.join(named[text], k)
        else:
            named[text] = k
    groups: dict[tuple[int, int], set[PinRef]] = {}
    for ref, k in pin_keys:
        groups.setdefault(points.root(k), set()).add(ref)
    texts: dict[tuple[int, int], set[str]] = {}
    for text, k in names:
        texts.setdefault(points.root(k), set()).add(text)
    return {frozenset(refs): texts.get(root, set()) for root, refs in groups.items()}


def netlist_nets(elements: Iterable[Element], designator: dict[str, str]) -> dict[frozenset, str]:
    """The nets of a netlist in the same terms: each set of (designator, pin) -> its node name.
    An op-amp's output reference (an E source's second node) is its supply's ground, not a pin."""
    found: dict[str, set[PinRef]] = {}
    for element in elements:
        for pin, net in element_pins(element):
            found.setdefault(net.lower(), set()).add((designator[element.name], pin))
    return {frozenset(refs): net for net, refs in found.items()}


def differences(drawn: dict[frozenset, set[str]], netlist: dict[frozenset, str]) -> list[str]:
    """What differs between a drawing's nets and a netlist's, as sentences (empty: the same)."""
    problems = []
    for refs, net in netlist.items():
        if refs not in drawn:
            problems.append(f"net {net}: the netlist joins {sorted(refs)}; the drawing does not join exactly these")
        elif drawn[refs] - {net}:
            problems.append(f"net {net} is labelled {sorted(drawn[refs])} in the drawing")
    for refs, texts in drawn.items():
        if refs not in netlist:
            problems.append(f"the drawing joins {sorted(refs)} (labelled {sorted(texts)}), which no netlist net does")
    return problems
