"""The op-amps' supply in the netlist: what a real part draws whatever its output does.

A circuit whose op-amp model names a part (``OpAmpModel.part``) gets two supply sources,
``VCC`` (node ``vcc`` at V+) and ``VEE`` (node ``vee`` at V-), and one DC current source from
``vcc`` to ``vee`` carrying the part's typical quiescent supply current for every amplifier
the built board has (``model.board_amplifiers``): one per op-amp of the netlist (``I<name>_q``),
and one per amplifier that is only counted: the +-V_ref reference's (``Iref1_q``,
``Iref2_q``), the resistive topology's rail inverters, bias follower and output difference
amplifiers (``Irail1_q``, ``Ibias1_q``, ``Ireadout1_q``), the input stages (``Iinput1_q``...)
and each spare unit of the last package (``Ispare1_q``...); and one DC current source from
``vcc`` to ground, ``Iref_feed``, for the current the reference's LM4040 draws from V+ through
its feed resistor (``model.reference_feed``).
The quiescent power is then measured in ngspice, from the supply sources' branch currents, like
every other source's power (``backends.spice.power``), and it is in every transient energy,
for the same amplifiers the bill of materials lists.

The op-amp's output current itself still comes from its ideal output source (referred to
ground); the power figures add the output stage's dissipation, |I_out| x (rail - V_out) for
the rail it sources from, from that source's branch current (see ``static_power``).

A circuit with the generic op-amp (part None) has no supply: its netlist is unchanged, and
its reports say the op-amp supply is not included.
"""

from __future__ import annotations

from ..model.board_amplifiers import board_inventory
from ..model.circuit import Circuit
from ..model.dynamics import MACRO
from ..model.elements import Element, NetlistEntry, number
from ..model.opamp_parts import opamp_part, part_supply_rails
from ..model.reference_feed import feed_current_a

SUPPLY_POS, SUPPLY_NEG = "vcc", "vee"  # node names of the op-amps' supply rails
SUPPLY = "supply"  # the Element part of the two supply sources: their power is the op-amps' quiescent power


def board_description(circuit: Circuit, elements: list[Element]) -> str | None:
    """One line on the board whose supply the netlist carries (``BoardAmplifiers.describe``:
    which amplifiers are simulated and which only counted), or None for the generic op-amp;
    ``elements``: the circuit's netlist elements."""
    if circuit.opamp.part is None:
        return None
    return board_inventory(circuit, elements, opamp_part(circuit.opamp.part)).describe()


def supply_entries(circuit: Circuit, entries: list[NetlistEntry]) -> list[NetlistEntry]:
    """The supply sources and one quiescent-current source per amplifier of the board: each
    op-amp of ``entries`` (the circuit's netlist so far) and every one that is only counted
    (``model.board_amplifiers.board_inventory``); [] for the generic op-amp model."""
    if circuit.opamp.part is None:
        return []
    part = opamp_part(circuit.opamp.part)
    elements = [entry for entry in entries if isinstance(entry, Element)]
    opamps = [element for element in elements if element.part == "opamp"]
    board = board_inventory(circuit, elements, part)
    v_minus, v_plus = part_supply_rails(circuit.opamp, part)
    found: list[NetlistEntry] = [
        f"* op-amp supply: {part.name} on {v_minus:g}/{v_plus:g} V, {board.describe()}; each draws "
        f"{1e3 * part.supply_current_typ_a:g} mA (typical quiescent current, {part.source.split(':')[0]})",
        Element(f"V{SUPPLY_POS}", (SUPPLY_POS, "0"), f"DC {number(v_plus)}", SUPPLY),
        Element(f"V{SUPPLY_NEG}", (SUPPLY_NEG, "0"), f"DC {number(v_minus)}", SUPPLY)]
    names = [opamp.name[1:] for opamp in opamps] + [f"{stem}{k + 1}" for stem, count, _ in board.counted_roles()
                                                    for k in range(count)]
    quiescent = f"DC {number(part.supply_current_typ_a)}"
    feed = Element("Iref_feed", (SUPPLY_POS, "0"), f"DC {number(feed_current_a(circuit.v_ref, v_plus))}", MACRO)
    return found + [Element(f"I{name}_q", (SUPPLY_POS, SUPPLY_NEG), quiescent, MACRO) for name in names] + [
        "* the +-V_ref reference's LM4040, fed from V+ through its resistor", feed]
