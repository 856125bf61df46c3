"""Branch currents from node voltages: the resistors', the diodes' (by Kirchhoff's current law)
and each op-amp's output current, for the power figures and the output-current limit.

Every function reads ``elements`` (``topologies.circuit_elements``) and ``volts``: node name
(lower case) -> shape (n,), volts, ground ("0") included; currents are amperes, shape (n,).
"""

from __future__ import annotations

import numpy as np

from .elements import Element, resistor_drops


def diode_kcl_nodes(elements: list[Element]) -> dict[str, tuple[str, float]]:
    """Each diode's KCL node (lower case) and sign: its cathode (+1) where only resistors
    otherwise touch that, else its anode (-1). (A rectifier's diode runs from a summer's output
    to a node of resistors only; a precision rectifier's clamp diode from a summing junction,
    which the op-amp's input draws no current from.)"""
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


def resistor_currents(elements: list[Element], volts: dict[str, np.ndarray], wanted: set[str],
                      n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(power dissipated in all resistors, watts; the current the resistors carry out of each
    ``wanted`` node, amperes), summed block by block."""
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


def diode_currents(elements: list[Element], out_of: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each diode's forward current (anode to cathode), amperes, from ``out_of`` (the
    resistor currents out of the diodes' KCL nodes, ``resistor_currents``)."""
    return {name: sign * out_of[node] for name, (node, sign) in diode_kcl_nodes(elements).items()}


def opamp_output_currents(elements: list[Element], volts: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Each op-amp's output current (the current it sources into its output node; negative
    when it sinks), amperes: the current out of that node through every resistor and diode
    on it. By op-amp element name."""
    outputs = {element.nodes[0].lower(): element.name for element in elements if element.part == "opamp"}
    kcl_nodes = diode_kcl_nodes(elements)
    _, out_of = resistor_currents(elements, volts, set(outputs) | {node for node, _ in kcl_nodes.values()}, n)
    current = {node: out_of[node].copy() for node in outputs}
    for element in elements:
        if element.part == "diode":
            anode, cathode = (node.lower() for node in element.nodes[:2])
            node, sign = kcl_nodes[element.name]
            forward = sign * out_of[node]
            if anode in current:
                current[anode] += forward
            if cathode in current:
                current[cathode] -= forward
    return {name: current[node] for node, name in outputs.items()}
