"""The diode rectifier's elementwise work fused into numba kernels: the same equations, in the
same order, as the NumPy reference (``rectifiers._solve_diode_rectifier``, ``Junction
.solve_in_series``, ``omega.wright_omega`` and the rectifier's adjoint), one pass over the
(n, w) junction arrays where NumPy makes about ten.

Why it is faster although numba's scalar exp and log cost several times NumPy's vectorised
ones: each element takes only its own branch. A reverse-biased junction (half or more of a
trained classifier's) needs no Wright omega at all, only a few divisions, and the arithmetic
between the transcendental functions stays in registers instead of making a pass over memory.

Only ``kernel_choice`` imports this module (numba is an optional extra). Arrays: float64,
(n, w) C-ordered; per-unit arrays (w,); a coupling ``c`` may be (1, w) (one row for every
sample) or (n, w). Kernels are compiled on first use and cached on disk (``cache=True``).

The solve, the one kernel whose cost is its arithmetic (an exponential and three logarithms
per conducting junction) rather than memory, shares its rows out over numba's threads as
BLAS shares the products (NUMBA_NUM_THREADS, default one per core; 1 keeps it serial). Its
elements are independent, so the bits do not depend on the thread count. The other kernels
are passes over memory and stay serial. numba's own pool (the ``workqueue`` layer, when
neither TBB nor OpenMP is installed) must never be entered by two Python threads at once; it
is not, because the kernels hold the GIL (no ``nogil``): keep it so.
"""

from __future__ import annotations

import math
from typing import Literal, TypedDict

import numba
import numpy as np

from .coupling import Coupling
from .junction import GMIN, Junction
from .omega import LOWEST

# ln(1 + e^x) = x + ln(1 + e^-x) rounds to x once e^-x is below half an ulp of x: from x = 34
# on (e^-34 = 1.7e-15 against 3.6e-15); 36 leaves a margin
_LOG1P_EXP_IS_X = 36.0
_REVERSE_NEWTON_STEPS = 60       # as junction._REVERSE_NEWTON_STEPS
_REVERSE_TOLERANCE = 1e-11       # volts, as junction._REVERSE_TOLERANCE


class _KernelOptions(TypedDict):
    """numba.njit's options for every kernel here, typed so that ``njit(**_KERNEL)`` matches
    njit's overloads (a plain dict's values would be ``object``)."""

    cache: bool
    error_model: Literal["python", "numpy"]
    fastmath: bool


_KERNEL: _KernelOptions = {"cache": True, "error_model": "numpy", "fastmath": False}


@numba.njit(inline="always", **_KERNEL)
def _log1p(y):
    """ln(1 + y) for y >= 0 to a few ulp without libm's log1p (ten times slower in numba):
    the rounding of 1 + y is undone by the factor y / ((1 + y) - 1)."""
    w = 1.0 + y
    if w == 1.0:
        return y
    return math.log(w) * (y / (w - 1.0))


@numba.njit(inline="always", **_KERNEL)
def _softplus(x):
    """ln(1 + e^x), to a few ulp. Above _LOG1P_EXP_IS_X it is x to the bit, and the
    exponential and the logarithm are not run: half the conducting junctions of the trained
    digits28 circuit, where they were about a sixth of the solve."""
    if x > _LOG1P_EXP_IS_X:
        return x
    return _log1p(math.exp(x))


@numba.njit(inline="always", **_KERNEL)
def _wright_omega(x):
    """omega.wright_omega for one x >= LOWEST: Winitzki's guess, one Fritsch-Shafer-Crowe step."""
    u = _softplus(x)
    t = _log1p(u)
    u_plus_2 = u + 2.0
    u = u - u * (t / u_plus_2)
    z = x - math.log(u) - u
    one_plus_u = u + 1.0
    q = (z * (2.0 / 3.0) + one_plus_u) * one_plus_u * 2.0
    # (q - z) / (q - 2 z) * z / (1 + u) as one quotient: a division is the slowest step
    # between the logarithms, and this saves one per conducting junction
    return u * ((q - z) * z / ((q - 2.0 * z) * one_plus_u) + 1.0)


