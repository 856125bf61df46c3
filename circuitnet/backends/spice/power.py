"""Static power of a circuit at its operating points, from ngspice's vectors."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...model.circuit import Circuit
from ...model.elements import Element, resistor_drops
from ...topologies import circuit_elements


def static_power(circuit: Circuit, vectors: dict[str, np.ndarray], n: int,
                 elements: list[Element] | None = None) -> dict[str, Any]:
    """Static power at each of n operating points from ngspice's node voltages and branch
    currents (every vector kept), watts, each shape (n,): ``delivered`` by each source by name,
    ``opamps`` (all op-amp outputs together), ``total`` delivered, and dissipated in the
    ``resistors`` and the ``diodes``. Each diode's current comes from Kirchhoff's current law
    at whichever of its terminals only resistors otherwise touch, so delivered = dissipated is
    a check, not an identity. elements: those of the netlist that was simulated (default: the
    circuit's own, ``circuit_elements``, with DC input sources)."""
    volts = {name: values for name, values in vectors.items() if "#" not in name}
    volts["0"] = np.zeros(n)
    elements = circuit_elements(circuit) if elements is None else elements  # nodes in lower case, as ngspice's
    kcl_nodes = _diode_kcl_nodes(elements)
    in_resistors, out_of = _resistor_currents(elements, volts, {node for node, _ in kcl_nodes.values()}, n)
    delivered: dict[str, np.ndarray] = {}
    opamps, in_diodes = np.zeros(n), np.zeros(n)
    for element in elements:
        a, b = (node.lower() for node in element.nodes[:2])
        if element.part in ("source", "opamp"):
            power = -(volts[a] - volts[b]) * vectors[f"{element.name.lower()}#branch"]
            if element.part == "source":
                delivered[element.name] = power
            else:
                opamps += power
        elif element.part == "diode":
            # the current into the cathode's resistors (or out of the anode's) is the diode's
            node, sign = kcl_nodes[element.name]
            in_diodes += (volts[a] - volts[b]) * sign * out_of[node]
    return {"delivered": delivered, "opamps": opamps, "total": sum(delivered.values()) + opamps,
            "resistors": in_resistors, "diodes": in_diodes}


def _diode_kcl_nodes(elements: list[Element]) -> dict[str, tuple[str, float]]:
    """Each diode's KCL node (lower case) and sign: its cathode (+1) where only resistors
    otherwise touch that, else its anode (-1)."""
    others: dict[str, list[str]] = {}  # node -> the elements other than resistors that touch it
    for element in elements:
        if element.part != "resistor":
            for node in element.nodes[:2]:
                others.setdefault(node.lower(), []).append(element.name)
    kcl_nodes = {}
    for element in elements:
        if element.part == "diode":
            a, b = (node.lower() for node in element.nodes[:2])
            kcl_nodes[element.name] = (b, 1.0) if others.get(b) == [element.name] else (a, -1.0)
    return kcl_nodes


def _resistor_currents(elements: list[Element], volts: dict[str, np.ndarray], wanted: set[str],
                       n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(power dissipated in all resistors, shape (n,), watts; the current the resistors carry
    out of each ``wanted`` node, shape (n,), amperes), summed block by block."""
    out_of = {node: np.zeros(n) for node in wanted}
    in_resistors = np.zeros(n)
    for block, drops in resistor_drops(elements, volts):
        current = drops / np.array([element.value for element in block])[:, None]
        in_resistors += np.einsum("ij,ij->j", drops, current)
        for row, element in enumerate(block):
            a, b = element.nodes[0].lower(), element.nodes[1].lower()
            if a in wanted:
                out_of[a] += current[row]
            if b in wanted:
                out_of[b] -= current[row]
    return in_resistors, out_of
