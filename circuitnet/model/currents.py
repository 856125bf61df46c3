"""Branch currents from node voltages: the resistors', the diodes' (by Kirchhoff's current law)
and each op-amp's output current, for the power figures and the output-current limit.

Every function reads ``elements`` (``topologies.circuit_elements``, or their ``ElementArrays``,
which a caller that checks many operating point sets builds once) and ``volts``: node name
(lower case) -> shape (n,), volts (ground "0" may be left out); currents are amperes, shape
(n,). The ``*_array`` forms read the node voltages as one array, ``ElementArrays.voltages``.
"""

from __future__ import annotations

import numpy as np

from .element_arrays import ElementArrays, Elements, as_arrays, block_rows
from .elements import Part


def diode_kcl_nodes(elements: Elements) -> dict[str, tuple[str, float]]:
    """Each diode's KCL node (lower case) and sign: its cathode (+1) where only resistors
    otherwise touch that, else its anode (-1) (``ElementArrays.kcl_node``), by diode name."""
    arrays = as_arrays(elements)
    return {name: (arrays.nodes[node], float(sign)) for name, node, sign in
            zip(arrays.part(Part.DIODE.value).names, arrays.kcl_node, arrays.kcl_sign, strict=True)}


def resistor_currents(elements: Elements, volts: dict[str, np.ndarray], wanted: set[str],
                      n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(power dissipated in all resistors, watts; the current the resistors carry out of each
    ``wanted`` node, amperes)."""
    arrays = as_arrays(elements)
    stacked = arrays.voltages(volts, n)
    rows = {node: arrays.rows.get(node) for node in wanted}
    mask = np.zeros(len(arrays.nodes), dtype=bool)
    mask[[row for row in rows.values() if row is not None]] = True
    out_of = node_currents_array(arrays, stacked, mask)
    return (resistor_power_array(arrays, stacked),
            {node: out_of[row] if row is not None else np.zeros(n) for node, row in rows.items()})


def resistor_power_array(arrays: ElementArrays, stacked: np.ndarray) -> np.ndarray:
    """Power dissipated in all resistors, (n,) watts, from stacked: (nodes, n) volts
    (``ElementArrays.voltages``)."""
    total = np.zeros(stacked.shape[1])
    for rows, drops in arrays.resistor_blocks(stacked):
        total += np.einsum("ij,ij->j", drops, drops / arrays.ohms[rows, None])
    return total


def node_currents_array(arrays: ElementArrays, stacked: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The current the resistors carry out of each node, (nodes, n) amperes, at the ``wanted``
    rows ((nodes,) bool; 0 elsewhere), from stacked: (nodes, n) volts.

    Only the resistors at a wanted node are read (a hundred rectifier outputs touch a few
    thousand of a classifier's 78,000): their ends at wanted nodes, sorted by node, in blocks,
    each block's currents summed node by node (``np.add.reduceat``)."""
    resistors = arrays.part(Part.RESISTOR.value)
    m, n = len(resistors), stacked.shape[1]
    ends = np.concatenate([resistors.a, resistors.b])
    kept = np.flatnonzero(wanted[ends])
    kept = kept[np.argsort(ends[kept], kind="stable")]  # by node, each node's resistors in the list's order
    out_of = np.zeros_like(stacked)
    size = block_rows(n)
    for start in range(0, len(kept), size):
        pairs = kept[start:start + size]
        row, node = pairs % m, ends[pairs]
        current = (stacked[resistors.a[row]] - stacked[resistors.b[row]]) / arrays.ohms[row, None]
        current[pairs >= m] *= -1.0  # the current out of a resistor's second node is minus its current
        first = np.flatnonzero(np.concatenate([[True], node[1:] != node[:-1]]))
        out_of[node[first]] += np.add.reduceat(current, first, axis=0)
    return out_of


def diode_currents(elements: Elements, out_of: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each diode's forward current (anode to cathode), amperes, from ``out_of`` (the
    resistor currents out of the diodes' KCL nodes, ``resistor_currents``)."""
    return {name: sign * out_of[node] for name, (node, sign) in diode_kcl_nodes(elements).items()}


def opamp_output_currents(elements: Elements, volts: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Each op-amp's output current (the current it sources into its output node; negative
    when it sinks), amperes: the current out of that node through every resistor and diode
    on it. By op-amp element name."""
    arrays = as_arrays(elements)
    return dict(zip(arrays.part(Part.OPAMP.value).names, output_currents_array(arrays, arrays.voltages(volts, n)),
                    strict=True))


def output_currents_array(arrays: ElementArrays, stacked: np.ndarray) -> np.ndarray:
    """``opamp_output_currents`` as (op-amps, n) amperes, in ``parts["opamp"]``'s order, from
    stacked: (nodes, n) volts (``ElementArrays.voltages``)."""
    opamps, diodes = arrays.part(Part.OPAMP.value), arrays.part(Part.DIODE.value)
    outputs = np.zeros(len(arrays.nodes), dtype=bool)
    outputs[opamps.a] = True
    wanted = outputs.copy()
    wanted[arrays.kcl_node] = True
    out_of = node_currents_array(arrays, stacked, wanted)
    forward = arrays.kcl_sign[:, None] * out_of[arrays.kcl_node]  # each diode's current, (diodes, n)
    total = np.where(outputs[:, None], out_of, 0.0)
    for k, (anode, cathode) in enumerate(zip(diodes.a, diodes.b, strict=True)):  # a hundred, not thousands
        if outputs[anode]:
            total[anode] += forward[k]
        if outputs[cathode]:
            total[cathode] -= forward[k]
    return total[opamps.a]

