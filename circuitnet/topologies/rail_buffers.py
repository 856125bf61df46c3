"""Buffered rails: an op-amp output that drives more weight resistors than one op-amp can feed
is split over unity followers, each driving at most ``Circuit.buffer_loads`` of them.

The case is an input inverter of a wide layer: x1_inv feeds one resistor per neuron (100 in a
784-100-10 classifier), and their currents add up at its output. With ``buffer_loads = m``
every op-amp output node with more than m resistor loads (its own feedback resistor not
counted) keeps the first m, and the rest go, m at a time in netlist order, to followers
``E<node>_b2``, ``E<node>_b3``... whose outputs ``<node>_b2``... copy the node's voltage.

Each follower is an op-amp (on the bill of materials, in the supply and output-current
figures) modelled as its ideal closed loop, an E source of gain 1 from the rail: a unity
follower of open-loop gain A copies its input to within 1/A (1e-5 for A = 1e5), far below
any other error here, and so the surrogate, which does not see the followers, still computes
the same rail voltages as ngspice (tested). In a transient run the macro-model gives each
follower its part's dynamics (a gain-1 macro-model is the unity follower's single pole at GBW).
"""

from __future__ import annotations

from ..model.circuit import Circuit
from ..model.elements import Element, NetlistEntry


def buffered_rails(circuit: Circuit, entries: list[NetlistEntry]) -> list[NetlistEntry]:
    """``entries`` with every op-amp output of more than ``circuit.buffer_loads`` resistor loads
    split over unity followers (see the module docstring); unchanged when buffer_loads is None."""
    most = circuit.buffer_loads
    if most is None:
        return entries
    loads = _loads(entries)
    moved: dict[str, str] = {}  # resistor name -> the follower output it now hangs on
    followers: dict[str, list[Element]] = {}  # op-amp output node -> its followers
    for node, names in loads.items():
        for group in range(1, -(-len(names) // most)):
            out = f"{node}_b{group + 1}"
            followers.setdefault(node, []).append(Element(f"E{out}", (out, "0", node, "0"), "1", "opamp"))
            moved.update({name: out for name in names[group * most:(group + 1) * most]})
    found: list[NetlistEntry] = []
    for entry in entries:
        if isinstance(entry, Element) and entry.name in moved:
            node = next(n for n in entry.nodes if n in followers)
            entry = entry._replace(nodes=tuple(moved[entry.name] if n == node else n for n in entry.nodes))
        found.append(entry)
        if isinstance(entry, Element) and entry.part == "opamp" and entry.nodes[0] in followers:
            found += [f"* {entry.nodes[0]} drives {len(loads[entry.nodes[0]])} loads: split over "
                      f"{len(followers[entry.nodes[0]]) + 1} outputs of at most {most}", *followers[entry.nodes[0]]]
    return found


def _loads(entries: list[NetlistEntry]) -> dict[str, list[str]]:
    """Op-amp output node -> the names of the resistors on it (its feedback ``R<node>_f`` left
    out), for the nodes with more than one."""
    outputs = {entry.nodes[0] for entry in entries if isinstance(entry, Element) and entry.part == "opamp"}
    loads: dict[str, list[str]] = {node: [] for node in outputs}
    for entry in entries:
        if isinstance(entry, Element) and entry.part == "resistor":
            for node in entry.nodes:
                if node in loads and entry.name != f"R{node}_f":
                    loads[node].append(entry.name)
    return {node: names for node, names in loads.items() if len(names) > 1}
