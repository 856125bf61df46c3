"""The junction diode exactly as ngspice evaluates it in a DC analysis.

Current through the junction at junction voltage v (ngspice ``dioload.c``, ``diotemp.c``):

- v >= -3 N Vt:  I = IS_T * (exp(v / (N Vt)) - 1) + GMIN * v
- v <  -3 N Vt:  I = -IS_T * (1 + (3 N Vt / (e v))**3) + GMIN * v   (smooth reverse leakage)

with Vt = k T / q at the circuit temperature T, GMIN = 1e-12 S across the junction, and
IS_T = IS * exp((T / TNOM - 1) * EG / (N Vt) + (XTI / N) * ln(T / TNOM)). The series
resistance RS is added outside the junction by the callers. Breakdown (BV) is not modelled:
no circuitnet topology reverse-biases a diode anywhere near a library part's BV.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..devices import NOMINAL_TEMPERATURE_C, ZERO_CELSIUS, DiodeModel, thermal_voltage

GMIN = 1e-12  # ngspice's default gmin, siemens, in parallel with every junction
_NEWTON_ITERATIONS = 60
_TOLERANCE_V = 1e-15


@dataclass(frozen=True)
class Junction:
    """A diode's DC junction at one temperature: saturation current (A), N*Vt (V), RS (ohm)."""

    i_sat: float
    vte: float
    rs: float

    @classmethod
    def of(cls, diode: DiodeModel, temperature_c: float = NOMINAL_TEMPERATURE_C) -> "Junction":
        t = temperature_c + ZERO_CELSIUS
        t_nom = NOMINAL_TEMPERATURE_C + ZERO_CELSIUS
        vt = thermal_voltage(temperature_c)
        n = diode.get("N")
        i_sat = diode.get("IS") * math.exp((t / t_nom - 1) * diode.get("EG") / (n * vt)
                                           + diode.get("XTI") / n * math.log(t / t_nom))
        return cls(i_sat, n * vt, diode.get("RS"))

    def current(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(I, dI/dv) at junction voltage v, amperes and siemens; v of any shape."""
        forward = v >= -3 * self.vte
        exp_v = np.exp(np.minimum(v, 700 * self.vte) / self.vte)
        i_fwd = self.i_sat * (exp_v - 1)
        d_fwd = self.i_sat * exp_v / self.vte
        safe_v = np.where(forward, -1.0, v)
        cube = (3 * self.vte / (math.e * safe_v)) ** 3
        i_rev = -self.i_sat * (1 + cube)
        d_rev = self.i_sat * 3 * cube / safe_v
        return (np.where(forward, i_fwd, i_rev) + GMIN * v, np.where(forward, d_fwd, d_rev) + GMIN)

    def forward_voltage(self, current: np.ndarray) -> np.ndarray:
        """Junction voltage that passes ``current`` (> 0) amperes, ignoring gmin: a first guess."""
        return self.vte * np.log1p(np.asarray(current) / self.i_sat)

    def solve_series(self, v_total: np.ndarray, resistance: np.ndarray) -> tuple[np.ndarray, ...]:
        """Junction voltage v with ``v + resistance * I(v) = v_total`` (elementwise).

        The left side is increasing and convex for v > -3 N Vt, so Newton started above the
        root descends onto it without overshooting; the start is the smaller of v_total and
        the voltage at which the junction alone would pass v_total / resistance.
        Returns (v, I, dI/dv).
        """
        v_total = np.asarray(v_total, dtype=float)
        resistance = np.broadcast_to(resistance, v_total.shape)
        bound = self.vte * np.log1p(np.maximum(v_total, 0.0) / (resistance * self.i_sat))
        v = np.where(v_total > 0, np.minimum(v_total, bound), v_total)
        for _ in range(_NEWTON_ITERATIONS):
            i, di = self.current(v)
            step = (v + resistance * i - v_total) / (1 + resistance * di)
            v = v - step
            if np.max(np.abs(step)) <= _TOLERANCE_V * max(1.0, float(np.max(np.abs(v)))):
                break
        i, di = self.current(v)
        return v, i, di
