"""The 784-100-10 win-back benchmark (benchmarks/opamp_winback_784_cases.py), on a small digits
classifier: the board a calibration trains against is the offsets benchmark's Monte Carlo board
k, and its worst and median boards are the ones the boards' accuracies rank there."""

import numpy as np
import pytest

from benchmarks import opamp_winback_784_cases as cases
from benchmarks.opamp_offset_cases import with_part
from circuitnet.analysis.montecarlo import monte_carlo_board
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.model.board import Board
from circuitnet.training.classes import load_dataset, stratified_split


@pytest.fixture(scope="module")
def split():
    return stratified_split(load_dataset("digits"), 0)


@pytest.mark.ngspice  # the digits_classifier fixture is measured in ngspice
def test_the_calibrated_board_is_the_offsets_benchmarks_board_k(digits_classifier, split):
    circuit, x = digits_classifier.circuit, split.x_test[:25]
    for k in (0, 9):
        trained_against = Board(**cases.board_dict(k)).apply(circuit)  # the nominal circuit names no part
        drawn = monte_carlo_board(with_part(circuit, cases.PART), k, cases.TOLERANCE, 0)
        np.testing.assert_array_equal(SurrogateBackend().simulate(trained_against, x).y,
                                      SurrogateBackend().simulate(drawn, x).y)
        assert trained_against.opamp_offsets is not None


@pytest.mark.ngspice  # the digits_classifier fixture is measured in ngspice
def test_the_worst_and_median_boards_are_ranked_by_their_accuracy(digits_classifier, split, monkeypatch):
    monkeypatch.setattr(cases, "BOARDS", 5)
    chosen, accuracies = cases.chosen_boards(digits_classifier.circuit, split)
    order = np.argsort(accuracies, kind="stable")
    assert chosen == [("worst", int(order[0])), ("median", int(order[2]))]
    assert accuracies[chosen[0][1]] == accuracies.min()
