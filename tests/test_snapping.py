"""E-series snapping that compensates: the rounding search against brute force, the series
neighbours, the issue's case (sin(pi x), 6 diode neurons) within 1.5x of its unsnapped RMSE
at E24 in ngspice, and the fit summary line saying both."""

import itertools

import numpy as np
import pytest

from circuitnet.interface.cli import main
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.eseries import neighbours, series_values
from circuitnet.training.rounding import LinearModel, round_together
from circuitnet.training.run import fit


def test_rounding_together_finds_the_best_choice_that_brute_force_finds():
    """A random ill-conditioned linear model (10 parameters, 2 choices each): the search's
    choice has the least error of all 1,024, its predicted error is the model's at that
    choice, and nearest rounding is much worse (the errors do not cancel)."""
    rng = np.random.default_rng(4)
    jacobian = rng.normal(size=(40, 10)) @ np.diag(np.logspace(0, -2, 10)) @ rng.normal(size=(10, 10))
    point = rng.uniform(0.0, 1.0, 10)
    residual = rng.normal(scale=0.01, size=40)
    model = LinearModel.of(jacobian, residual, point)
    options = np.stack([np.zeros(10), np.ones(10)], axis=1)  # the grid: integers
    nearest = (point > 0.5).astype(int)
    index, predicted = round_together(model, options, nearest, kicks=20)
    every = [model.error(np.array(choice, dtype=float)) for choice in itertools.product((0.0, 1.0), repeat=10)]
    assert predicted == pytest.approx(min(every), rel=1e-9)
    assert model.error(options[np.arange(10), index]) == pytest.approx(predicted, rel=1e-9)
    assert model.error(nearest.astype(float)) > 2 * min(every)


def test_rounding_with_three_options_and_a_fixed_parameter():
    """A parameter whose options are all one value keeps it; the others reach the error that
    brute force over 3**5 choices finds."""
    rng = np.random.default_rng(7)
    jacobian = rng.normal(size=(12, 6))
    model = LinearModel.of(jacobian, rng.normal(size=12), np.zeros(6))
    options = np.array([[-0.1, 0.0, 0.1]] * 5 + [[0.3, 0.3, 0.3]])
    index, predicted = round_together(model, options, np.ones(6, dtype=int), kicks=20)
    every = [model.error(np.append(np.array(c) * 0.1, 0.3)) for c in itertools.product((-1, 0, 1), repeat=5)]
    assert predicted == pytest.approx(min(every), rel=1e-9)
    assert options[5, index[5]] == 0.3


def test_neighbours_are_the_series_values_either_side():
    values = series_values("E24", 1e3, 1e6)
    lower, upper = neighbours(np.array([20196.0, 20000.0, 10500.0, 999.0, 2e6, np.inf]), values)
    np.testing.assert_array_equal(lower, [20000.0, 20000.0, 10000.0, 1000.0, 1e6, np.inf])
    np.testing.assert_array_equal(upper, [22000.0, 20000.0, 11000.0, 1000.0, 1e6, np.inf])


@pytest.mark.ngspice
def test_e24_snapping_keeps_six_diode_neurons_within_1_5x_of_unsnapped(spice):
    """Issue #22, item 6: sin(pi x) on 6 diode neurons, test RMSE 0.0111 unsnapped; nearest
    snapping with retraining of the weights gave 0.0374 at E24. Measured in ngspice on the
    test split; every resistor is an E24 value."""
    split = target_split("sine", 500, seed=0)
    result = fit(split, FitConfig(hidden=[6], e_series="E24"), spice=spice)
    before = result.report["e_series"]["test_rmse_spice_before"]
    after = result.report["e_series"]["test_rmse_spice_after"]
    assert after == result.report["test_rmse_spice"]
    assert after <= 1.5 * before, (before, after)
    allowed = series_values("E24", *result.circuit.resistor_range)
    for stage in result.circuit.stages:
        for array in stage.resistor_arrays().values():
            finite = array[np.isfinite(array)]
            assert np.all(np.isin(finite, allowed)), finite[~np.isin(finite, allowed)]
    assert np.isin(result.circuit.r_inverter, allowed)


@pytest.mark.ngspice
def test_the_fit_summary_line_says_the_rmse_before_and_after_snapping(tmp_path, capsys):
    assert main(["fit", "--target", "abs", "--hidden", "3", "--points", "40", "--epochs", "20", "--e-series", "E12",
                 "--out", str(tmp_path / "run")]) == 0
    line = capsys.readouterr().out
    import json
    snapping = json.loads((tmp_path / "run" / "report.json").read_text())["e_series"]
    assert (f"E12: test RMSE {snapping['test_rmse_spice_before']:.4g} before snapping, "
            f"{snapping['test_rmse_spice_after']:.4g} after") in line


@pytest.mark.ngspice
def test_e24_snapping_keeps_passive_on_the_small_range_target_within_1_5x(spice):
    """One of the benchmark's misses (benchmarks/RESULTS.md, eseries-passive): `small` on 16
    passive neurons, 400 points, seed 1, test RMSE 0.0005 unsnapped and 0.0010 (1.96x) after
    E24 with the search's former sizes (100 / 10 restarts, 12 trust-region steps, 2 polish
    sweeps); the wider search finds compensating values within 1.5x. In ngspice, test split."""
    split = target_split("small", 400, seed=1)
    result = fit(split, FitConfig(hidden=[16], topology="passive", seed=1, e_series="E24"), spice=spice)
    before = result.report["e_series"]["test_rmse_spice_before"]
    after = result.report["e_series"]["test_rmse_spice_after"]
    assert after <= 1.5 * before, (before, after)
