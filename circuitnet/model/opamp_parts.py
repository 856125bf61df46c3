"""Real op-amps by part number: the DC figures of each maker's data sheet that decide whether a
circuit built with that part computes what its model says, and what it costs to power.

The dynamics of the same parts (gain-bandwidth, slew) are in ``dynamics.OPAMP_LIBRARY``; this
module holds what matters at DC: input offset voltage, input bias and offset currents, supply
current, output current and output swing, supply range and package.

Units: volts, amperes, ohms. Every offset and bias figure is the data sheet's value at 25 C;
"typ" is its typical value, "max" its guaranteed maximum (magnitudes: an offset's sign is
random from part to part). Supply current is per amplifier, with no load.

The figures were read off the data sheets named in ``source``; a figure a data sheet does not
give is stated as such in ``notes``. Checked in this round against the data-sheet tables found
with the project's search tool (TL072: ST's TL072 table and TI SLOS080's; LM358: TI SLOS068 and
ON Semi's LM358 table; OPA4277: Burr-Brown/TI SBOS079's OPA4277PA/UA grade), and the TI
document numbers corrected where they named the wrong document.

A part becomes a circuit's op-amp model through ``opamp_model``: the finite-gain model (an E
source, whose gain is the generic model's) with the part's output rails on its supply and its
name in ``part``. The output is not clamped at the rails: the operating-limits check
(``model.limits``) refuses any output beyond them, which a clamp would hide at the rail.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidDeviceError, UnknownNameError
from .devices import OpAmpModel

DEFAULT_SUPPLY_V = 15.0  # volts: every part runs on +-15 V unless told otherwise


@dataclass(frozen=True)
class OpAmpPart:
    """One op-amp part number and its data-sheet DC figures.

    name: the part number (``TL072``); package: its usual package (``SOIC-8``);
    amplifiers_per_package: 1, 2 or 4.
    vos_typ_v, vos_max_v: input offset voltage magnitude, typical and maximum, volts.
    ib_typ_a, ib_max_a: input bias current magnitude (into each input), amperes.
    ios_typ_a, ios_max_a: input offset current (the difference of the two inputs' bias
        currents), amperes.
    supply_current_typ_a, supply_current_max_a: quiescent supply current per amplifier, A.
    output_current_a: the most output current the part drives (its short-circuit or rated
        output current, the smaller of source and sink), amperes.
    swing_to_pos_v, swing_to_neg_v: how close the output gets to each supply rail, volts
        (output high = V+ - swing_to_pos_v), at load ``swing_load_ohm`` ohms.
    supply_min_v, supply_max_v: total supply voltage (V+ - V-) it is specified for, volts.
    source: the data sheet the figures come from; notes: what the data sheet leaves out.
    """

    name: str
    package: str
    amplifiers_per_package: int
    vos_typ_v: float
    vos_max_v: float
    ib_typ_a: float
    ib_max_a: float
    ios_typ_a: float
    ios_max_a: float
    supply_current_typ_a: float
    supply_current_max_a: float
    output_current_a: float
    swing_to_pos_v: float
    swing_to_neg_v: float
    swing_load_ohm: float
    supply_min_v: float
    supply_max_v: float
    source: str
    notes: str = ""

    def __post_init__(self) -> None:
        if self.amplifiers_per_package not in (1, 2, 4):
            raise InvalidDeviceError(f"{self.name}: amplifiers_per_package = {self.amplifiers_per_package!r}; "
                                     "give 1, 2 or 4")
        for low, high in (("vos_typ_v", "vos_max_v"), ("ib_typ_a", "ib_max_a"), ("ios_typ_a", "ios_max_a"),
                          ("supply_current_typ_a", "supply_current_max_a"), ("supply_min_v", "supply_max_v")):
            if not (0.0 <= getattr(self, low) <= getattr(self, high)):
                raise InvalidDeviceError(f"{self.name}: need 0 <= {low} <= {high}; got {getattr(self, low)!r} "
                                         f"and {getattr(self, high)!r}")

    def output_rails(self, supply: tuple[float, float] = (-15.0, 15.0)) -> tuple[float, float]:
        """(low, high) volts the output can reach on supply rails (V-, V+), at the stated load."""
        v_minus, v_plus = supply
        if not (self.supply_min_v <= v_plus - v_minus <= self.supply_max_v):
            raise InvalidDeviceError(
                f"{self.name}: supply {v_minus:g} V .. {v_plus:g} V ({v_plus - v_minus:g} V in all) is outside the "
                f"part's {self.supply_min_v:g} to {self.supply_max_v:g} V; give a symmetric supply from "
                f"+-{self.supply_min_v / 2:g} V to +-{self.supply_max_v / 2:g} V (--supply, supply_v=)")
        return v_minus + self.swing_to_neg_v, v_plus - self.swing_to_pos_v

    def packages_for(self, n_amplifiers: int) -> int:
        """How many packages hold ``n_amplifiers`` amplifiers."""
        return -(-int(n_amplifiers) // self.amplifiers_per_package)


# The DC figures, from each maker's data sheet at 25 C (commercial grade, +-15 V unless said).
OPAMP_PARTS = {part.name: part for part in (
    OpAmpPart("LM358", "SOIC-8", 2, vos_typ_v=2e-3, vos_max_v=7e-3, ib_typ_a=45e-9, ib_max_a=250e-9,
              ios_typ_a=5e-9, ios_max_a=50e-9, supply_current_typ_a=0.5e-3, supply_current_max_a=1.0e-3,
              output_current_a=20e-3, swing_to_pos_v=2.0, swing_to_neg_v=0.02, swing_load_ohm=10e3,
              supply_min_v=3.0, supply_max_v=32.0,
              source="TI LM158/LM358 data sheet (SNOSBT3, and SLOS068's LM358 table): VIO 2/7 mV, IIB 45/250 nA, "
                     "IIO 5/50 nA, ICC 1/2 mA for both amplifiers at V+ = 30 V, output current source 20 mA min / "
                     "sink 20 mA typ, VOH V+ - 2 V typ at 10 kOhm (28 V on 30 V), VOL 5/20 mV",
              notes="single-supply part: the output reaches its negative rail, not its positive one; swing to the "
                    "negative rail is the data sheet's maximum VOL (20 mV), its typical is 5 mV. TI's newer SLOS068 "
                    "gives VIO 3/7 mV and IIB 20/250 nA for the same part"),
    OpAmpPart("TL072", "SOIC-8", 2, vos_typ_v=3e-3, vos_max_v=10e-3, ib_typ_a=65e-12, ib_max_a=200e-12,
              ios_typ_a=5e-12, ios_max_a=100e-12, supply_current_typ_a=1.4e-3, supply_current_max_a=2.5e-3,
              output_current_a=40e-3, swing_to_pos_v=1.5, swing_to_neg_v=1.5, swing_load_ohm=10e3,
              supply_min_v=10.0, supply_max_v=36.0,
              source="TI TL072 data sheet (SLOS080): VIO 3/10 mV, IIB 65/200 pA, IIO 5/100 pA, ICC 1.4/2.5 mA per "
                     "amplifier, VOM +-13.5 V at 10 kOhm on +-15 V, short-circuit output current 40 mA typ "
                     "(10 min, 60 max); ST's TL072 table agrees but for IIB 20/200 pA"),
    OpAmpPart("TL074", "SOIC-14", 4, vos_typ_v=3e-3, vos_max_v=10e-3, ib_typ_a=65e-12, ib_max_a=200e-12,
              ios_typ_a=5e-12, ios_max_a=100e-12, supply_current_typ_a=1.4e-3, supply_current_max_a=2.5e-3,
              output_current_a=40e-3, swing_to_pos_v=1.5, swing_to_neg_v=1.5, swing_load_ohm=10e3,
              supply_min_v=10.0, supply_max_v=36.0,
              source="TI TL074 data sheet (SLOS080, the TL07x family's): the TL072's figures, four amplifiers"),
    OpAmpPart("NE5532", "SOIC-8", 2, vos_typ_v=0.5e-3, vos_max_v=4e-3, ib_typ_a=200e-9, ib_max_a=800e-9,
              ios_typ_a=10e-9, ios_max_a=150e-9, supply_current_typ_a=4e-3, supply_current_max_a=8e-3,
              output_current_a=38e-3, swing_to_pos_v=2.0, swing_to_neg_v=2.0, swing_load_ohm=600.0,
              supply_min_v=6.0, supply_max_v=40.0,
              source="TI NE5532 data sheet (SLOS075): VIO 0.5/4 mV, IIB 200/800 nA, IIO 10/150 nA, ICC 8/16 mA for "
                     "both amplifiers, VOM +-13 V at 600 Ohm on +-15 V, IOS 38 mA"),
    OpAmpPart("OPA134", "SOIC-8", 1, vos_typ_v=0.5e-3, vos_max_v=2e-3, ib_typ_a=5e-12, ib_max_a=100e-12,
              ios_typ_a=2e-12, ios_max_a=50e-12, supply_current_typ_a=4e-3, supply_current_max_a=5e-3,
              output_current_a=35e-3, swing_to_pos_v=1.2, swing_to_neg_v=1.2, swing_load_ohm=10e3,
              supply_min_v=5.0, supply_max_v=36.0,
              source="TI OPA134 data sheet (SBOS058): VOS 0.5/2 mV, IB 5/100 pA, IOS 2/50 pA, IQ 4/5 mA per "
                     "amplifier, output (V+) - 1.2 V at 10 kOhm, short-circuit current 35 to 40 mA"),
    OpAmpPart("OPA4277", "SOIC-14", 4, vos_typ_v=20e-6, vos_max_v=50e-6, ib_typ_a=0.5e-9, ib_max_a=2.8e-9,
              ios_typ_a=0.5e-9, ios_max_a=2.8e-9, supply_current_typ_a=0.79e-3, supply_current_max_a=0.825e-3,
              output_current_a=35e-3, swing_to_pos_v=1.2, swing_to_neg_v=1.2, swing_load_ohm=10e3,
              supply_min_v=4.0, supply_max_v=36.0,
              source="TI OPA277/OPA2277/OPA4277 data sheet (SBOS079): quad; VOS 20/50 uV (OPA4277), "
                     "IB 0.5/2.8 nA, "
                     "IOS 0.5/2.8 nA, IQ 790/825 uA per amplifier, output (V+) - 1.2 V at 10 kOhm, ISC 35 mA",
              notes="the low-offset precision part; the quad is specified only in the PA/UA grade (the single and "
                    "dual's best grade reaches 10/20 uV)"),
)}


def opamp_part(name: str) -> OpAmpPart:
    """A part of the library by name (case-insensitive)."""
    for key, part in OPAMP_PARTS.items():
        if key.lower() == str(name).lower():
            return part
    raise UnknownNameError(f"unknown op-amp part {name!r}; choose one of {', '.join(OPAMP_PARTS)}")


def opamp_model(name: str, supply_v: float = DEFAULT_SUPPLY_V, gain: float = OpAmpModel.gain) -> OpAmpModel:
    """The op-amp model of a real part on a symmetric supply of +-``supply_v`` volts: finite
    gain ``gain`` V/V, output rails the part's swing inside that supply, ``part`` its name.
    InvalidDeviceError when the part is not specified for that supply."""
    part = opamp_part(name)
    low, high = part.output_rails((-float(supply_v), float(supply_v)))
    return OpAmpModel("finite_gain", gain, v_pos=high, v_neg=low, part=part.name)


def supply_rails(opamp: OpAmpModel) -> tuple[float, float] | None:
    """(V-, V+) volts of the supply a part's op-amp model runs on (its output rails plus the
    part's swing to each rail), or None for the generic model, whose supply is not modelled."""
    if opamp.part is None:
        return None
    return part_supply_rails(opamp, opamp_part(opamp.part))


