"""The Wright omega function, vectorised: the closed form of a diode in series with a resistor.

omega(x) is the solution u > 0 of ``u + ln(u) = x`` (so omega(x) = W(e^x), Lambert's W). A
junction in series with R across a voltage V, ``v + k exp(v / Vte) = A``, solves as
``v = A - Vte * omega(ln(k / Vte) + A / Vte)`` (see ``Junction.solve_in_series``), which
replaces a Newton solve of about seven exponential steps.

scipy.special.wrightomega computes the same function to full precision, but in complex
arithmetic and several times slower (figures in the README); this keeps a relative error
below 3e-9, which the tests check against scipy.
"""

from __future__ import annotations

import numpy as np

# Below this omega(x) < 2e-35 (its share of a junction voltage is below 1e-36 V); callers
# clamp x up to it.
LOWEST = -80.0
_EXP_LIMIT = 700.0  # exp overflows a little above


def wright_omega(x: np.ndarray) -> np.ndarray:
    """omega(x) for x >= LOWEST, any shape; relative error below 3e-9 and
    absolute error below 2e-9 (both largest near x = 0.6; times Vte that is 5e-11 V).

    A first guess of relative error 2e-2 (Winitzki's approximation of W, with
    ln(1 + e^x) for ln(1 + z)), then one Fritsch-Shafer-Crowe step (fourth order). One
    Newton step more would reach 1e-15, at a cost no circuit needs. Every step works in
    place: fresh temporaries of this size cost more than the arithmetic on them.
    """
    if x.size and float(np.max(x)) > _EXP_LIMIT:
        u = np.exp(np.minimum(x, _EXP_LIMIT))
        np.log1p(u, out=u)
        u += np.maximum(x - _EXP_LIMIT, 0.0)  # ln(1 + e^x) = x there
    else:
        u = np.exp(x)
        np.log1p(u, out=u)                  # L = ln(1 + e^x)
    t = np.log1p(u)
    u_plus_2 = u + 2.0
    np.divide(t, u_plus_2, out=t)
    t *= u
    u -= t                                  # u = L (1 - ln(1 + L) / (2 + L))
    z = u_plus_2                            # reuse the buffer
    # Fritsch, Shafer and Crowe (1973): z = x - u - ln u, with q = 2 (1 + u) (1 + u + 2z/3),
    # u <- u (1 + z / (1 + u) * (q - z) / (q - 2 z))
    np.log(u, out=z)
    np.subtract(x, z, out=z)
    z -= u
    one_plus_u = u + 1.0
    q = z * (2.0 / 3.0)
    q += one_plus_u
    q *= one_plus_u
    q *= 2.0
    np.subtract(q, z, out=t)                # t = q - z
    q -= z
    q -= z                                  # q = q - 2z
    np.divide(t, q, out=t)
    np.divide(z, one_plus_u, out=q)
    t *= q
    t += 1.0
    u *= t
    return u
