"""Op-amp dynamics for transient and AC runs: a single-pole macro-model with a finite
gain-bandwidth product and a slew rate, and a small library of parts.

A circuit's own op-amp model (``devices.OpAmpModel``) is its DC model: an E source of gain
A. For a transient or AC run each such op-amp is replaced by the macro-model below, whose
DC solution is the same E source's (the tests check DC equality in ngspice):

- an input stage: a B current source ``I = clamp(gm (v+ - v-), -I_max, I_max)`` into an
  internal node ``p``;
- a dominant pole: ``R`` and ``C`` from ``p`` to ground, with ``gm R = A`` (the DC gain),
  ``gm / (2 pi C) = GBW`` (so the open-loop pole sits at GBW / A) and ``I_max / C = SR``
  (the slew rate: the most current the input stage can give charges C at SR);
- an output buffer: an E source of gain 1 from ``p`` (clamped to the rails when they are
  given): zero output resistance, like the DC model.

A closed loop of noise gain ``1 + Rf / Rin`` then has one pole at ``GBW / (1 + Rf / Rin)``;
a small step settles to a fraction eps in ``ln(1 / eps) / (2 pi GBW / (1 + Rf / Rin))``.
The diodes' junction capacitance (CJO) and transit time (TT) are in their model cards and
take part in every transient run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InvalidDeviceError, UnknownNameError
from .elements import Element, number

POLE_CAPACITANCE_F = 1e-9  # any value works (gm, R, I_max scale with it); 1 nF keeps R and gm well conditioned
MACRO = "macro"  # the Element part of the macro-model's internals: not on the BOM, not in the power figures


@dataclass(frozen=True)
class OpAmpDynamics:
    """name: the part; gbw_hz: gain-bandwidth product, Hz; slew_v_per_us: slew rate, V/us;
    source: where the figures come from (a data sheet's typical values); rails: (v_neg, v_pos)
    volts to clamp the output to, or None."""

    name: str
    gbw_hz: float
    slew_v_per_us: float
    source: str
    rails: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        if not (1e3 <= self.gbw_hz <= 1e10):
            raise InvalidDeviceError(f"op-amp gbw_hz = {self.gbw_hz!r}; give 1 kHz to 10 GHz")
        if not (1e-3 <= self.slew_v_per_us <= 1e5):
            raise InvalidDeviceError(f"op-amp slew_v_per_us = {self.slew_v_per_us!r}; give 0.001 to 100000 V/us")
        if self.rails is not None and not (self.rails[0] < 0 < self.rails[1]):
            raise InvalidDeviceError(f"op-amp rails = {self.rails!r}; give (v_neg < 0, v_pos > 0) volts")

    def to_dict(self) -> dict:
        """As transient.json's ``opamp`` holds it: name, gbw_hz, slew_v_per_us, source, rails."""
        return {"name": self.name, "gbw_hz": self.gbw_hz, "slew_v_per_us": self.slew_v_per_us, "source": self.source,
                "rails": list(self.rails) if self.rails else None}

    def macro_model(self, opamp: Element) -> list[Element]:
        """The elements that replace one finite-gain op-amp (an ``E`` element: out, 0, +, -)."""
        if not opamp.name.startswith("E") or len(opamp.nodes) != 4:
            raise InvalidDeviceError(
                f"{opamp.name}: op-amp dynamics replace finite_gain op-amps (E sources); this circuit's op-amps are "
                f"rail-limited B sources. Give rails to the dynamics instead (transient --rails)")
        out, _, plus, minus = opamp.nodes
        gain = float(opamp.value)
        gm = 2.0 * math.pi * self.gbw_hz * POLE_CAPACITANCE_F
        i_max = self.slew_v_per_us * 1e6 * POLE_CAPACITANCE_F
        pole = f"{out}_pole"
        sensed = f"v({plus})-v({minus})" if plus != "0" else f"-v({minus})"
        stage = Element(f"B{opamp.name[1:]}_gm", ("0", pole),
                        f"I = max(min({number(gm)}*({sensed}), {number(i_max)}), {number(-i_max)})", MACRO)
        resistor = Element(f"R{opamp.name[1:]}_pole", (pole, "0"), number(gain / gm), MACRO)
        capacitor = Element(f"C{opamp.name[1:]}_pole", (pole, "0"), number(POLE_CAPACITANCE_F), MACRO)
        if self.rails is None:
            buffer = Element(opamp.name, (out, "0", pole, "0"), "1", "opamp")
        else:
            low, high = self.rails
            buffer = Element(f"B{opamp.name[1:]}", (out, "0"),
                             f"V = max(min(v({pole}), {number(high)}), {number(low)})", "opamp")
        return [stage, resistor, capacitor, buffer]

    def macro_netlist(self, entries: list) -> list:
        """A netlist (elements, comments, directives) with every op-amp replaced by this
        macro-model."""
        out = []
        for entry in entries:
            if isinstance(entry, Element) and entry.part == "opamp":
                out += self.macro_model(entry)
            else:
                out.append(entry)
        return out

    def closed_loop_pole_hz(self, noise_gain: float) -> float:
        """The single pole of a loop of this noise gain (1 + Rf / Rin), Hz."""
        return self.gbw_hz / noise_gain


# Typical figures from each maker's data sheet (the minimum-guaranteed ones are lower).
OPAMP_LIBRARY = {part.name: part for part in (
    OpAmpDynamics("LM358", 0.7e6, 0.3, "TI LM358 data sheet (SNOSBT3): unity-gain bandwidth 0.7 MHz, slew 0.3 V/us"),
    OpAmpDynamics("TL072", 3e6, 13.0, "TI TL072 data sheet (SLOS080): unity-gain bandwidth 3 MHz, slew 13 V/us"),
    OpAmpDynamics("TL074", 3e6, 13.0, "TI TL074 data sheet (SLOS080, the TL07x family's): unity-gain bandwidth 3 MHz, "
                                      "slew 13 V/us, the TL072's"),
    OpAmpDynamics("NE5532", 10e6, 9.0, "TI NE5532 data sheet (SLOS075): unity-gain bandwidth 10 MHz, slew 9 V/us"),
    OpAmpDynamics("OPA134", 8e6, 20.0, "TI OPA134 data sheet (SBOS058): gain-bandwidth 8 MHz, slew 20 V/us"),
    OpAmpDynamics("OPA4277", 1e6, 0.8, "TI OPA277/OPA2277/OPA4277 data sheet (SBOS079): gain-bandwidth 1 MHz, "
                                       "slew 0.8 V/us"),
)}


def as_dynamics(dynamics: OpAmpDynamics | str) -> OpAmpDynamics:
    """An OpAmpDynamics as given, or the library's part of that name."""
    return dynamics if isinstance(dynamics, OpAmpDynamics) else opamp_dynamics(dynamics)


def opamp_dynamics(name: str, rails: tuple[float, float] | None = None) -> OpAmpDynamics:
    """A part of the library by name (case-insensitive), optionally with output rails."""
    for key, part in OPAMP_LIBRARY.items():
        if key.lower() == str(name).lower():
            return part if rails is None else OpAmpDynamics(part.name, part.gbw_hz, part.slew_v_per_us, part.source,
                                                           rails)
    raise UnknownNameError(f"unknown op-amp {name!r}; choose one of {', '.join(OPAMP_LIBRARY)}")