@numba.njit(inline="always", **_KERNEL)
def _reverse_root(big_a, k, vte, steps):
    """Junction._reverse_root for one element: v solving v = A + k c(v) below -3 Vte, by
    ``steps`` substitutions, or Newton's method when ``steps`` is 0."""
    scale = 3.0 * vte / math.e
    edge = -3.0 * vte
    v = min(big_a, edge)
    if steps > 0:
        for _ in range(steps):
            ratio = scale / v
            v = min(ratio * ratio * ratio * k + big_a, edge)
        return v
    for _ in range(_REVERSE_NEWTON_STEPS):
        ratio = scale / v
        k_cube = k * (ratio * ratio * ratio)
        step = (v - big_a - k_cube) / (1.0 + 3.0 * k_cube / v)
        v = min(v - step, edge)
        if abs(step) <= _REVERSE_TOLERANCE:
            break
    return v


@numba.njit(parallel=True, **_KERNEL)
def solve(v_src, c, g, r_eff, i_sat, vte, steps, h, current, di, dv_dv, dh_dc):
    """The rectifiers at a fixed coupling c, and their linearisation there (into h, current,
    di, dv_dv, dh_dc, each (n, w)): each element a junction in series with r_eff ohms across
    V - c / g, solved as ``Junction.solve_in_series`` does. Per-unit constants first, then
    the elements row by row (the arrays' memory order), the rows over numba's threads."""
    n, w = v_src.shape
    c_stride = 0 if c.shape[0] == 1 else 1  # a (1, w) coupling serves every row
    inverse_a, k, log_k, reverse_below = np.empty(w), np.empty(w), np.empty(w), np.empty(w)
    forward_slope, inverse_g, inverse_r = np.empty(w), np.empty(w), np.empty(w)
    for col in range(w):
        r = r_eff[col]
        inverse_a[col] = 1.0 / (1.0 + r * GMIN)
        k[col] = r * i_sat * inverse_a[col]
        log_k[col] = math.log(k[col] / vte)
        at_edge = -3.0 * vte + r * (i_sat * (math.exp(-3.0) - 1.0) - 3.0 * vte * GMIN)
        reverse_below[col] = (at_edge + r * i_sat) * inverse_a[col]
        forward_slope[col] = 1.0 / (r * inverse_a[col])
        inverse_g[col], inverse_r[col] = 1.0 / g[col], 1.0 / r
    reverse_scale = 3.0 * vte / math.e
    reverse_slope = 3.0 * i_sat / reverse_scale
    for row in numba.prange(n):
        for col in range(w):
            coupling = c[row * c_stride, col]
            v_total = v_src[row, col] - coupling * inverse_g[col]
            big_a = v_total * inverse_a[col] + k[col]
            if big_a < reverse_below[col]:
                v = _reverse_root(big_a, k[col], vte, steps)  # at most -3 Vte
                ratio = reverse_scale / v
                # 3 IS c(v) / v with c = ratio**3 and 1 / v = ratio / scale: no second division
                slope = reverse_slope * ((ratio * ratio) * (ratio * ratio)) + GMIN
            else:
                u = _wright_omega(max(big_a * (1.0 / vte) + log_k[col], LOWEST))
                v = big_a - u * vte
                slope = u * forward_slope[col] + GMIN
            flowing = (v_total - v) * inverse_r[col]
            current[row, col] = flowing
            h[row, col] = (flowing + coupling) * inverse_g[col]
            di[row, col] = slope
            follows = 1.0 / (slope * r_eff[col] + 1.0)
            dv_dv[row, col] = follows
            dh_dc[row, col] = (slope * follows * -inverse_g[col] + 1.0) * inverse_g[col]


