"""The parts of the amplifiers a board has in front of and behind the circuit's netlist: the input
stages that apply the model's data scaling (``model.input_stage``) and, for an output read
across a node pair (the resistive topology), a follower on each node of the pair and a
difference amplifier that make it a voltage against ground, as the netlist's ideal ``Ey``
source does.

They go into the build's ``ReferenceDesign`` (its parts and op-amp units) after the reference's
and the resistive rails' units, in the order ``model.board_amplifiers`` counts them, so that
bom.csv, wiring.csv and BUILD.md list exactly the inventory's amplifiers.

Resistor values: the stages' exact values are rarely in a series; each is the nearest E96
(1 %) value, the exact one in its note (the stage's gain moves by up to about 1 %).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..errors import BuildError
from ..model.board_amplifiers import UNITS_PER_READOUT, BoardAmplifiers
from ..model.input_stage import InputStage
from ..model.opamp_parts import OpAmpPart
from ..training.eseries import series_values, snap
from .bom import board_packages
from .placement import Placement
from .reference import INVERTER_OHMS, ReferenceDesign, ReferencePart, unit_designator
from .resistive_rails import Readout
from .values import engineering

INPUT_GROUP = "input stages"
READOUT_GROUP = "output readouts"
DIFFERENCE_INPUT_OHMS = 10e3  # its feedback is the gain times this (behind followers: no load on the pair)


def e96(ohms: float) -> float:
    """The nearest E96 value to ``ohms`` (10 Ohm .. 10 MOhm)."""
    return float(snap(np.array([ohms]), series_values("E96", 10, 1e7))[0])


def _resistor(designator: str, ohms: float, pins: dict[str, str], note: str, group: str) -> ReferencePart:
    chosen = e96(ohms)
    exact = "" if abs(chosen / ohms - 1) < 1e-9 else f"; exact {engineering(ohms)}"
    return ReferencePart(designator, "resistor", engineering(chosen), pins, note + exact, group)


def with_input_stages(reference: ReferenceDesign, stages: list[InputStage], opamp: OpAmpPart,
                      used: int) -> ReferenceDesign:
    """``reference`` with two op-amp units and their resistors for every needed input stage
    appended (group INPUT_GROUP); ``used``: op-amp units on the board before them."""
    parts: list[ReferencePart] = []
    units: list[str] = []
    for stage in (s for s in stages if s.needed):
        node, tag = stage.node, stage.node.upper()
        summer, inverter = unit_designator(opamp, used + len(units)), unit_designator(opamp, used + len(units) + 1)
        units += [summer, inverter]
        signal, total, negated, inverted = f"{node}_signal", f"{node}_stage_sum", f"{node}_stage_neg", \
            f"{node}_stage_inv_sum"
        parts.append(_resistor(f"R_{tag}IN", stage.r_in, {"1": signal, "2": total},
                               f"{node} stage input: your signal V_in into the summer", INPUT_GROUP))
        parts += _offset_parts(stage, total)
        parts += [_resistor(f"R_{tag}FB", stage.r_feedback, {"1": negated, "2": total},
                            f"{node} stage summer feedback", INPUT_GROUP),
                  ReferencePart(summer, "op-amp", opamp.name, {"+": "0", "-": total, "out": negated},
                                f"inverting summer: -({stage.gain:.4g} x V_in {stage.offset:+.4g} V)", INPUT_GROUP),
                  _resistor(f"R_{tag}INV1", INVERTER_OHMS, {"1": negated, "2": inverted},
                            f"{node} stage inverter input", INPUT_GROUP),
                  _resistor(f"R_{tag}INV2", INVERTER_OHMS, {"1": node, "2": inverted},
                            f"{node} stage inverter feedback", INPUT_GROUP),
                  ReferencePart(inverter, "op-amp", opamp.name, {"+": "0", "-": inverted, "out": node},
                                f"unity inverter: drives the input {node}", INPUT_GROUP)]
    return replace(reference, parts=reference.parts + tuple(parts), units=reference.units + tuple(units))


def _offset_parts(stage: InputStage, total: str) -> list[ReferencePart]:
    """The stage's offset resistor from its rail into the summing node ``total``, or, where
    that resistor would be beyond the range (``model.input_stage``), the T network: a divider
    on the rail, then the series resistor from its tap; [] for no offset. BuildError where a
    resistor is still beyond the circuit's resistor range, naming it and the fix."""
    node, tag = stage.node, stage.node.upper()
    if stage.r_offset == float("inf"):
        return []
    if stage.r_divider_top == float("inf"):
        return [_resistor(f"R_{tag}OFS", stage.r_offset, {"1": stage.offset_rail, "2": total},
                          f"{node} stage offset {stage.offset:+.4g} V", INPUT_GROUP)]
    tap = f"{node}_offset_tap"
    return [_resistor(f"R_{tag}OFSA", stage.r_divider_top, {"1": stage.offset_rail, "2": tap},
                      f"{node} stage offset divider, top (the offset is too small for one resistor in range)",
                      INPUT_GROUP),
            _resistor(f"R_{tag}OFSB", stage.r_divider_bottom, {"1": tap, "2": "0"},
                      f"{node} stage offset divider, bottom", INPUT_GROUP),
            _resistor(f"R_{tag}OFS", stage.r_offset, {"1": tap, "2": total},
                      f"{node} stage offset {stage.offset:+.4g} V from the divider's tap", INPUT_GROUP)]


