"""The fused kernels that fold small passes into bigger ones (solvers/fused_diode.py): the
adjoint's coefficients formed from the slope in every round, the vector-Jacobian product's
pieces in the adjoint's last round, the coupling's change formed where it is read, and
ln(1 + e^x) skipped where it is x. Each against the NumPy expressions of the reference
(solvers/rectifiers.py, the diode rectifier's vjp and ``_linear_coupling``)."""

import numpy as np
import pytest

from circuitnet.solvers import fused_diode
from circuitnet.solvers.autodiff import factored_product
from circuitnet.solvers.coupling import Coupling


def _adjoint_case(rng, n=40, w=7):
    di = np.exp(rng.uniform(np.log(1e-12), np.log(1e-1), (n, w)))  # reverse-biased to conducting
    r_total, g = rng.uniform(1.0, 1e4, w), rng.uniform(1e-5, 1e-3, w)
    return di, r_total, g, rng.normal(size=(n, w)), rng.normal(size=(n, w)), rng.normal(size=(n, w))


@pytest.mark.parametrize("pushed_rows", [1, 40])
def test_the_adjoints_last_round_gives_every_piece_of_the_vjp(pushed_rows):
    rng = np.random.default_rng(0)
    di, r_total, g, h_bar, current, h = _adjoint_case(rng)
    pushed = rng.normal(size=(pushed_rows, 7)) * 1e-3
    lam_q, lam_di, sum_current, sum_h = np.empty((40, 7)), np.empty((40, 7)), np.empty(7), np.empty(7)
    fused_diode.adjoint_last_round(pushed, h_bar, di, r_total, g, current, h, lam_q, lam_di, sum_current, sum_h)
    q = di * r_total + 1.0  # rectifiers.diode_rectifier's vjp
    lam = (pushed + h_bar) / (q * g + di)
    np.testing.assert_array_equal(lam_q, lam * q)
    np.testing.assert_array_equal(lam_di, lam * di)
    np.testing.assert_allclose(sum_current, (lam * di * current).sum(0), rtol=1e-13)
    np.testing.assert_allclose(sum_h, (lam * q * h).sum(0), rtol=1e-13)
    only_q = np.empty((40, 7))
    fused_diode.adjoint_round(pushed, h_bar, di, r_total, g, only_q)
    np.testing.assert_array_equal(only_q, lam_q)


def test_the_adjoint_through_a_coupling_equals_the_references_rounds():
    rng = np.random.default_rng(1)
    di, r_total, g, h_bar, current, h = _adjoint_case(rng)
    k = Coupling.of(factored_product(rng.normal(size=(7, 2)) * 1e-7, rng.normal(size=(2, 7))))
    lam_q, lam_di, sum_current, sum_h = fused_diode.diode_adjoint(h_bar, di, r_total, g, current, h, k, 2)
    q = di * r_total + 1.0
    diagonal = q * g + di
    lam = h_bar / diagonal
    for _ in range(2):
        lam = (k.times_transposed(lam * q) + h_bar) / diagonal
    np.testing.assert_allclose(lam_q, lam * q, rtol=1e-14)
    np.testing.assert_allclose(lam_di, lam * di, rtol=1e-14)
    np.testing.assert_allclose(sum_current, (lam * di * current).sum(0), rtol=1e-13)
    np.testing.assert_allclose(sum_h, (lam * q * h).sum(0), rtol=1e-13)


@pytest.mark.parametrize("coupling_rows", [1, 40])
def test_a_linear_step_moves_by_the_coupling_change_it_forms(coupling_rows):
    rng = np.random.default_rng(2)
    dh_dc, product, h0 = (rng.normal(size=(40, 7)) for _ in range(3))
    m, c = rng.normal(size=(1, 7)), rng.normal(size=(coupling_rows, 7))
    out = np.empty((40, 7))
    fused_diode.linear_step(dh_dc, product, m, c, h0, out)
    np.testing.assert_array_equal(out, dh_dc * (product + (m - c)) + h0)


def test_softplus_is_ln_one_plus_e_to_the_x_and_x_itself_where_that_rounds_to_x():
    x = np.concatenate([np.linspace(-80.0, 80.0, 4001), np.linspace(33.0, 38.0, 501), [100.0, 500.0, 800.0]])
    found = np.array([fused_diode._softplus(value) for value in x])
    expected = np.logaddexp(0.0, x)
    assert np.max(np.abs(found - expected) / expected) <= 4 * np.finfo(float).eps
    above = x > fused_diode._LOG1P_EXP_IS_X
    np.testing.assert_array_equal(found[above], x[above])
    np.testing.assert_array_equal(expected[above], x[above])  # where it is x, it rounds to x
