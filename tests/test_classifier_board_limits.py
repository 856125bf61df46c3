"""A classifier's Monte Carlo boards are checked against the operating limits (issue #18): a
board whose summer goes past its rail is no board anyone could build to its accuracy, so it
fails the yield, is counted (compare.json's accuracy_boards.boards_beyond_limits) and named in
the summary and report.html, as a regressor's boards are. Before, BoardAccuracy counted only
each board's accuracy, and such a board passed."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import CountingPool

from circuitnet import ReLUNet, realise, save_model
from circuitnet.analysis.classifier_compare import compare_classifier
from circuitnet.analysis.montecarlo import monte_carlo_board
from circuitnet.backends.ideal import IdealBackend
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.interface.report_sections import _accuracy_boards_summary
from circuitnet.model.opamp_parts import opamp_model
from circuitnet.util.executor import LocalExecutor

BOARDS, TOLERANCE, SEED = 12, 0.10, 3


def two_class_network(weight: float) -> ReLUNet:
    """One input, two hidden neurons relu(+-weight x), two outputs 0.01 x each: class 0 for
    x > 0, class 1 for x < 0. A diode summer of weight 12.6 sits at 13.2 V of a TL072's
    13.5 V swing at |x| = 1 (the nominal circuit is inside), so 10 % resistors take some
    boards past the rail; one of weight 6 stays far inside."""
    return ReLUNet.from_arrays([([[weight], [-weight]], [0.0, 0.0]), ([[0.01, 0.0], [0.0, 0.01]], [0.0, 0.0])])


def _boards(spice, weight: float):
    circuit = realise(two_class_network(weight), "diode", opamp=opamp_model("TL072"))
    x = np.linspace(-1.0, 1.0, 6)[:, None]
    truth = np.argmax(IdealBackend().simulate(circuit, x).y, axis=1)
    pool = CountingPool(spice.pool)
    numbers, _ = compare_classifier(circuit, x, truth, montecarlo=BOARDS, tolerance=TOLERANCE, seed=SEED,
                                    executor=LocalExecutor(1), spice=SpiceBackend(pool))
    return circuit, x, numbers, pool


@pytest.mark.ngspice
def test_a_classifier_board_past_its_rail_is_counted_and_fails_the_yield(spice):
    circuit, x, numbers, pool = _boards(spice, 12.6)
    assert not spice.violations(circuit, x) and numbers.violations == []  # the nominal circuit is inside
    boards = numbers.accuracy_boards
    # the reference: each board's own limits check, from a separate run that saves every vector
    beyond = [k for k in range(BOARDS) if spice.violations(monte_carlo_board(circuit, k, TOLERANCE, SEED), x)]
    assert 0 < len(beyond) < BOARDS
    assert [row["board"] for row in boards.per_board_beyond_limits] == beyond
    assert boards.boards_beyond_limits == len(beyond)
    assert all("El1n" in row["worst"] and "rail" in row["worst"] for row in boards.per_board_beyond_limits)
    # every board classes every sample right, so before each one passed; now those beyond fail
    assert boards.per_board_accuracy == [1.0] * BOARDS
    assert boards.yield_fraction == pytest.approx(1 - len(beyond) / BOARDS)
    assert "safe operating area" in boards.yield_reference
    # the check read the accuracy's own run: one netlist a board (and the nominal circuit's one)
    assert pool.netlists == 1 + BOARDS
    _, monte_carlo_line = _accuracy_boards_summary(numbers)
    assert monte_carlo_line.startswith(f"  Monte Carlo: {len(beyond)} of {BOARDS} boards take a part outside its "
                                       f"safe operating area, so they fail the yield (board {beyond[0]}: ")


@pytest.mark.ngspice
def test_classifier_boards_inside_their_limits_are_not_counted(spice):
    circuit, x, numbers, _ = _boards(spice, 6.0)
    boards = numbers.accuracy_boards
    assert not any(spice.violations(monte_carlo_board(circuit, k, TOLERANCE, SEED), x) for k in range(BOARDS))
    assert boards.boards_beyond_limits == 0 and boards.per_board_beyond_limits == []
    assert boards.yield_fraction == 1.0
    assert len(_accuracy_boards_summary(numbers)) == 1  # no line about boards beyond their limits


@pytest.mark.ngspice
def test_simulate_limited_gives_simulates_outputs_and_the_full_checks_violations(spice):
    """The one-run check (node voltages only) against ``simulate`` and ``violations`` (every vector)."""
    circuit = realise(two_class_network(12.6), "diode", opamp=opamp_model("TL072"))
    board = monte_carlo_board(circuit, 3, TOLERANCE, SEED)
    x = np.linspace(-1.0, 1.0, 6)[:, None]
    result, found = spice.simulate_limited(board, x)
    np.testing.assert_array_equal(result.y, spice.simulate(board, x).y)
    assert found and found == spice.violations(board, x)


def _compare(folder, *flags):
    return subprocess.run([sys.executable, "-m", "circuitnet", "compare", str(folder / "model.json"), "--data",
                           str(folder / "data.csv"), "--opamp", "TL072", "--montecarlo", "6", "--temps", "27",
                           "--seed", str(SEED), "--split-seed", "0", "--out", str(folder / "out"), *flags],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.ngspice
def test_compare_counts_a_classifiers_boards_beyond_limits_in_the_json_and_the_report(tmp_path):
    save_model(realise(two_class_network(12.6), "diode"), tmp_path / "model.json")
    x = np.concatenate([np.linspace(0.97, 1.0, 20), -np.linspace(0.97, 1.0, 20)])  # test rows by the rails
    (tmp_path / "data.csv").write_text("x1,label\n" + "".join(f"{v:.6g},{0 if v > 0 else 1}\n" for v in x))
    for flags, status in ((["--tolerance", "10%"], 0),  # the nominal circuit inside, some boards beyond
                          (["--supply", "14", "--tolerance", "1%"], 1)):  # rails at +-12.5 V: the nominal beyond
        done = _compare(tmp_path, *flags)
        assert done.returncode == status, done.stderr
        boards = json.loads((tmp_path / "out" / "compare.json").read_text())["accuracy_boards"]
        count = boards["boards_beyond_limits"]
        assert 0 < count == len(boards["per_board_beyond_limits"])
        inside = [k not in {row["board"] for row in boards["per_board_beyond_limits"]} for k in range(6)]
        assert boards["yield"] == np.mean((np.array(boards["per_board_accuracy"]) >= 0.95) & inside)
        sentence = f"{count} of 6 boards take a part outside its safe operating area, so they fail the yield"
        assert f"  Monte Carlo: {sentence} (board {boards['per_board_beyond_limits'][0]['board']}: " in done.stdout
        assert sentence in (tmp_path / "out" / "report.html").read_text()
    assert count == 6 and boards["yield"] == 0.0 and "leave their safe operating area" in done.stderr