def part_supply_rails(opamp: OpAmpModel, part: OpAmpPart) -> tuple[float, float]:
    """(V-, V+) volts of the supply ``part`` (the part ``opamp`` models) runs on: the model's
    output rails plus the part's swing to each rail (``supply_rails`` for a known part)."""
    # rounded: the rails were the supply minus the swing, and adding it back must give the supply
    return round(opamp.v_neg - part.swing_to_neg_v, 9), round(opamp.v_pos + part.swing_to_pos_v, 9)


def check_part_rails(opamp: OpAmpModel) -> None:
    """InvalidDeviceError unless a part's op-amp model has rails the part reaches on a
    supply it is specified for (as ``opamp_model`` makes them)."""
    if opamp.part is None:
        raise InvalidDeviceError("the generic op-amp model names no part whose rails could be checked")
    part = opamp_part(opamp.part)
    v_minus, v_plus = part_supply_rails(opamp, part)
    part.output_rails((v_minus, v_plus))  # raises for a supply outside the part's range
    if not (v_minus < 0.0 < v_plus):
        raise InvalidDeviceError(f"{part.name}: output rails {opamp.v_neg:g}..{opamp.v_pos:g} V put its supply at "
                                 f"{v_minus:g}/{v_plus:g} V; give rails inside a split supply")


def supply_volts(opamp: OpAmpModel) -> float | None:
    """The total supply voltage V+ - V- of a part's op-amp model, volts (None: generic)."""
    rails = supply_rails(opamp)
    return None if rails is None else rails[1] - rails[0]


def describe_opamp(opamp: OpAmpModel) -> str:
    """One line naming the op-amp model a circuit uses, for every report."""
    if opamp.part is None:
        rails = f", rails {opamp.v_neg:g}..{opamp.v_pos:g} V" if opamp.kind == "rail_limited" else ""
        return (f"generic {opamp.kind.replace('_', '-')} op-amp (gain {opamp.gain:g}{rails}; no data-sheet part: "
                "supply current, output current and offsets not modelled; give --opamp PART)")
    part = opamp_part(opamp.part)
    v_minus, v_plus = part_supply_rails(opamp, part)
    return (f"{part.name} ({part.amplifiers_per_package} per {part.package}) on {v_minus:g}/{v_plus:g} V: output "
            f"{opamp.v_neg:g}..{opamp.v_pos:g} V, up to {1e3 * part.output_current_a:g} mA, supply "
            f"{1e3 * part.supply_current_typ_a:g} mA per amplifier (typical), finite gain {opamp.gain:g}")
