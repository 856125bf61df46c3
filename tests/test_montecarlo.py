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


@pytest.mark.ngspice
def test_a_board_whose_opamp_goes_past_its_rail_is_marked_and_fails_the_yield(spice):
    """A diode summer at 13.2 V of a TL072's 13.5 V swing: the nominal circuit is inside, and
    with 10 % resistors some boards go past the rail. Each such board is named (and only
    those ngspice's own limit check finds beyond) and fails the yield, however close its
    output; before, each got a deviation like any other and could pass."""
    from circuitnet import ReLUNet
    from circuitnet.analysis.compare import montecarlo_figures
    from circuitnet.analysis.montecarlo import monte_carlo_board
    from circuitnet.model.opamp_parts import opamp_model
    circuit = realise(ReLUNet.from_arrays([([[12.6]], [0.0]), ([[0.01]], [0.0])]), "diode",
                      opamp=opamp_model("TL072"))
    x = np.linspace(-1.0, 1.0, 5)[:, None]
    assert not spice.violations(circuit, x)
    streamed = monte_carlo(circuit, x, spice.simulate(circuit, x).y, 12, 0.10, 3, 0.0, LocalExecutor(1), spice=spice)
    boards = montecarlo_figures(streamed, 12, 0.10, 0.0, 3, yield_threshold=10.0)  # every deviation passes
    beyond = [k for k in range(12) if spice.violations(monte_carlo_board(circuit, k, 0.10, 3), x)]
    assert 0 < len(beyond) < 12
    assert [row["board"] for row in boards.per_board_beyond_limits] == beyond == [
        k for k, words in enumerate(streamed["beyond"]) if words]
    assert boards.boards_beyond_limits == len(beyond)
    assert all("El1n1_a" in row["worst"] and "rail" in row["worst"] for row in boards.per_board_beyond_limits)
    assert boards.yield_fraction == pytest.approx(1 - len(beyond) / 12)
    from circuitnet.interface.report_sections import _beyond_limits_lines
    (line,) = _beyond_limits_lines(boards)
    assert line.startswith(f"  Monte Carlo: {len(beyond)} of 12 boards take a part outside its safe operating area, "
                           "so they fail the yield (board ")