def check_stage_range(stages: list[InputStage], resistor_range: tuple[float, float]) -> None:
    """BuildError naming the first input-stage resistor beyond ``resistor_range`` (ohms) and
    what to do: an offset too small even for the divider (under about 0.1 mV per volt of V_ref),
    whose stage would need a resistor E96 snapping caps at 10 MOhm, so the offset came out wrong."""
    low, high = resistor_range
    for stage in (s for s in stages if s.needed):
        for what, ohms in (("input", stage.r_in), ("offset", stage.r_offset), ("feedback", stage.r_feedback)):
            if np.isfinite(ohms) and not low * (1 - 1e-9) <= ohms <= high * (1 + 1e-9):
                raise BuildError(
                    f"input {stage.node} ({stage.name}): its stage's {what} resistor would be "
                    f"{engineering(ohms)}, beyond the resistor range {engineering(low)}..{engineering(high)} "
                    f"(offset {stage.offset:+.3g} V, gain {stage.gain:.4g}); refit with a wider --resistor-range, "
                    "or with --scale none if the data are within +-2 already")


def with_readouts(reference: ReferenceDesign, readouts: list[Readout], opamp: OpAmpPart,
                  used: int) -> ReferenceDesign:
    """``reference`` with a readout for every output read across a pair appended (group
    READOUT_GROUP): a follower on each node of the pair, so that nothing loads the network, then
    a difference amplifier, out = gain x (V(plus) - V(minus)); UNITS_PER_READOUT units."""
    parts: list[ReferencePart] = []
    units: list[str] = []
    for readout in readouts:
        first = used + len(units)
        plus_unit, minus_unit, difference = (unit_designator(opamp, first + k) for k in range(UNITS_PER_READOUT))
        units += [plus_unit, minus_unit, difference]
        tag, out = readout.out.upper(), readout.out
        plus, minus = f"{readout.plus}_buffered", f"{readout.minus}_buffered"
        into_minus, into_plus = f"{out}_diff_minus", f"{out}_diff_plus"
        feedback = readout.gain * DIFFERENCE_INPUT_OHMS
        parts += [ReferencePart(plus_unit, "op-amp", opamp.name, {"+": readout.plus, "-": plus, "out": plus},
                                f"follower: buffers {readout.plus}", READOUT_GROUP),
                  ReferencePart(minus_unit, "op-amp", opamp.name, {"+": readout.minus, "-": minus, "out": minus},
                                f"follower: buffers {readout.minus}", READOUT_GROUP),
                  _resistor(f"R_{tag}D1", DIFFERENCE_INPUT_OHMS, {"1": minus, "2": into_minus},
                            f"{out} difference amplifier, - input", READOUT_GROUP),
                  _resistor(f"R_{tag}D2", feedback, {"1": out, "2": into_minus},
                            f"{out} difference amplifier, feedback", READOUT_GROUP),
                  _resistor(f"R_{tag}D3", DIFFERENCE_INPUT_OHMS, {"1": plus, "2": into_plus},
                            f"{out} difference amplifier, + input", READOUT_GROUP),
                  _resistor(f"R_{tag}D4", feedback, {"1": into_plus, "2": "0"},
                            f"{out} difference amplifier, + to ground", READOUT_GROUP),
                  ReferencePart(difference, "op-amp", opamp.name, {"+": into_plus, "-": into_minus, "out": out},
                                f"difference amplifier: {out} = {readout.gain:.4g} x "
                                f"(V({readout.plus}) - V({readout.minus}))", READOUT_GROUP)]
    return replace(reference, parts=reference.parts + tuple(parts), units=reference.units + tuple(units))


def check_inventory(board: BoardAmplifiers, placement: Placement, reference: ReferenceDesign) -> None:
    """Refuse a build whose parts list would count other amplifiers than the inventory
    (``model.board_amplifiers``) that the reports' supply power is of: a defect, never a board."""
    placed = sum(part.element.part == "opamp" for part in placement.parts) + len(reference.units)
    packages = len(board_packages(placement, reference))
    if (placed, packages) != (board.used, board.packages):
        raise BuildError(f"the board's parts hold {placed} op-amp units in {packages} packages, but its inventory "
                         f"counts {board.used} in {board.packages} ({board.describe()}); this is a defect of "
                         "circuitnet build: please report it")
