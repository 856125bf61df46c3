"""A circuit's elements as NumPy arrays, grouped by part: built once per element list, read at
every operating point set.

The power figures, the branch currents and the operating-limits check read every element at
every chunk of a sample set. A 784-100-10 classifier has 72,000 resistors: Python loops over
them (a node name lowered and looked up per terminal) cost about 1.1 s per 179-sample chunk,
a tenth of the chunk's ngspice time, in the caller's threads, which share one interpreter
lock (docs/performance.md, "A chunk's time"). Here each element's nodes become
row numbers once, so that a chunk's node voltages are one (nodes, n) array and every
resistor's drop, current and dissipation is array indexing (``ElementArrays.resistor_blocks``).
The sample-set template keeps one per circuit (``backends.spice.sample_set``).

Every array of one part is in the order of the element list (``PartArrays.positions``): what
the checks name comes in the order the per-element loops named it, and the figures are theirs
to rounding (tests/test_element_arrays.py: within 1e-12 of each figure's largest magnitude).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .elements import Element, Part

# The bytes of one block of per-resistor figures (resistors x samples): small enough that a
# block's drops, currents and dissipations stay in the processor's cache between the steps that
# read them (measured on the 784-100-10 circuit, 179 samples: a pass over its 71,648 resistors
# took 0.40 s in blocks of 8,192 resistors, 0.18 s in blocks of 256), large enough that the
# Python per block is small beside its arithmetic.
BLOCK_BYTES = 1 << 19
GROUND = "0"  # the node every voltage is measured from: row 0 of ``ElementArrays.nodes``, always 0 V


@dataclass(frozen=True, eq=False)
class PartArrays:
    """The elements of one part (``Element.part``), in the order of the element list.

    names: (k,) their SPICE names. positions: (k,) int, where each stands in the element list.
    a, b: (k,) int, the rows (in ``ElementArrays.nodes``) of their first and second nodes: for
    an op-amp, a is its output.
    """

    names: tuple[str, ...]
    positions: np.ndarray
    a: np.ndarray
    b: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


@dataclass(frozen=True, eq=False)
class ElementArrays:
    """Every element of a netlist with its nodes as row numbers (build with ``ElementArrays.of``).

    elements: the elements, as given. nodes: every node they touch, lower case (as ngspice
    names its vectors), ground (``GROUND``) first; rows: node -> its row in ``nodes``.
    parts: part -> ``PartArrays``.
    ohms: (resistors,) each resistor's value, in ``parts["resistor"]``'s order.
    kcl_node, kcl_sign: (diodes,) each diode's KCL node (its row) and sign: its cathode, +1,
    where only resistors otherwise touch that, else its anode, -1 (a rectifier's diode runs from
    a summer's output to a node of resistors only; a precision rectifier's clamp diode from a
    summing junction, which the op-amp's input draws no current from).
    """

    elements: tuple[Element, ...]
    nodes: tuple[str, ...]
    rows: dict[str, int]
    parts: dict[str, PartArrays]
    ohms: np.ndarray
    kcl_node: np.ndarray
    kcl_sign: np.ndarray

    @classmethod
    def of(cls, elements: Sequence[Element]) -> ElementArrays:
        """The arrays of ``elements``: one pass over them (0.2 s of CPU for the 784-100-10
        classifier's 73,500 elements, once per circuit)."""
        elements = tuple(elements)
        row = {GROUND: 0}
        grouped: dict[str, tuple[list[str], list[int], list[int], list[int]]] = {}
        for position, element in enumerate(elements):
            names, positions, a, b = grouped.setdefault(element.part, ([], [], [], []))
            first, second = (row.setdefault(node.lower(), len(row)) for node in element.nodes[:2])
            for node in element.nodes[2:]:  # an E source's sensing inputs: nodes too
                row.setdefault(node.lower(), len(row))
            names.append(element.name)
            positions.append(position)
            a.append(first)
            b.append(second)
        parts = {part: PartArrays(tuple(names), np.array(positions, dtype=np.int64), np.array(a, dtype=np.int64),
                                  np.array(b, dtype=np.int64)) for part, (names, positions, a, b) in grouped.items()}
        resistors = parts.get(Part.RESISTOR.value)
        ohms = np.array([float(elements[p].value) for p in resistors.positions]) if resistors else np.zeros(0)
        return cls(elements, tuple(row), row, parts, ohms, *_kcl_nodes(parts, len(row)))

    def part(self, name: str) -> PartArrays:
        """The elements of part ``name`` (none: empty arrays)."""
        found = self.parts.get(name)
        if found is None:
            empty = np.zeros(0, dtype=np.int64)
            return PartArrays((), empty, empty, empty)
        return found

    def voltages(self, volts: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        """Every node's voltage, shape (len(nodes), n), volts, from ``volts``: node name (lower
        case) -> (n,) volts (other vectors, such as branch currents, may be there too; ground
        may be left out: its row is 0). KeyError names a node that ``volts`` lacks."""
        stacked = np.empty((len(self.nodes), n))
        stacked[0] = 0.0
        for row, name in enumerate(self.nodes[1:], start=1):
            stacked[row] = volts[name]
        return stacked

    def resistor_blocks(self, stacked: np.ndarray) -> Iterator[tuple[slice, np.ndarray]]:
        """The resistors in blocks (``block_rows``): (their rows in ``parts["resistor"]``, the
        voltage from the first node to the second across each, shape (block, n), volts), from
        ``stacked`` (``voltages``)."""
        resistors = self.part(Part.RESISTOR.value)
        size = block_rows(stacked.shape[1])
        for start in range(0, len(resistors), size):
            rows = slice(start, start + size)
            yield rows, stacked[resistors.a[rows]] - stacked[resistors.b[rows]]


def block_rows(n: int) -> int:
    """Rows of n samples each held at once: BLOCK_BYTES of float64, at least 64 rows."""
    return max(64, BLOCK_BYTES // (8 * max(n, 1)))


def _kcl_nodes(parts: dict[str, PartArrays], n_nodes: int) -> tuple[np.ndarray, np.ndarray]:
    """(each diode's KCL node row, its sign), (diodes,) each: the cathode (+1) where no element
    but resistors and that diode touches it (first two nodes), else the anode (-1)."""
    touching = np.zeros(n_nodes, dtype=np.int64)  # elements other than resistors at each node
    for part, found in parts.items():
        if part != Part.RESISTOR.value:
            touching += np.bincount(found.a, minlength=n_nodes) + np.bincount(found.b, minlength=n_nodes)
    diodes = parts.get(Part.DIODE.value)
    if diodes is None:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    alone = touching[diodes.b] == 1  # the diode itself is the one
    return np.where(alone, diodes.b, diodes.a), np.where(alone, 1.0, -1.0)


Elements = Sequence[Element] | ElementArrays  # what the power, current and limits functions read


def as_arrays(elements: Elements) -> ElementArrays:
    """``elements`` as ElementArrays: the arrays given, or built from a list of elements."""
    return elements if isinstance(elements, ElementArrays) else ElementArrays.of(elements)


def sequential_sum(rows: np.ndarray, n: int) -> np.ndarray:
    """The sum of rows (k, n) over k, added one row after another from zeros, shape (n,): the
    order a per-element loop adds them in (NumPy's own sum adds a column pairwise)."""
    total = np.zeros(n)
    for row in rows:
        total += row
    return total


def resistor_drops(elements: Sequence[Element], volts: Mapping[str, np.ndarray]
                   ) -> Iterator[tuple[list[Element], np.ndarray]]:
    """The resistors of ``elements`` in blocks, each with the voltage across every one of them
    at every operating point: (resistors, shape (len(resistors), n), volts from the first node
    to the second). volts: node name (lower case) -> (n,) volts (ground may be left out)."""
    arrays = ElementArrays.of(elements)
    n = len(next(iter(volts.values()))) if volts else 0
    positions = arrays.part(Part.RESISTOR.value).positions
    for rows, drops in arrays.resistor_blocks(arrays.voltages(volts, n)):
        yield [arrays.elements[p] for p in positions[rows]], drops
