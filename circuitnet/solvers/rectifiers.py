"""The two implicit pieces of every surrogate: a diode rectifier and a precision rectifier,
each a custom autodiff operation whose vector-Jacobian product comes from the implicit
function theorem at the solution (no differentiation through any iteration).

Both see the same surroundings at their output node ``h`` (shape (n_samples, width)):
a conductance ``g`` to (virtual) ground and a *coupling* ``c = h @ K + m``: the current that
the next stage's summing junctions push back into ``h``. A finite-gain op-amp holds its
junction at ``-out / A``, about 1e-5 of the signal, and that junction voltage depends on
every ``h`` of the stage; K (width x width) and m carry it.

Solving: each rectifier is first solved with c = m, in closed form (``Junction
.solve_in_series``; for the precision cell, per diode state, then one Newton step). The
coupling then moves each h by about 1e-5 of the signal, which is taken from the rectifier
linearised at that solution (a fixed point over c whose rounds each multiply the error by
about 1e-5); elements it would move too far for a linearisation are solved again. The
adjoint's coupling is the same fixed point, transposed.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import SimulationError
from .autodiff import Var, column_sums, custom, value_of
from .coupling import Coupling
from .junction import GMIN, Junction
from .kernel_choice import fused_kernels

_COUPLING_ROUNDS = 8      # full re-solves when the coupling moves junctions too far to linearise
_NEWTON_ITERATIONS = 100  # bracketed Newton, near the precision cell's knee
# A Newton step this small (relative) leaves an error of its square: far below 1e-15 V.
_TOLERANCE = 1e-12
# Below this shift of a junction voltage (V), linearising the rectifier about its solution
# errs by at most curvature * shift**2 / 2 < 3 / V * 1e-10 V**2: 3e-10 V. The shift that
# counts is a conducting junction's: the linearisation's error is
# (1 - dv/dV) * shift**2 / (2 Vte), and 1 - dv/dV = R di / (1 + R di) is about 1e-7 for a
# reverse-biased diode, whose h follows the coupling linearly (in a trained classifier most
# junctions do not conduct: docs/surrogate-speed.md gives the measured share).
_LINEAR_COUPLING_VOLTS = 1e-5
_RELATIVE_COUPLING_ERROR = 1e-10
# Elements whose Newton step may leave more than this (volts) are solved again.
_NEWTON_ERROR_VOLTS = 1e-10


def diode_rectifier(source: Var, series: Var | float, load: Var, coupling: Var, offset: Var, junction: Junction,
                    at: np.ndarray | None = None) -> Var:
    """Output h of diodes fed from ``source`` through ``series`` ohms (plus the diode's RS).

    source: (n, w) volts, an ideal source or a Thevenin voltage.
    series: (w,) ohms in series before the diode (0 for an op-amp output).
    load: (w,) siemens from h to ground; coupling K: (w, w); offset m: (w,) amperes.
    at: (n, w) volts: take h from here (e.g. ngspice's node voltages) instead of solving,
        so the derivatives are those of the circuit at that operating point.

    Equations per element: I = g h - c, v_j = V - h - I (R + RS), I = i(v_j).
    """
    v_src, r_total = value_of(source), value_of(series) + junction.rs
    g, m = value_of(load), value_of(offset)
    k = Coupling.of(coupling)
    rounds = _coupling_rounds(k.dense, g)
    fused = fused_kernels()
    if fused is not None:
        return _fused_diode_rectifier(fused, (source, series, load, coupling, offset), (v_src, r_total, g, k, m),
                                      junction, at, rounds)

    if at is None:
        h, current, di = _solve_diode_rectifier(v_src, r_total, g, k, m, junction)
    else:
        h, current, di = _diode_rectifier_at(at, v_src, r_total, g, k, m, junction)
    q = di * r_total
    q += 1.0
    diagonal = q * g
    diagonal += di

    def vjp(h_bar):
        # adjoint of the coupled system: lam diagonal = h_bar + (lam q) @ K^T
        lam = h_bar / diagonal
        for _ in range(rounds):
            lam = lam * q
            lam = k.times_transposed(lam)
            lam += h_bar
            lam /= diagonal
        lam_q = lam * q
        lam_di = lam * di
        return (lam_di, lambda: -column_sums(lam_di * current), lambda: -column_sums(lam_q * h),
                lambda: h.T @ lam_q, lam_q)

    return custom(h, (source, series, load, coupling, offset), vjp)


def _diode_rectifier_at(at, v_src, r_total, g, k, m, junction: Junction):
    """(h, I, dI/dv_j), each (n, w), of the rectifiers with their outputs h held at ``at``."""
    h = np.asarray(at, dtype=float)
    current = g * h - (h @ k.dense + m)
    _, di = junction.current(v_src - h - current * r_total)
    return h, current, di


def _fused_diode_rectifier(fused, inputs: tuple, values: tuple, junction: Junction, at, rounds: int) -> Var:
    """diode_rectifier with the elementwise work in the fused kernels of ``fused``
    (``solvers.fused_diode``): the same solution and vector-Jacobian product."""
    v_src, r_total, g, k, m = values
    if at is None:
        h, current, di = fused.solve_diode_rectifier(v_src, r_total, g, k, m, junction, rounds, _COUPLING_ROUNDS,
                                                     _LINEAR_COUPLING_VOLTS)
    else:
        h, current, di = _diode_rectifier_at(at, v_src, r_total, g, k, m, junction)

    def vjp(h_bar):
        lam_q, lam_di, sum_current, sum_h = fused.diode_adjoint(h_bar, di, r_total, g, current, h, k, rounds)
        return lam_di, lambda: -sum_current, lambda: -sum_h, lambda: h.T @ lam_q, lam_q

    return custom(h, inputs, vjp)


def _solve_diode_rectifier(v_src, r_total, g, k, m, junction: Junction):
    """(h, I, dI/dv_j), each (n, w), of the rectifiers with their coupling c = h @ K + m.

    With c fixed the element is a junction in series with R + RS + 1/g across
    V - c / g: closed form (``Junction.solve_in_series``). The coupling moves V by about
    1e-5 of the signal, so it is taken from the rectifier linearised at that solution
    (rounds of c <- h @ K + m, each multiplying the error by about 1e-5); when the move is
    large enough for the curvature to matter (over 1e-5 V, e.g. a low-gain op-amp) the
    junctions are solved again at the new c.
    """
    r_eff = r_total + 1.0 / g
    c = np.broadcast_to(m, v_src.shape)
    coupled = bool(np.any(k.dense))
    for _ in range(_COUPLING_ROUNDS):
        v_total = v_src - c / g
        v, di = junction.solve_in_series(v_total, r_eff)
        current = v_total
        current -= v
        current *= 1.0 / r_eff
        h = current + c
        h *= 1.0 / g
        if not coupled:
            return h, current, di
        # linearised rectifier: dv/dV = 1 / (1 + R di), dI/dV = di dv/dV, dh/dc = (1 - dI/dV / g) / g
        dv_dv = di * r_eff
        dv_dv += 1.0
        np.reciprocal(dv_dv, out=dv_dv)
        dh_dc = di * dv_dv
        dh_dc *= -1.0 / g
        dh_dc += 1.0
        dh_dc *= 1.0 / g
        moved = _linear_coupling(h, c, k, m, dh_dc, g)   # c_new - c, (n, w)
        h += dh_dc * moved
        # the junction voltage moves by dv = -dv/dV * moved / g; the slope's exponential
        # part by exp(dv / Vte), to second order
        shift = moved * (-1.0 / (g * junction.vte))
        shift *= dv_dv
        # the largest shift weighted by how much its junction bends: sqrt(1 - dv/dV) |shift|
        largest = math.sqrt(float(np.max((1.0 - dv_dv) * (shift * shift)))) * junction.vte
        scale = shift * 0.5
        scale += 1.0
        scale *= shift
        scale *= di - GMIN
        di += scale
        c = c + moved
        current = g * h - c
        if largest <= _LINEAR_COUPLING_VOLTS:
            break
    return h, current, di


def _linear_coupling(h0, c0, k: Coupling, m, dh_dc, g):
    """c - c0 at the fixed point c = h @ K + m of the linearised h = h0 + dh_dc (c - c0)."""
    moved = k.times(h0)
    moved += m
    moved -= c0
    for _ in range(_coupling_rounds(k.dense, g)):
        new = dh_dc * moved
        new += h0
        moved = k.times(new)
        moved += m
        moved -= c0
    return moved


def _coupling_rounds(k, g) -> int:
    """Rounds of x <- b + (d x) @ K, |d| <= 1 / g, after the first guess x = b, that bring
    the error below 1e-10 of x.

    Each round multiplies the error by at most rho = max_j sum_i |K_ij| / g_i, about 1e-5
    for finite-gain op-amps of gain 1e5: one round. The count comes from rho so that no
    round spends time checking itself.
    """
    if not np.any(k):
        return 0
    rho = float(np.max(np.abs(k).T @ (1.0 / np.broadcast_to(g, k.shape[:1]))))
    if rho >= 0.5:
        raise SimulationError(f"the rectifiers' outputs load each other too strongly to solve (coupling "
                              f"factor {rho:.3g}, needs < 0.5): raise the op-amp gain")
    return max(0, math.ceil(math.log(_RELATIVE_COUPLING_ERROR) / math.log(rho)) - 1)


def precision_rectifier(inflow: Var, junction_conductance: Var, feedback: Var, load: Var, coupling: Var,
                        offset: Var, gain: float, junction: Junction,
                        at: np.ndarray | None = None) -> tuple[Var, Var]:
    """(o, h) of the two-diode inverting precision rectifier.

    inflow S: (n, w) amperes, sum_k G_k P_k from the rails into the summing junction.
    junction_conductance: (w,) siemens, every conductance at the junction (weights + R_f).
    feedback: (w,) siemens, R_f's conductance (h to junction).
    load, coupling, offset: as for diode_rectifier. gain: the op-amp's A (o = -A * n).
    at: (n, w) op-amp outputs o to take instead of solving (h follows from them).

    Equations per element, with n = -o / A:
      F1 = S + o G_sum / A + G_f h - I1(v1) = 0,    v1 = -o (1 + 1/A)   (D1: junction -> o)
      F2 = I2(v2) - (G_f + g) h - G_f o / A + c = 0, v2 = o - h          (D2: o -> h)
    F1 gives h as a function of o; F2 is then one increasing equation in o, solved by
    Newton kept inside a bracket (bisection when a step leaves it).
    """
    s, g_sum, g_f = value_of(inflow), value_of(junction_conductance), value_of(feedback)
    g, m = value_of(load), value_of(offset)
    k = Coupling.of(coupling)
    a = float(gain)

    o = _solve_precision_rectifier(s, g_sum, g_f, g, k, m, a, junction) if at is None else np.asarray(at, float)
    _, h, a11, a21, schur = _precision_state(o, s, 0.0, g_sum, g_f, g, a, junction)
    rounds = _coupling_rounds(k.dense, g)

    def vjp(cotangents):
        o_bar, h_bar = cotangents
        # adjoint: lam2 schur = h_bar - g_f o_bar / a11 - lam2 @ K^T, lam1 a11 = o_bar - a21 lam2
        base = h_bar - g_f * o_bar / a11
        lam2 = base / schur
        for _ in range(rounds):
            lam2 = (base - k.times_transposed(lam2)) / schur
        lam1 = (o_bar - a21 * lam2) / a11
        return (-lam1, lambda: -column_sums(lam1 * o) / a, lambda: -column_sums(lam1 * h - lam2 * (h + o / a)),
                lambda: column_sums(lam2 * h), lambda: -(h.T @ lam2), -lam2)

    both = custom(np.stack([o, h]), (inflow, junction_conductance, feedback, load, coupling, offset),
                  lambda g_both: vjp((g_both[0], g_both[1])))
    return both[0], both[1]


def _precision_state(o, s, c, g_sum, g_f, g, a, junction: Junction):
    """(F2, h, dF1/do, dF2/do, Schur complement) of the precision rectifier at op-amp
    outputs o, with h from F1 = 0 (see precision_rectifier). Arrays broadcast together, so
    this serves whole (n, w) stages and gathered elements alike. Along F1 = 0,
    dh/do = -dF1/do / g_f, and dF2/do there is -dF1/do * schur / g_f."""
    i1, d1 = junction.current(-o * (1 + 1 / a))
    h = (i1 - s - o * g_sum / a) / g_f
    i2, d2 = junction.current(o - h)
    a11 = g_sum / a + d1 * (1 + 1 / a)       # dF1/do
    a21 = d2 - g_f / a                        # dF2/do
    a22 = -d2 - g_f - g                       # dF2/dh (diagonal, without the coupling)
    f = i2 - (g_f + g) * h - g_f * o / a + c
    return f, h, a11, a21, a22 - g_f * a21 / a11


def _solve_precision_rectifier(s, g_sum, g_f, g, k, m, a, junction: Junction) -> np.ndarray:
    """Op-amp outputs o, (n, w), of precision rectifiers with coupling c = h @ K + m.

    Closed form per state (``_precision_closed_form``), one exact Newton step for every
    element, bracketed Newton for the few near the knee where that step may leave more
    than 1e-10 V (``_newton_error``); then the coupling from the rectifier linearised
    there, as for diode rectifiers, except at elements whose o it would move by over
    1e-5 V, which are solved again.
    """
    c = np.broadcast_to(m, s.shape)
    o = _precision_closed_form(s, g_sum, g_f, g, c, a, junction)
    f, h, a11, a21, schur = _precision_state(o, s, c, g_sum, g_f, g, a, junction)
    step = f * g_f / (a11 * schur)          # -F2 / (dF2/do)
    o += step
    dh_do = a11 * (-1.0 / g_f)
    h += dh_do * step
    rough = ~(_newton_error(step, dh_do, a11, a21, schur, g_f, g, junction) <= _NEWTON_ERROR_VOLTS)
    if rough.any():
        o, h, a11, schur = _polish_where(rough, (o, h, a11, schur), s, c, g_sum, g_f, g, a, junction)
    if not np.any(k.dense):
        return o
    dh_dc = -1.0 / schur
    moved = _linear_coupling(h, c, k, m, dh_dc, g)
    c = c + moved
    shift = g_f * moved / (a11 * schur)      # do/dc = g_f / (a11 schur)
    # Near the knee both diodes are nearly off and o hangs on the op-amp's open-loop gain:
    # there the linearisation does not hold, and those elements are solved again.
    rough = ~(np.abs(shift) <= _LINEAR_COUPLING_VOLTS)
    o += shift
    if rough.any():
        o = _polish_where(rough, (o,), s, c, g_sum, g_f, g, a, junction)[0]
    return o


def _newton_error(step, dh_do, a11, a21, schur, g_f, g, junction: Junction) -> np.ndarray:
    """About how far o still is from the root after a Newton step of ``step`` volts on F2:
    |F2''| step**2 / (2 |F2'|), with F2'' bounded by the two junctions' curvatures
    (each diode's dI/dv over N Vt). Near the knee F2' is small and the bound large."""
    curvature = np.abs(a21) * (1.0 - dh_do) ** 2
    curvature += (g_f + g) * a11 / g_f
    curvature *= 1.0 / junction.vte
    slope = np.abs(a11 * schur / g_f)
    return curvature / slope * (0.5 * step * step)


def _precision_closed_form(s, g_sum, g_f, g, c, a, junction: Junction) -> np.ndarray:
    """Op-amp outputs o with the reverse-biased diode of each state taken as -IS + GMIN v.

    On (S < -IS: h > 0 once D1's leakage is fed), D1 is reverse biased: F1 makes h linear
    in o, h = alpha - beta o, and F2 becomes i2(v2) = P + Q v2 in D2's voltage v2 = o - h.
    Off, D2 is: F2
    makes h = gamma + delta o and F1 becomes i1(v1) = P + Q v1. Either is a junction in
    series with R = -1/Q (Q < 0) across -P/Q: ``Junction.solve_in_series``, once for all
    elements with R chosen per element. The neglected leakage term (below 0.05 IS) moves
    o by microvolts; the Newton step after this removes it. Where the state was guessed
    wrong (near the knee) o is rough, and the Newton step after this says so.
    """
    i_sat, eps = junction.i_sat, 1.0 / a
    on = (s < -i_sat).astype(float)   # D1's leakage takes IS of the inflow before h gets any
    # on: i1 = -IS - GMIN (1 + eps) o
    alpha = (-s - i_sat) / g_f
    beta = (g_sum * eps + GMIN * (1 + eps)) / g_f
    q_on = (g_f * eps - (g_f + g) * beta) / (1 + beta)
    p_on = alpha * (g_f + g + q_on) - c
    # off: i2 = -IS + GMIN (o - h)
    gamma = (c - i_sat) / (g_f + g + GMIN)
    delta = (GMIN - g_f * eps) / (g_f + g + GMIN)
    q_off = -(g_sum * eps + g_f * delta) / (1 + eps)
    p_off = s + g_f * gamma
    q = q_off + on * (q_on - q_off)
    p = p_off + on * (p_on - p_off)
    v, _ = junction.solve_in_series(-p / q, -1.0 / q, forward_only=True)
    o_off = v * (-1.0 / (1 + eps))
    return o_off + on * ((v + alpha) / (1 + beta) - o_off)


def _polish_where(rough, arrays, s, c, g_sum, g_f, g, a, junction: Junction) -> tuple:
    """``arrays`` (o, then any of h, dF1/do, Schur complement) with the elements where
    ``rough`` solved by bracketed Newton from the start each diode's state suggests (a
    rough o may lie far up an exponential), and their h and derivatives recomputed there."""
    where = np.nonzero(rough)
    s_at, c_at, g_sum_at, g_f_at, g_at = (np.broadcast_to(x, s.shape)[where] for x in (s, c, g_sum, g_f, g))
    start = _precision_start(s_at, g_f_at, g_at, a, junction)
    solved = _bracketed_newton(start, s_at, c_at, g_sum_at, g_f_at, g_at, a, junction)
    updated = []
    # Not strict: ``arrays`` may stop after o (or h), ``solved`` always carries all four.
    for array, part in zip(arrays, solved, strict=False):
        array = array.copy()
        array[where] = part
        updated.append(array)
    return tuple(updated)


def _precision_start(s, g_f, g, a, junction: Junction) -> np.ndarray:
    """A start for Newton where each state puts o: on, D2 carries the load current of
    h = -S / g_f; off, D1 carries the junction's whole inflow. (Far from these, each
    Newton step only walks about N*Vt down an exponential.)"""
    ideal = -s / g_f
    on_drop = junction.forward_voltage(np.maximum(ideal, 0.0) * (g_f + g) + junction.i_sat)
    off_drop = junction.forward_voltage(np.maximum(s, 0.0) + junction.i_sat)
    return np.where(ideal > 0, ideal + on_drop, -off_drop / (1 + 1 / a))


def _bracketed_newton(o, s, c, g_sum, g_f, g, a, junction: Junction) -> tuple[np.ndarray, ...]:
    """(o, h, dF1/do, Schur complement) by Newton on F2(o) kept inside a bracket
    (bisection when a step leaves it); 1-D arrays."""
    ideal = -s / g_f
    low = np.minimum(np.minimum(0.0, ideal) - 2.0, o)
    high = np.maximum(np.maximum(0.0, ideal) + 2.0, o)
    for _ in range(_NEWTON_ITERATIONS):
        f, _, a11, _, schur = _precision_state(o, s, c, g_sum, g_f, g, a, junction)
        high = np.where(f > 0, o, high)
        low = np.where(f <= 0, o, low)
        candidate = o + f * g_f / (a11 * schur)
        # inclusive: a converged element's Newton step lands on its own bracket end
        inside = (candidate >= low) & (candidate <= high) & np.isfinite(candidate)
        new = np.where(inside, candidate, 0.5 * (low + high))
        moved = float(np.max(np.abs(new - o)))
        o = new
        if moved <= _TOLERANCE * max(1.0, float(np.max(np.abs(o)))):
            break
    _, h, a11, _, schur = _precision_state(o, s, c, g_sum, g_f, g, a, junction)
    return o, h, a11, schur
