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

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...model.board_amplifiers import board_driven_sources
from ...model.circuit import Circuit
from ...model.currents import node_currents_array, resistor_power_array
from ...model.element_arrays import ElementArrays, Elements, as_arrays, sequential_sum
from ...model.elements import Part
from ...model.opamp_parts import supply_rails
from ...topologies import circuit_elements
from ...topologies.opamp_supply import SUPPLY

# What every report says where the op-amps are the generic model: never silently left out.
OPAMP_SUPPLY_NOT_MODELLED = "op-amp supply not included (generic op-amp; give --opamp PART)"


def static_power(circuit: Circuit, vectors: dict[str, np.ndarray], n: int,
                 elements: Elements | None = None) -> dict[str, Any]:
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
    check, not an identity. elements: those of the netlist that was simulated, or their
    ``ElementArrays`` (default: the circuit's own, ``circuit_elements``, with DC input sources)."""
    arrays = as_arrays(circuit_elements(circuit) if elements is None else elements)
    volts = arrays.voltages(vectors, n)
    wanted = np.zeros(len(arrays.nodes), dtype=bool)
    wanted[arrays.kcl_node] = True
    out_of = node_currents_array(arrays, volts, wanted)
    rails = supply_rails(circuit.opamp)
    sources = _sourced(arrays, Part.SOURCE.value, vectors, volts)
    supply, opamps = (_sourced(arrays, part, vectors, volts) for part in (SUPPLY, Part.OPAMP.value))
    stage = np.zeros((0, n)) if rails is None else _output_stages(circuit, arrays, sources, opamps, volts, rails)
    diodes = arrays.part(Part.DIODE.value)
    in_diodes = (volts[diodes.a] - volts[diodes.b]) * arrays.kcl_sign[:, None] * out_of[arrays.kcl_node]
    # each sum adds its elements in the list's order, as the per-element loop before did
    delivered, into, drawn, dissipated = (sequential_sum(rows, n) for rows in
                                          (sources.power, opamps.power, supply.power, stage))
    return {"delivered": dict(zip(sources.names, sources.power, strict=True)), "opamps": into,
            "opamp_supply": drawn, "opamp_output_stage": dissipated, "opamp_supply_modelled": rails is not None,
            "total": delivered + into + drawn + dissipated, "resistors": resistor_power_array(arrays, volts),
            "diodes": sequential_sum(in_diodes, n)}


@dataclass(frozen=True)
class _Sourced:
    """The elements of one part that ngspice gives a branch current (sources, supplies, op-amp
    outputs): names and positions in the element list, (k,); across: the voltage from their
    + node to their - node, current: the branch current into the + node (minus what they
    source), power: what each delivers, -across x current; each (k, n), volts, amperes, watts."""

    names: tuple[str, ...]
    positions: np.ndarray
    across: np.ndarray
    current: np.ndarray
    power: np.ndarray


def _sourced(arrays: ElementArrays, part: str, vectors: dict[str, np.ndarray], volts: np.ndarray) -> _Sourced:
    """The ``_Sourced`` figures of ``part``'s elements, from ngspice's vectors and the node
    voltages (nodes, n)."""
    found = arrays.part(part)
    across = volts[found.a] - volts[found.b]
    current = np.array([vectors[f"{name.lower()}#branch"] for name in found.names]).reshape(across.shape)
    return _Sourced(found.names, found.positions, across, current, -across * current)


def _output_stages(circuit: Circuit, arrays: ElementArrays, sources: _Sourced, opamps: _Sourced, volts: np.ndarray,
                   rails: tuple[float, float]) -> np.ndarray:
    """Each output stage's dissipation, (stages, n) watts, in the element list's order: the
    board amplifiers' that drive the sources ``board_driven_sources`` names (from the supply:
    the source's voltage and current), and each op-amp's (its output's voltage and current)."""
    driven = board_driven_sources(circuit, [arrays.elements[p] for p in sources.positions])
    mine = np.array([name in driven for name in sources.names], dtype=bool)
    outputs = volts[arrays.part(Part.OPAMP.value).a]
    stages = np.concatenate([output_stage_dissipation(sources.across[mine], -sources.current[mine], rails),
                             output_stage_dissipation(outputs, -opamps.current, rails)])
    order = np.argsort(np.concatenate([sources.positions[mine], opamps.positions]), kind="stable")
    return stages[order]


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