@numba.njit(**_KERNEL)
def linear_step(dh_dc, product, m, c, h0, out):
    """out = dh_dc * (product + m - c) + h0: the linearised rectifiers moved by the coupling's
    change, where ``product`` (n, w) is h @ K of the previous step, m (1, w) and c (1, w)
    or (n, w). The change is formed in this pass rather than in one of its own."""
    n, w = out.shape
    one_row = c.shape[0] == 1
    for row in range(n):
        for col in range(w):
            change = product[row, col] + (m[0, col] - c[0 if one_row else row, col])
            out[row, col] = dh_dc[row, col] * change + h0[row, col]


@numba.njit(**_KERNEL)
def follow_coupling(h, di, dv_dv, dh_dc, product, m, c, current, g, vte):
    """Move the linearised rectifiers by the coupling's change ``product + m - c`` (n, w) in
    place: h, di (the slope's exponential to second order), ``product`` becomes the new
    coupling c + change, ``current`` g h - c. Returns the largest bend-weighted junction
    shift, volts (``_solve_diode_rectifier`` re-solves when it exceeds its limit)."""
    n, w = h.shape
    one_row = c.shape[0] == 1
    largest = 0.0
    to_shift = np.empty(w)
    for col in range(w):
        to_shift[col] = -1.0 / (g[col] * vte)
    for row in range(n):
        for col in range(w):
            before = c[0 if one_row else row, col]
            change = product[row, col] + (m[0, col] - before)
            level = h[row, col] + dh_dc[row, col] * change
            h[row, col] = level
            follows = dv_dv[row, col]
            shift = change * to_shift[col] * follows
            bend = (1.0 - follows) * (shift * shift)
            largest = max(largest, bend)
            slope = di[row, col]
            di[row, col] = slope + (shift * 0.5 + 1.0) * shift * (slope - GMIN)
            coupling = before + change
            product[row, col] = coupling
            current[row, col] = g[col] * level - coupling
    return math.sqrt(largest) * vte


@numba.njit(inline="always", **_KERNEL)
def _adjoint_element(pushed, h_bar, slope, r_total, g):
    """(lam, lam q) of one element of the rectifier's adjoint: lam = (pushed + h_bar) /
    diagonal with q = di r + 1 and diagonal = q g + di, formed here from the slope di
    rather than stored: two (n, w) arrays fewer to write in the forward pass and to read in
    every round."""
    q = slope * r_total + 1.0
    lam = (pushed + h_bar) / (q * g + slope)
    return lam, lam * q


@numba.njit(**_KERNEL)
def adjoint_round(pushed, h_bar, di, r_total, g, lam_q):
    """lam_q = lam q, (n, w), of one round of the adjoint (``_adjoint_element``); ``pushed``
    (n, w) is the previous round's (lam q) @ K^T, or a (1, w) zero row for the first guess."""
    n, w = lam_q.shape
    one_row = pushed.shape[0] == 1
    for row in range(n):
        for col in range(w):
            _, lam_q[row, col] = _adjoint_element(pushed[0 if one_row else row, col], h_bar[row, col], di[row, col],
                                                  r_total[col], g[col])


@numba.njit(**_KERNEL)
def adjoint_last_round(pushed, h_bar, di, r_total, g, current, h, lam_q, lam_di, sum_current, sum_h):
    """The adjoint's last round (as ``adjoint_round``) with what the vector-Jacobian product
    needs of it in the same pass: lam_q and lam_di = lam di, (n, w), and the column sums (w,)
    of lam_di current and of lam_q h."""
    n, w = lam_q.shape
    one_row = pushed.shape[0] == 1
    for col in range(w):
        sum_current[col] = 0.0
        sum_h[col] = 0.0
    for row in range(n):
        for col in range(w):
            slope = di[row, col]
            lam, weighted_q = _adjoint_element(pushed[0 if one_row else row, col], h_bar[row, col], slope,
                                               r_total[col], g[col])
            lam_q[row, col] = weighted_q
            weighted = lam * slope
            lam_di[row, col] = weighted
            sum_current[col] += weighted * current[row, col]
            sum_h[col] += weighted_q * h[row, col]


