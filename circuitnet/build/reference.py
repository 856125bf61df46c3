"""The +-V_ref references a built circuit needs, made from a stated part: an LM4040 shunt
reference fed from the positive supply (+15 V unless the model's part runs on another), a
divider down to V_ref, a follower that drives the ``vref`` rail and a unity inverter that makes
``vref_inv``. The two op-amps are units of the circuit's own part, after its last unit (spare
units of its last package where there are).

Values: the LM4040's feed resistor sets about ``ZENER_CURRENT_A``; the divider's lower
resistor is ``DIVIDER_OHMS`` and its upper one the nearest E96 value to the ratio, so V_ref comes
out within about 0.5 % (stated, with the figure to trim to).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import BuildError
from ..model.circuit import Circuit
from ..model.opamp_parts import OpAmpPart, supply_rails
from ..model.reference_feed import LM4040_VOLTS, ZENER_CURRENT_A, can_feed, feed_ohms, lm4040_volts  # noqa: F401
from ..training.eseries import series_values, snap
from . import footprints
from .values import engineering

SUPPLY_V = 15.0  # volts: the board's +-supply when the model's op-amp names no part (the generic model)
DIVIDER_OHMS = 10e3
INVERTER_OHMS = 10e3


@dataclass(frozen=True)
class ReferencePart:
    """One part of the reference: designator, kind, value, pins as {pin: net}, a note, and the
    group it belongs to (the references', or another source the board makes: resistive_rails)."""

    designator: str
    kind: str
    value: str
    pins: dict[str, str]
    note: str = ""
    group: str = "reference supply"


@dataclass(frozen=True)
class ReferenceDesign:
    """The reference supply: its parts, the V_ref it makes (volts), the op-amp units it takes."""

    v_ref: float
    made_v: float
    zener_v: float
    parts: tuple[ReferencePart, ...]
    units: tuple[str, ...]

    def bom_rows(self) -> list[list]:
        """Its rows for bom.csv (``bom.COLUMNS``); its op-amp units are counted with the circuit's."""
        rows = []
        for part in self.parts:
            if part.kind == "op-amp":
                continue
            tolerance = "1%" if part.kind == "resistor" else ("0.1%" if part.kind == "reference" else "")
            footprint = footprints.resistor_footprint() if part.kind == "resistor" else footprints.REFERENCE
            package = "axial DIN0207" if part.kind == "resistor" else "TO-92"
            rows.append([part.kind, part.value, "E96" if part.kind == "resistor" else "", tolerance,
                         "0.25 W" if part.kind == "resistor" else "", "", package, footprint, 1, part.designator,
                         f"{part.group}: {part.note}"])
        return rows


def board_supply_v(circuit: Circuit) -> float:
    """V+ volts of the board's symmetric supply: the supply the model's part runs on (``fit
    --opamp P --supply V`` records it in the part's rails), else SUPPLY_V."""
    rails = supply_rails(circuit.opamp)
    return SUPPLY_V if rails is None else rails[1]


def reference_design(v_ref: float, opamp: OpAmpPart, used_units: int, supply_v: float = SUPPLY_V) -> ReferenceDesign:
    """The parts that make +-v_ref volts; ``used_units``: op-amp units the circuit itself uses;
    ``supply_v``: V+ volts, which feeds the LM4040 (the netlist's ``Iref_feed`` from the same
    ``reference_feed.feed_ohms``)."""
    zener = lm4040_volts(v_ref)
    if zener is None:
        raise BuildError(f"v_ref = {v_ref:g} V is above the {LM4040_VOLTS[-1]:g} V the reference design makes "
                             "from an LM4040; realise the circuit with a v_ref of 10 V or less")
    if not can_feed(supply_v, zener):
        raise BuildError(f"the +{supply_v:g} V supply can't feed the reference's LM4040-{zener:g} (it needs at least "
                         f"+{zener + 100 * ZENER_CURRENT_A:.3g} V); fit the circuit on a larger --supply")
    feed = feed_ohms(supply_v, zener)
    units = _units(opamp, used_units)
    parts = [
        ReferencePart("R_REF1", "resistor", engineering(feed), {"1": "+15V", "2": "vref_zener"},
                      f"feeds the LM4040 {1e3 * (supply_v - zener) / feed:.2g} mA"),
        ReferencePart("D_REF1", "reference", f"LM4040-{zener:g}", {"K": "vref_zener", "A": "0"},
                      f"{zener:g} V shunt reference"),
    ]
    made = zener
    follower_in = "vref_zener"
    if zener - v_ref > 1e-9:
        upper = float(snap(np.array([DIVIDER_OHMS * (zener / v_ref - 1.0)]), series_values("E96", 10, 1e7))[0])
        made = zener * DIVIDER_OHMS / (DIVIDER_OHMS + upper)
        follower_in = "vref_divided"
        parts += [ReferencePart("R_REF2", "resistor", engineering(upper), {"1": "vref_zener", "2": "vref_divided"},
                                "divider, upper"),
                  ReferencePart("R_REF3", "resistor", engineering(DIVIDER_OHMS), {"1": "vref_divided", "2": "0"},
                                "divider, lower")]
    parts += [
        ReferencePart(units[0], "op-amp", opamp.name, {"+": follower_in, "-": "vref", "out": "vref"},
                      "follower: drives the vref rail"),
        ReferencePart("R_REF4", "resistor", engineering(INVERTER_OHMS), {"1": "vref", "2": "vref_inv_ref_sum"},
                      "inverter input"),
        ReferencePart("R_REF5", "resistor", engineering(INVERTER_OHMS), {"1": "vref_inv", "2": "vref_inv_ref_sum"},
                      "inverter feedback"),
        ReferencePart(units[1], "op-amp", opamp.name, {"+": "0", "-": "vref_inv_ref_sum", "out": "vref_inv"},
                      "unity inverter: drives the vref_inv rail"),
    ]
    return ReferenceDesign(v_ref, made, zener, tuple(parts), units)


def _units(opamp: OpAmpPart, used: int) -> tuple[str, str]:
    """The two unit designators after the circuit's ``used`` units (U3C, U3D or U4A, U4B...)."""
    return unit_designator(opamp, used), unit_designator(opamp, used + 1)


def unit_designator(opamp: OpAmpPart, index: int) -> str:
    """The designator of op-amp unit ``index`` (0-based) of the board: U1A, U1B, ... (U1, U2 for singles)."""
    per = opamp.amplifiers_per_package
    package, unit = divmod(index, per)
    return f"U{package + 1}{'ABCD'[unit] if per > 1 else ''}"
