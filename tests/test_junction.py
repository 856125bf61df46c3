"""The closed-form pieces of the surrogate against independent computations: Wright omega
against scipy's, and the series junction solve against the residual of ngspice's diode
equations (``Junction.current``) and a Newton polish of it."""

import numpy as np
import pytest
import scipy.special

from circuitnet.model.devices import diode, shockley_diode
from circuitnet.solvers.junction import Junction
from circuitnet.solvers.omega import LOWEST, wright_omega


def test_wright_omega_matches_scipy_over_its_whole_range():
    x = np.concatenate([np.linspace(LOWEST, 30, 200_001), np.linspace(30, 2e4, 20_001)])
    expected = scipy.special.wrightomega(x)
    got = wright_omega(x)
    assert np.max(np.abs(got - expected) / expected) < 3e-9
    assert np.max(np.abs(got - expected)) < 2e-9


DIODES = [diode("1N4148"), diode("BAT54"), shockley_diode(IS=1e-14, N=1.0), shockley_diode(IS=1e-6, N=2.0, RS=5)]


@pytest.mark.parametrize("model", DIODES, ids=lambda d: d.name)
@pytest.mark.parametrize("temperature", [0.0, 27.0, 70.0])
def test_series_solve_is_the_root_of_the_diode_equations(model, temperature):
    junction = Junction.of(model, temperature)
    rng = np.random.default_rng(7)
    resistance = np.exp(rng.uniform(np.log(10.0), np.log(1e6), 24))
    v_total = np.concatenate([rng.uniform(-50, 50, (300, 24)), rng.uniform(-0.4, 1.0, (300, 24)),
                              np.linspace(-0.2, 0.2, 24 * 50).reshape(50, 24)])
    v, slope = junction.solve_in_series(v_total, resistance)
    current, exact_slope = junction.current(v)
    # how far a Newton step on the exact equations would still move v
    step = (v + resistance * current - v_total) / (1 + resistance * exact_slope)
    assert np.max(np.abs(step)) < 2e-10
    np.testing.assert_allclose(slope, exact_slope, rtol=1e-8, atol=1e-20)
