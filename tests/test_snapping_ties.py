"""The E-series snapping search against rounding: losses that differ by the surrogate's
rounding are the same loss (``loss_ties``), so a move that changes nothing but the last bits
is not taken; and the rounding search hands over its best distinct choices, best first, for
the training loss to judge (``rounding.best_choices``)."""

from types import SimpleNamespace

import numpy as np
import pytest

from circuitnet.training.eseries import series_values
from circuitnet.training.loss_ties import SAME_LOSS, better, first_least
from circuitnet.training.rounding import LinearModel, best_choices, round_together
from circuitnet.training.snap_grid import SnapGrid
from circuitnet.training.snapping import _polish

LIVE = 2  # the parameters the loss depends on; the others belong to a neuron that is off


class _FlatWithRounding:
    """A training loss of P log-conductances that depends on the first LIVE only (a quadratic
    about ``target``), times 1 + 1e-13 * a wobble of every parameter: what the surrogate's
    rounding does to a loss that a resistor of a neuron that is off does not change."""

    def __init__(self, target: np.ndarray, phase: float):
        self.target, self.phase = target, phase

    def val_loss(self, params, x, y) -> float:
        theta = params[0]
        true = 1e-6 + float(np.sum((theta[:LIVE] - self.target) ** 2))
        wobble = np.sin(1e6 * float(theta @ np.arange(1.0, len(theta) + 1.0)) + self.phase)
        return true * (1.0 + 1e-13 * wobble)


def _polished(phase: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start, target of the live ones, polished): 6 resistors on E24 between 1 k and 1 M; the
    live two start two steps of the series from their best values."""
    values = series_values("E24", 1e3, 1e6)
    grid = SnapGrid.of(values, None, np.zeros(6, dtype=bool))
    ladder = np.sort(-np.log(values))  # log-conductances, ascending
    start = ladder[[20, 30, 40, 41, 42, 43]]
    target = ladder[[22, 28]]
    split = SimpleNamespace(x_train=None, y_train=None)
    return start, target, _polish(_FlatWithRounding(target, phase), start, grid, split, sweeps=4)


@pytest.mark.parametrize("phase", [0.0, 1.0, 2.0, 3.0])
def test_polish_moves_only_resistors_that_change_the_loss_by_more_than_rounding(phase):
    """The live resistors reach their best values; the four the loss does not depend on keep
    theirs, whatever the 1e-13 wobble (the search as it was took any move the wobble made
    look lower, so they wandered, differently for each phase)."""
    start, target, polished = _polished(phase)
    np.testing.assert_array_equal(polished[:LIVE], target)
    np.testing.assert_array_equal(polished[LIVE:], start[LIVE:])


def test_losses_within_the_tolerance_are_the_same_loss():
    assert better(1.0 - 2 * SAME_LOSS, 1.0)
    assert not better(1.0 - SAME_LOSS / 2, 1.0)
    assert not better(1.0, 1.0)
    assert first_least([3.0, 1.0 + SAME_LOSS / 2, 1.0, 2.0]) == 1  # the first of the equal ones
    assert first_least([3.0, 1.0 + 2 * SAME_LOSS, 1.0]) == 2


def test_best_choices_are_distinct_best_first_and_start_with_round_togethers():
    """A random ill-conditioned model, 30 parameters of 2 options (its kicks end at 6 or more
    local optima): the first choice is round_together's, the six are distinct, each one's
    error is the model's at it, and after the first they come in ascending error."""
    n = 30
    rng = np.random.default_rng(4)
    jacobian = rng.normal(size=(4 * n, n)) @ np.diag(np.logspace(0, -3, n)) @ rng.normal(size=(n, n))
    point = rng.uniform(0.0, 1.0, n)
    model = LinearModel.of(jacobian, rng.normal(scale=0.01, size=4 * n), point)
    options = np.stack([np.zeros(n), np.ones(n)], axis=1)
    start = (point > 0.5).astype(int)
    choices = best_choices(model, options, start, kicks=40, keep=6)
    index, error = round_together(model, options, start, kicks=40)
    np.testing.assert_array_equal(choices[0][0], index)
    assert choices[0][1] == error
    assert len(choices) == 6
    assert len({choice.tobytes() for choice, _ in choices}) == len(choices)
    for choice, predicted in choices:
        assert model.error(options[np.arange(n), choice]) == pytest.approx(predicted, rel=1e-9)
    assert [e for _, e in choices[1:]] == sorted(e for _, e in choices[1:])
    assert all(e >= choices[0][1] for _, e in choices)
