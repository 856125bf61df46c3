"""The parts that make, on a board, the sources a resistive circuit's netlist takes as ideal,
and how its outputs are read.

The resistive topology (``topologies/resistive.py``) keeps every amplifier off its network:
its netlist has each ``-x`` rail as an ideal inverting E source (``ExK_inv``: gain -1, sensing
``xK``), the diodes' bias as a DC source (``Vvdiode``, v_on volts) and each output as an ideal
difference amplifier (``Ey``: the gain times ``V(y_p) - V(y_n)``). The drawing and the KiCad
schematic show them as those (simulation) sources; the board makes them so:

- each ``-x`` rail: a unity inverter (two ``INVERTER_OHMS`` resistors and an op-amp unit), as
  the reference makes ``vref_inv``; it draws no current from the network's rails' sources;
- the diode bias: a divider from ``vref`` (the lower resistor ``DIVIDER_OHMS``, the upper the
  nearest E96 value) and a follower, so the bias tracks V_ref as the network's weights do;
- each output: read across its pair, ``y_p`` (+) to ``y_n`` (-), with a floating voltmeter
  (a battery multimeter; ``VOLTMETER_OHMS`` across the pair moves it by about twice the
  pair's load over that), times the readout gain; or an instrumentation amplifier of that
  gain (INA128: R_G = 50 kOhm / (G - 1)) for a voltage against ground.

The op-amp units are the circuit's part, after the references' two units.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import BuildError
from ..model.circuit import Circuit
from ..model.elements import Element
from ..model.opamp_parts import OpAmpPart
from ..training.eseries import series_values, snap
from .pins import is_controlled_source
from .reference import DIVIDER_OHMS, INVERTER_OHMS, ReferenceDesign, ReferencePart, unit_designator
from .values import engineering

GROUP = "off-network sources"  # bom.csv's notes and BUILD.md's section name them so
BIAS_SOURCE = "Vvdiode"
VOLTMETER_OHMS = 10e6  # a multimeter's input resistance
INA_GAIN_OHMS = 50e3  # INA128: G = 1 + 50 kOhm / R_G


@dataclass(frozen=True)
class Readout:
    """One output read across a node pair: the simulation's node ``out`` = gain x (V(plus) - V(minus))."""

    out: str
    plus: str
    minus: str
    gain: float


def readouts(elements: list[Element]) -> list[Readout]:
    """Every controlled source that reads a node pair (its sensed minus is not ground)."""
    return [Readout(e.nodes[0], e.nodes[2], e.nodes[3], float(e.value)) for e in elements
            if is_controlled_source(e) and e.nodes[3] != "0"]


def inverted_rails(elements: list[Element]) -> list[Element]:
    """Every controlled source that makes a ground-referenced rail from another (the -x rails)."""
    return [e for e in elements if is_controlled_source(e) and e.nodes[3] == "0"]


def with_off_network_sources(reference: ReferenceDesign, circuit: Circuit, elements: list[Element],
                             opamp: OpAmpPart) -> ReferenceDesign:
    """``reference`` with the parts that make ``elements``' inverted rails and diode bias
    appended (group GROUP), their op-amp units after its own; unchanged for a circuit that has
    none (every topology but the resistive one)."""
    rails = inverted_rails(elements)
    bias = next((e for e in elements if e.name == BIAS_SOURCE), None)
    if not rails and bias is None:
        return reference
    used = sum(e.part == "opamp" for e in elements) + len(reference.units)
    parts: list[ReferencePart] = []
    units: list[str] = []
    for rail in rails:
        gain = float(rail.value)
        if abs(gain + 1.0) > 1e-12:
            raise BuildError(f"{rail.name} has gain {rail.value}; build makes inverted rails of gain -1 only")
        out, sensed = rail.nodes[0], rail.nodes[2]
        unit = unit_designator(opamp, used + len(units))
        units.append(unit)
        summing = f"{out}_rail_sum"
        parts += [ReferencePart(f"R_{out.upper()}1", "resistor", engineering(INVERTER_OHMS),
                                {"1": sensed, "2": summing}, f"{out} inverter input", GROUP),
                  ReferencePart(f"R_{out.upper()}2", "resistor", engineering(INVERTER_OHMS),
                                {"1": out, "2": summing}, f"{out} inverter feedback", GROUP),
                  ReferencePart(unit, "op-amp", opamp.name, {"+": "0", "-": summing, "out": out},
                                f"unity inverter: drives the {out} rail from {sensed}", GROUP)]
    if bias is not None:
        unit = unit_designator(opamp, used + len(units))
        units.append(unit)
        parts += _bias_parts(circuit, bias, unit, opamp)
    return replace(reference, parts=reference.parts + tuple(parts), units=reference.units + tuple(units))


def bias_made_v(circuit: Circuit) -> float:
    """The diode bias the divider makes from V_ref, volts (``_bias_parts``)."""
    return circuit.v_ref * DIVIDER_OHMS / (DIVIDER_OHMS + _upper_ohms(circuit))


def _upper_ohms(circuit: Circuit) -> float:
    if not 0.0 < circuit.v_on < circuit.v_ref:
        raise BuildError(f"the diode bias v_on = {circuit.v_on:g} V is not between 0 V and v_ref = "
                         f"{circuit.v_ref:g} V, so no divider from +V_ref makes it; realise with a larger v_ref")
    wanted = DIVIDER_OHMS * (circuit.v_ref / circuit.v_on - 1.0)
    return float(snap(np.array([wanted]), series_values("E96", 10, 1e7))[0])


def _bias_parts(circuit: Circuit, bias: Element, unit: str, opamp: OpAmpPart) -> list[ReferencePart]:
    node = bias.nodes[0]
    divided = f"{node}_divided"
    made = bias_made_v(circuit)
    return [ReferencePart("R_BIAS1", "resistor", engineering(_upper_ohms(circuit)), {"1": "vref", "2": divided},
                          "diode bias divider, upper", GROUP),
            ReferencePart("R_BIAS2", "resistor", engineering(DIVIDER_OHMS), {"1": divided, "2": "0"},
                          "diode bias divider, lower", GROUP),
            ReferencePart(unit, "op-amp", opamp.name, {"+": divided, "-": node, "out": node},
                          f"follower: drives the {node} rail, {made:.4g} V (v_on {circuit.v_on:.4g} V)", GROUP)]


def readout_lines(circuit: Circuit, elements: list[Element]) -> list[str]:
    """BUILD.md's lines on reading each output across its pair."""
    lines = []
    grounds = circuit.stages[-1].r_ground
    pair_load = float(np.max(grounds)) if grounds is not None else 0.0
    for readout in readouts(elements):
        error = 200.0 * pair_load / VOLTMETER_OHMS
        ina = (f"; or an instrumentation amplifier of gain {readout.gain:g} (INA128: R_G = "
               f"{engineering(INA_GAIN_OHMS / (readout.gain - 1.0))}) from the pair to a voltage against ground"
               if readout.gain > 1.0 else "")
        lines.append(f"- Measure `{readout.plus}` (+) against `{readout.minus}` (-) with a floating voltmeter (a "
                     f"battery multimeter; its {engineering(VOLTMETER_OHMS)} input moves the pair by about "
                     f"{error:.2g} %): the simulation's `{readout.out}` is {readout.gain:g} x that{ina}.")
    return lines
