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
        """(I, dI/dv) at junction voltage v, amperes and siemens; v of any shape.

        Both branches are computed and blended with a 0/1 mask: arithmetic on the mask is
        an order of magnitude cheaper than np.where on arrays this size.
        """
        u = v * (1.0 / self.vte)
        reverse = (u < -3.0).astype(float)
        forward = 1.0 - reverse
        exp_u = np.exp(np.minimum(u, 700.0)) * forward
        ratio = (3.0 / math.e) / np.minimum(u, -3.0)
        cube = ratio * ratio * ratio * reverse  # not ** 3: numpy's float power calls pow() per element
        current = self.i_sat * (exp_u - 1.0 - cube) + GMIN * v
        slope = self.i_sat * (exp_u * (1.0 / self.vte) + 3.0 * cube / np.minimum(v, -self.vte)) + GMIN
        return current, slope

    def forward_voltage(self, current: np.ndarray) -> np.ndarray:
        """Junction voltage that passes ``current`` (> 0) amperes, ignoring gmin: a first guess."""
        return self.vte * np.log1p(np.asarray(current) / self.i_sat)

    def start_below_root(self, v_total: np.ndarray, resistance: np.ndarray) -> np.ndarray:
        """A first junction voltage for ``v + resistance * I(v) = v_total`` that is not below
        the root where v_total > 0 (so convex Newton descends onto it without overshoot): the
        smaller of v_total and the voltage at which the junction alone passes v_total / R."""
        bound = self.vte * np.log1p(np.maximum(v_total, 0.0) / (resistance * self.i_sat))
        return np.where(v_total > 0, np.minimum(v_total, bound), v_total)
