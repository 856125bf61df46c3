"""Static power of a circuit at its operating points, from ngspice's vectors.

Where the op-amps are a real part (``OpAmpModel.part``), the power includes what they draw
from their supply: the quiescent power, measured from the supply sources that the netlist
has for them (``topologies.opamp_supply``), and each output stage's dissipation,
|I_out| x (rail - V_out) for the rail it sources from (V+ when it sources current, V- when it
sinks), from the op-amp's output branch current. The netlist's ideal sources that a board
amplifier makes (the +-V_ref rails, input stages, -x rails: ``board_driven_sources``) are counted
the same way: their output stage's drop is added to what they deliver, so their current is
drawn at the supply's voltage, not at the source's; the reference's LM4040 feed current is one
of the netlist's supply currents (``model.reference_feed``). With the generic op-amp model
none of this is known: ``opamp_supply_modelled`` is False and these figures are 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...model.board_amplifiers import board_driven_sources
from ...model.circuit import Circuit
from ...model.currents import diode_kcl_nodes, resistor_currents
from ...model.elements import Element
from ...model.opamp_parts import supply_rails
from ...topologies import circuit_elements
from ...topologies.opamp_supply import SUPPLY

# What every report says where the op-amps are the generic model: never silently left out.
OPAMP_SUPPLY_NOT_MODELLED = "op-amp supply not included (generic op-amp; give --opamp PART)"


def static_power(circuit: Circuit, vectors: dict[str, np.ndarray], n: int,
                 elements: list[Element] | None = None) -> dict[str, Any]:
    """Static power at each of n operating points from ngspice's node voltages and branch
    currents (every vector kept), watts, each shape (n,):

    - ``delivered``: by each input and reference source, by name;
    - ``opamps``: by all op-amp outputs together into the circuit;
    - ``opamp_supply``: the op-amps' quiescent supply power (the supply sources' own);
    - ``opamp_output_stage``: dissipated in the op-amps' output stages, those of the board
      amplifiers that make the netlist's ideal sources (``board_driven_sources``) included;
    - ``total``: everything drawn from sources and supplies (the sum of the four above);
    - dissipated in the ``resistors`` and the ``diodes``.

    Each diode's current comes from Kirchhoff's current law at whichever of its terminals only
    resistors otherwise touch, so total = resistors + diodes + supply + output stage is a
    check, not an identity. elements: those of the netlist that was simulated (default: the
    circuit's own, ``circuit_elements``, with DC input sources)."""
    volts = {name: values for name, values in vectors.items() if "#" not in name}
    volts["0"] = np.zeros(n)
    elements = circuit_elements(circuit) if elements is None else elements  # nodes in lower case, as ngspice's
    kcl_nodes = diode_kcl_nodes(elements)
    in_resistors, out_of = resistor_currents(elements, volts, {node for node, _ in kcl_nodes.values()}, n)
    rails = supply_rails(circuit.opamp)
    driven = board_driven_sources(circuit, elements) if rails is not None else frozenset()
    delivered: dict[str, np.ndarray] = {}
    opamps, in_diodes, supply, stage = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for element in elements:
        a, b = (node.lower() for node in element.nodes[:2])
        if element.part in ("source", "opamp", SUPPLY):
            current = vectors[f"{element.name.lower()}#branch"]  # into the + node: minus the sourced current
            power = -(volts[a] - volts[b]) * current
            if element.part == "source":
                delivered[element.name] = power
                # a board amplifier makes it: its current comes from the supply
                if rails is not None and element.name in driven:
                    stage += output_stage_dissipation(volts[a] - volts[b], -current, rails)
            elif element.part == SUPPLY:
                supply += power
            else:
                opamps += power
                if rails is not None:
                    stage += output_stage_dissipation(volts[a], -current, rails)
        elif element.part == "diode":
            # the current into the cathode's resistors (or out of the anode's) is the diode's
            node, sign = kcl_nodes[element.name]
            in_diodes += (volts[a] - volts[b]) * sign * out_of[node]
    return {"delivered": delivered, "opamps": opamps, "opamp_supply": supply, "opamp_output_stage": stage,
            "opamp_supply_modelled": rails is not None,
            "total": sum(delivered.values()) + opamps + supply + stage, "resistors": in_resistors,
            "diodes": in_diodes}


def output_stage_dissipation(v_out: np.ndarray, i_out: np.ndarray, rails: tuple[float, float]) -> np.ndarray:
    """Watts dissipated in an op-amp's output stage: output voltage v_out (volts), output
    current i_out (amperes, positive when sourced), supply rails (V-, V+) volts. A sourcing
    stage drops V+ - v_out at i_out, a sinking one v_out - V- at -i_out."""
    v_minus, v_plus = rails
    return np.where(i_out >= 0, i_out * (v_plus - v_out), -i_out * (v_out - v_minus))


def energy_split(time: np.ndarray, power: dict[str, Any], energy_j: float) -> dict[str, float | None]:
    """``energy_j`` joules (an energy per inference) split as the whole run's energy splits:
    dissipated in resistors, diodes, op-amp supply and output stages, and delivered by the
    op-amp outputs and the other sources, from ``static_power`` at each of ``time``'s points.
    The op-amp entries are None where the generic op-amp leaves them out."""
    def integral(values: np.ndarray) -> float:
        return float(np.sum(np.diff(time) * (values[1:] + values[:-1]) / 2))

    total = integral(power["total"])
    share = {"resistors": power["resistors"], "diodes": power["diodes"], "opamp_supply": power["opamp_supply"],
             "opamp_output_stages": power["opamp_output_stage"]}
    found: dict[str, float | None] = {name: energy_j * integral(values) / total if total else 0.0
                                      for name, values in share.items()}
    if not power["opamp_supply_modelled"]:
        found["opamp_supply"] = found["opamp_output_stages"] = None
    return found
