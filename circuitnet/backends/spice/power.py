"""Static power of a circuit at its operating points, from ngspice's vectors."""

from __future__ import annotations

import numpy as np

from ...model.circuit import Circuit
from ...topologies import circuit_elements


def static_power(circuit: Circuit, vectors: dict[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """Static power at each of n operating points from ngspice's node voltages and branch
    currents (every vector kept), watts, each shape (n,): ``delivered`` by each source by name,
    ``opamps`` (all op-amp outputs together), ``total`` delivered, and dissipated in the
    ``resistors`` and the ``diodes``. Each diode's current comes from Kirchhoff's current law
    at whichever of its terminals only resistors otherwise touch, so delivered = dissipated is
    a check, not an identity."""
    volts = {name: values for name, values in vectors.items() if "#" not in name}
    volts["0"] = np.zeros(n)
    elements = circuit_elements(circuit)  # ngspice names nodes and vectors in lower case
    resistors = [(e.nodes[0].lower(), e.nodes[1].lower(), e.value) for e in elements if e.part == "resistor"]
    others = {}  # node -> the elements other than resistors that touch it
    for element in elements:
        if element.part != "resistor":
            for node in element.nodes[:2]:
                others.setdefault(node.lower(), []).append(element.name)
    delivered, opamps = {}, np.zeros(n)
    in_resistors = sum((volts[a] - volts[b]) ** 2 / r for a, b, r in resistors)
    in_diodes = np.zeros(n)
    for element in elements:
        a, b = (node.lower() for node in element.nodes[:2])
        if element.part in ("source", "opamp"):
            power = -(volts[a] - volts[b]) * _branch_current(vectors, element.name)
            if element.part == "source":
                delivered[element.name] = power
            else:
                opamps += power
        elif element.part == "diode":
            # the current into the cathode's resistors (or out of the anode's) is the diode's
            node, sign = (b, 1.0) if others.get(b) == [element.name] else (a, -1.0)
            current = sum(((volts[x] - volts[y]) if x == node else (volts[y] - volts[x])) / r
                          for x, y, r in resistors if node in (x, y))
            in_diodes += (volts[a] - volts[b]) * sign * current
    return {"delivered": delivered, "opamps": opamps, "total": sum(delivered.values()) + opamps,
            "resistors": in_resistors, "diodes": in_diodes}


def _branch_current(vectors: dict[str, np.ndarray], name: str) -> np.ndarray:
    """A source's branch current. A sample-set netlist (``backend.samples_netlist``) drives
    each input with a B source on the same nodes, ``Bx1`` where the circuit has ``Vx1``."""
    key = f"{name.lower()}#branch"
    if key not in vectors and name[:1].lower() == "v":
        key = f"b{name[1:].lower()}#branch"
    return vectors[key]
