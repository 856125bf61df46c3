"""Device models: diodes (Shockley, with a small library of real parts) and op-amps.

Values are SI: amperes, volts, ohms. The diode parameters are the public SPICE ``.model``
parameters; only the DC ones (IS, N, RS, BV, IBV, EG, XTI) matter for the DC analyses
circuitnet runs, the capacitances are kept so the exported ``.model`` line is the part's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import InvalidDeviceError, UnknownNameError
from ..util.choices import Choice
from .elements import Element

# ngspice's physical constants (src/include/ngspice/const.h), so that a thermal voltage
# computed here is the one ngspice uses.
BOLTZMANN = 1.38064852e-23  # J/K
ELECTRON_CHARGE = 1.6021766208e-19  # C
ZERO_CELSIUS = 273.15  # K
NOMINAL_TEMPERATURE_C = 27.0  # ngspice's default TNOM and TEMP

# Parameters a diode model may carry, with ngspice's defaults for those that are optional.
DIODE_REQUIRED = ("IS", "N", "RS")
DIODE_OPTIONAL_DEFAULTS = {
    "BV": math.inf,  # no breakdown unless given
    "IBV": 1e-3,
    "EG": 1.11,
    "XTI": 3.0,
    "CJO": 0.0,
    "VJ": 1.0,
    "M": 0.5,
    "FC": 0.5,
    "TT": 0.0,
}
DIODE_PARAMETERS = DIODE_REQUIRED + tuple(DIODE_OPTIONAL_DEFAULTS)


def thermal_voltage(temperature_c: float = NOMINAL_TEMPERATURE_C) -> float:
    """kT/q in volts at a temperature in degrees Celsius."""
    return BOLTZMANN * (temperature_c + ZERO_CELSIUS) / ELECTRON_CHARGE


@dataclass(frozen=True)
class DiodeModel:
    """A junction diode as SPICE models it.

    name: the library name (``1N4148``...) or ``custom`` for user-defined parameters.
    params: SPICE parameter name -> value, SI units (IS in A, RS in ohm, BV in V, IBV in A).
    source: where the parameters come from (for the reader of a netlist).
    """

    name: str
    params: dict = field(hash=False)
    source: str = ""

    def get(self, key: str) -> float:
        """A parameter's value, or ngspice's default when the model does not set it."""
        if key in self.params:
            return float(self.params[key])
        return DIODE_OPTIONAL_DEFAULTS[key]

    @property
    def spice_name(self) -> str:
        """The model name used in netlists (letters, digits and underscores only)."""
        return "D" + "".join(c if c.isalnum() else "_" for c in self.name).upper()

    def model_line(self) -> str:
        """The ``.model`` line of this diode, parameters in a fixed order."""
        parts = [f"{key}={_spice_number(self.params[key])}" for key in DIODE_PARAMETERS if key in self.params]
        return f".model {self.spice_name} D({' '.join(parts)})"

    def forward_voltage(self, current_a: float, temperature_c: float = NOMINAL_TEMPERATURE_C) -> float:
        """Forward voltage in volts at ``current_a`` amperes (Shockley law plus RS), at the nominal IS."""
        vt = thermal_voltage(temperature_c)
        return self.get("N") * vt * math.log(current_a / self.get("IS") + 1.0) + current_a * self.get("RS")


def _spice_number(value: float) -> str:
    return "inf" if value == math.inf else f"{float(value):.17g}"


# Public .model parameters. The NXP models wrap the diode with a parallel resistor
# (5.827 GOhm for 1N4148, 36 MOhm for BAT54); circuitnet uses the bare .model line.
DIODE_LIBRARY: dict[str, DiodeModel] = {
    model.name: model
    for model in (
        DiodeModel(
            "1N4148",
            dict(IS=4.352e-9, N=1.906, RS=0.6458, BV=110.0, IBV=0.0001, CJO=7.048e-13,
                 VJ=0.869, M=0.03, FC=0.5, TT=3.48e-9),
            "NXP 1N4148 SPICE model (as shipped with PySpice's examples)",
        ),
        DiodeModel(
            "1N914",
            dict(IS=2.52e-9, N=1.752, RS=0.568, CJO=4e-12, M=0.4, TT=2e-8),
            "standard 1N914 .model line (LTspice-only fields Iave, Vpk, mfg, type dropped)",
        ),
        DiodeModel(
            "BAT54",
            dict(IS=2.117e-7, N=1.016, RS=2.637, BV=36.0, IBV=1.196e-6, CJO=1.114e-11,
                 VJ=0.2013, M=0.3868, FC=0.0, TT=0.0, EG=0.69, XTI=2.0),
            "NXP BAT54 Schottky SPICE model",
        ),
    )
}


def diode(name: str) -> DiodeModel:
    """A diode from the library by name (case-insensitive), e.g. ``diode("1N4148")``."""
    for key, model in DIODE_LIBRARY.items():
        if key.lower() == str(name).lower():
            return model
    raise UnknownNameError(
        f"unknown diode {name!r}; choose one of {', '.join(DIODE_LIBRARY)} or use shockley_diode(...)"
    )


def shockley_diode(IS: float, N: float = 1.0, RS: float = 0.0, BV: float = math.inf,
                   IBV: float = 1e-3, EG: float = 1.11, XTI: float = 3.0) -> DiodeModel:
    """A user-defined diode: saturation current IS (A), emission coefficient N, series
    resistance RS (ohm), breakdown voltage BV (V) at current IBV (A), band gap EG (eV)
    and IS temperature exponent XTI."""
    params = dict(IS=IS, N=N, RS=RS, IBV=IBV, EG=EG, XTI=XTI)
    if math.inf != BV:
        params["BV"] = BV
    check_diode_params(params)
    return DiodeModel("custom", {k: float(v) for k, v in params.items()}, "user-defined Shockley diode")


# (minimum, maximum) allowed for each diode parameter: wide enough for any real part,
# narrow enough that ngspice and the surrogate stay finite.
DIODE_BOUNDS = {
    "IS": (1e-20, 1e-3),
    "N": (0.5, 5.0),
    "RS": (0.0, 1e4),
    "BV": (0.1, math.inf),
    "IBV": (1e-15, 1.0),
    "EG": (0.1, 5.0),
    "XTI": (0.0, 10.0),
    "CJO": (0.0, 1e-6),
    "VJ": (0.05, 5.0),
    "M": (0.0, 0.99),
    "FC": (0.0, 0.95),
    "TT": (0.0, 1e-3),
}


def check_diode_params(params: dict, where: str = "diode") -> None:
    """Raise InvalidDeviceError naming the first parameter that is missing or out of bounds."""
    for key in DIODE_REQUIRED:
        if key not in params:
            raise InvalidDeviceError(f"{where}.{key} is missing; a diode needs IS, N and RS")
    for key, value in params.items():
        if key not in DIODE_BOUNDS:
            raise InvalidDeviceError(
                f"{where}.{key} is not a diode parameter; allowed: {', '.join(DIODE_PARAMETERS)}"
            )
        low, high = DIODE_BOUNDS[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (low <= value <= high):
            raise InvalidDeviceError(f"{where}.{key} = {value!r}; it must be a number from {low:g} to {high:g}")


class OpAmpKind(Choice):
    """How an op-amp is modelled (``OpAmpModel.kind``; the model file's devices.opamp.kind)."""

    FINITE_GAIN = "finite_gain"    # a linear VCVS: SPICE E element
    RAIL_LIMITED = "rail_limited"  # the same, clamped to its rails: SPICE B source with min/max


OPAMP_KINDS = OpAmpKind.values()


@dataclass(frozen=True)
class OpAmpModel:
    """A voltage-feedback op-amp: ``out = gain * (v_plus - v_minus)``.

    kind: ``finite_gain`` (a linear VCVS, SPICE ``E`` element) or ``rail_limited`` (the same,
    clamped to [v_neg, v_pos] volts: a SPICE ``B`` source with min/max).
    gain: open-loop gain, V/V.
    v_pos, v_neg: output rails in volts (rail_limited only).
    part: the real op-amp it stands for, a name in ``opamp_parts.OPAMP_PARTS`` (its offsets,
        bias currents, supply current and output limits), or None: the generic model above.
    """

    kind: str = OpAmpKind.FINITE_GAIN.value
    gain: float = 1e5
    v_pos: float = 15.0
    v_neg: float = -15.0
    part: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in OPAMP_KINDS:
            raise UnknownNameError(f"unknown op-amp kind {self.kind!r}; choose one of {', '.join(OPAMP_KINDS)}")
        if not (10.0 <= self.gain <= 1e9):
            raise InvalidDeviceError(f"op-amp gain = {self.gain!r}; it must be from 10 to 1e9 V/V")
        if self.kind == OpAmpKind.RAIL_LIMITED and not (-1e3 <= self.v_neg < 0.0 < self.v_pos <= 1e3):
            raise InvalidDeviceError(
                f"op-amp rails v_neg = {self.v_neg!r}, v_pos = {self.v_pos!r}; "
                "need -1000 <= v_neg < 0 < v_pos <= 1000 V"
            )

    def element(self, name: str, out: str, plus: str, minus: str) -> Element:
        """The SPICE element of this op-amp, output node ``out`` referred to ground."""
        if self.kind == OpAmpKind.FINITE_GAIN:
            return Element(f"E{name}", (out, "0", plus, minus), f"{self.gain:.17g}", "opamp")
        difference = f"v({plus})-v({minus})" if plus != "0" else f"-v({minus})"
        return Element(f"B{name}", (out, "0"),
                       f"V = max(min({self.gain:.17g}*({difference}), {self.v_pos:.17g}), {self.v_neg:.17g})", "opamp")