def solve_diode_rectifier(v_src, r_total, g, k: Coupling, m, junction: Junction, rounds: int, coupling_rounds: int,
                          linear_volts: float):
    """(h, I, dI/dv_j), each (n, w): ``rectifiers._solve_diode_rectifier`` with fused kernels.

    rounds: the linear coupling's rounds (``_coupling_rounds``); coupling_rounds: how many
    re-solves at most; linear_volts: the junction shift above which the rectifiers are
    solved again at the new coupling.
    """
    v_src = np.ascontiguousarray(v_src, dtype=float)
    n, w = v_src.shape
    g = np.ascontiguousarray(np.broadcast_to(g, (w,)), dtype=float)
    r_eff = np.ascontiguousarray(np.broadcast_to(r_total + 1.0 / g, (w,)), dtype=float)
    m = np.ascontiguousarray(np.broadcast_to(m, (1, w)), dtype=float)
    steps = junction.reverse_substitution_steps(float(np.max(r_eff * junction.i_sat / (1.0 + r_eff * GMIN))))
    h, current, di, dv_dv, dh_dc = (np.empty((n, w)) for _ in range(5))
    c, coupled = m, bool(np.any(k.dense))
    for _ in range(coupling_rounds):
        solve(v_src, c, g, r_eff, junction.i_sat, junction.vte, steps, h, current, di, dv_dv, dh_dc)
        if not coupled:
            break
        product = _linear_coupling(h, c, k, m, dh_dc, rounds)
        largest = follow_coupling(h, di, dv_dv, dh_dc, product, m, c, current, g, junction.vte)
        c = product  # now the new coupling
        if largest <= linear_volts:
            break
    return h, current, di


def _linear_coupling(h0, c0, k: Coupling, m, dh_dc, rounds: int) -> np.ndarray:
    """h @ K at the fixed point c = h @ K + m of h = h0 + dh_dc (c - c0) (as the reference's
    ``_linear_coupling``, whose c - c0 is this plus m - c0; the kernels that read it add that)."""
    product = k.times(h0)
    scratch = np.empty_like(product)
    for _ in range(rounds):
        linear_step(dh_dc, product, m, c0, h0, scratch)
        product = k.times(scratch)
    return product


def diode_adjoint(h_bar, di, r_total, g, current, h, k: Coupling, rounds: int):
    """(lam q, lam di, column sums of lam di I, column sums of lam q h) of the adjoint
    ``lam diagonal = h_bar + (lam q) @ K^T`` (q = di r + 1, diagonal = q g + di; r_total and
    g per unit, (w,)), by ``rounds`` rounds from lam = h_bar / diagonal."""
    h_bar, di = np.ascontiguousarray(h_bar, dtype=float), np.ascontiguousarray(di, dtype=float)
    n, w = h_bar.shape
    r_total = np.ascontiguousarray(np.broadcast_to(r_total, (w,)), dtype=float)
    g = np.ascontiguousarray(np.broadcast_to(g, (w,)), dtype=float)
    lam_q, pushed = np.empty((n, w)), np.zeros((1, w))
    for _ in range(rounds):
        adjoint_round(pushed, h_bar, di, r_total, g, lam_q)
        pushed = k.times_transposed(lam_q)
    lam_di, sum_current, sum_lam_q_h = np.empty((n, w)), np.empty(w), np.empty(w)
    adjoint_last_round(pushed, h_bar, di, r_total, g, current, h, lam_q, lam_di, sum_current, sum_lam_q_h)
    return lam_q, lam_di, sum_current, sum_lam_q_h
