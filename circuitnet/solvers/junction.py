"""The junction diode exactly as ngspice evaluates it in a DC analysis.

Current through the junction at junction voltage v (ngspice ``dioload.c``, ``diotemp.c``):

- v >= -3 N Vt:  I = IS_T * (exp(v / (N Vt)) - 1) + GMIN * v
- v <  -3 N Vt:  I = -IS_T * (1 + (3 N Vt / (e v))**3) + GMIN * v   (smooth reverse leakage)

with Vt = k T / q at the circuit temperature T, GMIN = 1e-12 S across the junction, and
IS_T = IS * exp((T / TNOM - 1) * EG / (N Vt) + (XTI / N) * ln(T / TNOM)). The series
resistance RS is added outside the junction by the callers. Breakdown (BV) is not modelled
here: the operating-limits check (model/limits.py) refuses any circuit that reverse-biases a
diode near its BV, so the surrogate is never asked about that region.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..model.devices import NOMINAL_TEMPERATURE_C, ZERO_CELSIUS, DiodeModel, thermal_voltage
from . import omega

GMIN = 1e-12  # ngspice's default gmin, siemens, in parallel with every junction
# The reverse branch: |c(v)| = |3 Vte / (e v)|**3 is at most e**-3 there; its root to this many volts.
_REVERSE_C_MAX = math.exp(-3.0)
_REVERSE_TOLERANCE = 1e-11
_REVERSE_NEWTON_STEPS = 60


@dataclass(frozen=True)
class Junction:
    """A diode's DC junction at one temperature: saturation current (A), N*Vt (V), RS (ohm)."""

    i_sat: float
    vte: float
    rs: float

    @classmethod
    def of(cls, diode: DiodeModel, temperature_c: float = NOMINAL_TEMPERATURE_C) -> Junction:
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

    def solve_in_series(self, v_total: np.ndarray, resistance: np.ndarray,
                        forward_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(v, dI/dv) of the junction in series with ``resistance`` across ``v_total``: the
        root of ``v + R * I(v) = V``, without iterating on v.

        v_total: (n, w) volts; resistance: (w,) or (n, w) ohms (> 0). Returns volts and
        siemens, (n, w); v is within about 1e-10 V of the root (the tests allow 2e-10 V).
        forward_only: use the forward branch's equation everywhere (for callers that treat
        a root below -3 Vte as a sign that their own model does not hold there).

        Forward branch, closed form: with a = 1 + R GMIN, k = R IS / a and A = (V + R IS) / a
        the equation is ``k exp(v / Vte) = A - v``, so ``v = A - Vte * omega(x)`` with
        x = ln(k / Vte) + A / Vte, and exp(v / Vte) = Vte omega / k gives the slope
        without another exponential. Reverse branch (the root lies below -3 Vte):
        ``v = A + k c(v)`` with c(v) = (3 Vte / (e v))**3, by one to three substitutions
        for the usual k (``_reverse_root``).
        """
        vte, i_sat = self.vte, self.i_sat
        inverse_a = 1.0 / (1.0 + resistance * GMIN)
        k = resistance * i_sat * inverse_a
        big_a = v_total * inverse_a
        big_a += k
        x = big_a * (1.0 / vte)
        x += np.log(k / vte)
        np.maximum(x, omega.LOWEST, out=x)
        u = omega.wright_omega(x)
        drop = np.multiply(u, vte, out=x)      # A - v on the forward branch
        v = big_a - drop
        slope = u
        slope *= 1.0 / (resistance * inverse_a)   # IS exp(v/Vte) / Vte = omega a / R
        slope += GMIN
        # The root is below -3 Vte exactly when A is below the A at which it is -3 Vte.
        at_edge = -3.0 * vte + resistance * (i_sat * (math.exp(-3.0) - 1.0) - 3.0 * vte * GMIN)
        reverse = big_a < (at_edge + resistance * i_sat) * inverse_a
        if forward_only or not reverse.any():
            return v, slope
        # the reverse branch only where it holds: a few per cent to half of a trained network's
        # elements, so indexing them out costs less than iterating over the whole array
        where = np.flatnonzero(reverse)
        k_where = np.broadcast_to(k, reverse.shape).ravel()[where]
        v_reverse, cube = self._reverse_root(big_a.ravel()[where], k_where, np.ones(len(where), dtype=bool),
                                             float(np.max(k)))
        v.ravel()[where] = v_reverse
        # slope on the reverse branch: 3 IS c / v + GMIN
        slope.ravel()[where] = 3.0 * i_sat * cube / np.minimum(v_reverse, -3.0 * vte) + GMIN
        return v, slope

    def _reverse_root(self, big_a: np.ndarray, k: np.ndarray, reverse: np.ndarray,
                      k_max: float) -> tuple[np.ndarray, np.ndarray]:
        """(v, c(v)) solving ``v = A + k c(v)`` where ``reverse``; elsewhere v is kept at or
        below -3 Vte and the caller discards it. k_max: at least max(k), the k the number of
        steps is chosen for (the largest of the whole array, so that the fused kernel,
        which does not gather, takes the same steps).

        |c| < 0.05 and |k c'| < rho = 0.05 k / Vte, so substitution from v = A is within
        0.05 k rho after one step and gains a factor rho per step: a fixed, small number
        of steps for the usual k; Newton steps for the rest.
        """
        vte = self.vte
        scale = 3.0 * vte / math.e
        steps = self.reverse_substitution_steps(k_max)
        v = np.minimum(big_a, -3.0 * vte)
        if steps:
            for _ in range(steps):
                ratio = np.divide(scale, v, out=v)
                cube = ratio * ratio
                cube *= ratio
                np.multiply(cube, k, out=v)
                v += big_a
                np.minimum(v, -3.0 * vte, out=v)
        else:
            for _ in range(_REVERSE_NEWTON_STEPS):
                ratio = scale / v
                k_cube = k * (ratio * ratio * ratio)
                step = (v - big_a - k_cube) / (1.0 + 3.0 * k_cube / v) * reverse
                v = np.minimum(v - step, -3.0 * vte)
                if float(np.max(np.abs(step))) <= _REVERSE_TOLERANCE:
                    break
        ratio = scale / v
        return v, ratio * ratio * ratio

    def reverse_substitution_steps(self, k_max: float) -> int:
        """Substitution steps that solve the reverse branch to 1e-11 V for every k <= k_max
        (ohms times amperes: volts); 0 when substitution converges too slowly and Newton's
        method is used instead (see ``_reverse_root``)."""
        rho = _REVERSE_C_MAX * k_max / self.vte
        if rho >= 0.5:
            return 0
        error, steps = _REVERSE_C_MAX * k_max * rho, 1
        while error > _REVERSE_TOLERANCE:
            error, steps = error * rho, steps + 1
        return steps

    def forward_voltage(self, current: np.ndarray) -> np.ndarray:
        """Junction voltage that passes ``current`` (> 0) amperes, ignoring gmin: a first guess."""
        return self.vte * np.log1p(np.asarray(current) / self.i_sat)
