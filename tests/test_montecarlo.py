"""One Monte Carlo engine for both kinds of circuit (``analysis.montecarlo.stream_boards``):
a classifier's boards stream in bounded groups as a regressor's do, each board's figure equals
that board simulated alone, the boards run on the backend the caller passes (its pool, counted),
and the yield defaults are stated once."""

import inspect

import numpy as np
import pytest
from conftest import CountingPool, RecordingExecutor, random_network

from circuitnet import realise
from circuitnet.analysis import classifier_compare, montecarlo
from circuitnet.analysis.classifier_compare import compare_classifier
from circuitnet.analysis.compare import compare_circuit
from circuitnet.analysis.montecarlo import monte_carlo, monte_carlo_instances
from circuitnet.analysis.yields import CLASSIFIER_YIELD_ACCURACY, REGRESSION_YIELD_DEVIATION
from circuitnet.backends.ideal import IdealBackend
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.interface.parser import build_parser
from circuitnet.util.executor import LocalExecutor


def _classifier():
    rng = np.random.default_rng(2)
    circuit = realise(random_network(rng, 2, [4], 3, zero_fraction=0.0), "diode")
    x = rng.uniform(-1.0, 1.0, (24, 2))
    truth = np.argmax(IdealBackend().simulate(circuit, x).y, axis=1)  # most boards get most right
    return circuit, x, truth


@pytest.mark.ngspice
def test_classifier_boards_stream_in_bounded_groups_on_the_injected_pool(spice_pool, monkeypatch):
    monkeypatch.setattr(classifier_compare, "BOARDS_PER_TASK", 2)
    monkeypatch.setattr(montecarlo, "TASKS_PER_WORKER", 2)
    circuit, x, truth = _classifier()
    pool = CountingPool(spice_pool)
    executor, seen = RecordingExecutor(1), []
    numbers, _ = compare_classifier(circuit, x, truth, montecarlo=9, tolerance=0.05, seed=3, is_spread=0.1,
                                    executor=executor, progress=lambda done, total: seen.append((done, total)),
                                    spice=SpiceBackend(pool))
    # the nominal circuit's sharded run takes one call, then groups of 2 tasks x 2 boards
    assert executor.calls[-3:] == [2, 2, 1] and seen == [(2, 9), (4, 9), (6, 9), (8, 9), (9, 9)]
    assert pool.netlists == 2 + 9  # the nominal run's 2 chunks, one netlist per board: all on the pool passed in
    alone = SpiceBackend(spice_pool)
    expected = [float(np.mean(np.argmax(alone.simulate(board, x).y, axis=1) == truth))
                for board in monte_carlo_instances(circuit, 9, 0.05, 3, 0.1)]
    boards = numbers.accuracy_boards
    assert boards.per_board_accuracy == expected
    assert boards.yield_threshold == CLASSIFIER_YIELD_ACCURACY
    assert boards.yield_fraction == np.mean(np.array(expected) >= CLASSIFIER_YIELD_ACCURACY)


@pytest.mark.ngspice
def test_regression_boards_run_on_the_injected_pool(spice_pool):
    circuit = realise(random_network(np.random.default_rng(4), 1, [3], 1), "diode")
    x = np.linspace(-1.0, 1.0, 9)[:, None]
    pool = CountingPool(spice_pool)
    streamed = monte_carlo(circuit, x, IdealBackend().simulate(circuit, x).y, 7, 0.02, 1, 0.0, LocalExecutor(2),
                           spice=SpiceBackend(pool))
    assert pool.netlists == 7 + 1  # every board, then the median board once more for its curve
    assert streamed["errors"].shape == (7,)


def test_a_backend_sent_to_another_process_leaves_its_pool_behind():
    import pickle
    backend = SpiceBackend(CountingPool(None), order_samples=False)
    arrived = pickle.loads(pickle.dumps(backend))
    assert arrived._pool is None and arrived.order_samples is False and backend._pool is not None


def test_the_yield_defaults_are_stated_once():
    assert inspect.signature(compare_circuit).parameters["yield_threshold"].default == REGRESSION_YIELD_DEVIATION
    assert inspect.signature(compare_classifier).parameters["yield_threshold"].default == CLASSIFIER_YIELD_ACCURACY
    compare = build_parser()._subparsers._group_actions[0].choices["compare"]
    (threshold,) = [action for action in compare._actions if "--yield-threshold" in action.option_strings]
    assert f"(default {REGRESSION_YIELD_DEVIATION:g})" in threshold.help
    assert f"(default {CLASSIFIER_YIELD_ACCURACY:g})" in threshold.help
