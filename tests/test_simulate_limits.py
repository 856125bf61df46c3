"""simulate's samples where a part leaves its safe operating area: marked with the limit
crossed in every output (stdout, --csv, --json), their outputs not given as numbers and exit
status 1, unless --raw-outputs asks for the numbers (still marked, exit 0). simulate printed
an output of 74.5 data units (about 33 V, beyond a TL072's 13.5 V swing) with exit 0."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from test_export import NETLISTS

from circuitnet import load_model
from circuitnet.interface.opamp_choice import circuit_with_opamp
from circuitnet.interface.parser import build_parser

MODEL = str(NETLISTS / "eight_diode.json")
SWEEP = "-60:60:5"  # -60, -30, 0, 30, 60: only x = 0 keeps every op-amp inside a TL072's 13.5 V swing


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600)


def tl072_outputs(x: np.ndarray) -> np.ndarray:
    """The reference: the circuit with TL072s in ngspice, in process, shape (n,) data units."""
    from circuitnet.backends.spice.backend import SpiceBackend
    circuit = circuit_with_opamp(load_model(MODEL), "TL072", None)  # as simulate --opamp TL072 makes it
    return SpiceBackend().simulate(circuit, x[:, None]).y[:, 0]


@pytest.mark.ngspice
def test_csv_marks_the_rows_beyond_a_rail_and_gives_no_numbers_for_them():
    done = run_cli("simulate", MODEL, "--x", SWEEP, "--opamp", "TL072", "--csv")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "4 of 5 sample(s) leave a part's safe operating area" in done.stderr
    assert "rows 1, 2, 4, 5" in done.stderr and "--raw-outputs gives them" in done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["x1"] for row in rows] == ["-60", "-30", "0", "30", "60"]
    for row in rows[:2] + rows[3:]:
        assert (row["y1"], row["y1_volts"]) == ("", "")
        assert "output above its positive rail" in row["beyond_limit"] and "limit 13.5 V" in row["beyond_limit"]
        assert row["ideal1"] != ""  # the ideal network's number is no circuit's, and stays
    assert rows[2]["beyond_limit"] == ""
    assert float(rows[2]["y1"]) == pytest.approx(tl072_outputs(np.array([0.0]))[0], abs=1e-6)


@pytest.mark.ngspice
def test_json_gives_null_outputs_beyond_a_limit_and_raw_outputs_gives_the_numbers_marked():
    done = run_cli("simulate", MODEL, "--x", SWEEP, "--opamp", "TL072", "--json")
    assert done.returncode == 1
    document = json.loads(done.stdout)
    assert [y is None for y in document["y"]] == [True, True, False, True, True]
    assert [v is None for v in document["y_volts"]] == [True, True, False, True, True]
    assert document["beyond_limit"][2] is None and "positive rail" in document["beyond_limit"][0]
    assert document["raw_outputs"] is False
    # every part's worst row (violations[].x) is one of the rows marked
    marked = {x[0] for x, words in zip(document["x"], document["beyond_limit"], strict=True) if words}
    assert document["violations"] and {v["x"][0] for v in document["violations"]} <= marked
    raw = run_cli("simulate", MODEL, "--x", SWEEP, "--opamp", "TL072", "--json", "--raw-outputs")
    assert raw.returncode == 0, raw.stderr
    numbers = json.loads(raw.stdout)
    assert numbers["beyond_limit"] == document["beyond_limit"] and numbers["raw_outputs"] is True
    np.testing.assert_allclose([y[0] for y in numbers["y"]], tl072_outputs(np.linspace(-60, 60, 5)), atol=1e-6)


@pytest.mark.ngspice
def test_the_summary_gives_the_range_of_the_rows_inside_the_limits_only():
    done = run_cli("simulate", MODEL, "--x", SWEEP, "--opamp", "TL072")
    assert done.returncode == 1
    import re
    found = re.search(r"1 point\(s\), spice at 27 C: output (\S+) \.\. (\S+);", done.stdout)
    assert found, done.stdout  # the four points beyond a rail are left out of the range
    inside = tl072_outputs(np.array([0.0]))[0]
    assert [float(v) for v in found.groups()] == pytest.approx([inside, inside], abs=1e-5)


def test_help_says_which_exit_status_and_names_raw_outputs():
    simulate = build_parser()._subparsers._group_actions[0].choices["simulate"]
    assert "Exit status 1 when any sample is, unless --raw-outputs" in simulate.description
    text = next(a.help for a in simulate._actions if "--raw-outputs" in a.option_strings)
    assert "still marked in beyond_limit" in text and "simulate exits 1" in text


@pytest.mark.ngspice
def test_an_estimators_predict_warns_naming_the_rows_beyond_a_limit():
    from circuitnet.errors import BeyondLimitsWarning
    from circuitnet.interface.estimator import CircuitRegressor
    regressor = CircuitRegressor(opamp="TL072")
    regressor.circuit_ = circuit_with_opamp(load_model(MODEL), "TL072", None)  # as fit leaves it
    regressor.n_features_in_, regressor._single_output = 1, True
    with pytest.warns(BeyondLimitsWarning, match=r"at 4 of 5 sample\(s\) a part leaves its safe operating area, "
                                                 r"so no built circuit gives those outputs \(rows 1, 2, 4, 5"):
        y = regressor.predict(np.linspace(-60, 60, 5)[:, None])
    np.testing.assert_allclose(y, tl072_outputs(np.linspace(-60, 60, 5)), atol=1e-6)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", BeyondLimitsWarning)  # inside every limit: no warning
        regressor.predict(np.array([[0.0], [0.5]]))


@pytest.mark.ngspice
def test_an_estimators_predict_with_spice_runs_ngspice_once_for_outputs_and_limits(spice_pool):
    """predict's outputs and its limits check come from one ngspice run (they were two: the
    outputs, then a run keeping every node), and the outputs are those ``simulate`` gives."""
    from circuitnet.backends.spice.backend import SpiceBackend
    from circuitnet.errors import BeyondLimitsWarning
    from circuitnet.interface.estimator import CircuitRegressor
    from tests.conftest import CountingPool
    regressor = CircuitRegressor(opamp="TL072")
    regressor.circuit_ = circuit_with_opamp(load_model(MODEL), "TL072", None)
    regressor.n_features_in_, regressor._single_output = 1, True
    counting = CountingPool(spice_pool)
    regressor._own_spice = SpiceBackend(counting)  # the estimator's backend, on a pool that counts its runs
    x = np.linspace(-60, 60, 5)[:, None]
    with pytest.warns(BeyondLimitsWarning, match=r"at 4 of 5 sample\(s\)"):
        y = regressor.predict(x)
    assert counting.netlists == 1
    np.testing.assert_allclose(y, SpiceBackend(spice_pool).simulate(regressor.circuit_, x).y[:, 0], atol=1e-9)


@pytest.mark.ngspice
@pytest.mark.parametrize("check_chunk", [20_000, 2])  # one run; or the rows in runs of 2 (memory's bound)
def test_simulate_inputs_with_spice_runs_ngspice_once_for_outputs_and_limits(spice_pool, monkeypatch, tmp_path,
                                                                               capsys, check_chunk):
    """simulate --inputs FILE: the outputs and the limits check from the same ngspice run (they
    were two: the outputs, then a run keeping every node), with the rows beyond a limit marked
    as before and the outputs those ``simulate`` gives."""
    from circuitnet.backends.spice.backend import SpiceBackend
    from circuitnet.interface import cli, simulate_limits
    from tests.conftest import CountingPool
    counting = CountingPool(spice_pool)
    monkeypatch.setattr(cli, "command_spice", lambda: SpiceBackend(counting))
    monkeypatch.setattr(simulate_limits, "CHECK_CHUNK", check_chunk)
    x = np.linspace(-60, 60, 5)
    (tmp_path / "in.csv").write_text("x1\n" + "\n".join(f"{v:g}" for v in x) + "\n")
    code = cli.main(["simulate", MODEL, "--inputs", str(tmp_path / "in.csv"), "--opamp", "TL072", "--json",
                     "--raw-outputs"])
    document = json.loads(capsys.readouterr().out)
    assert code == 0 and counting.netlists == -(-len(x) // check_chunk)  # 1 run, or 3 of at most 2 rows
    assert [words is None for words in document["beyond_limit"]] == [False, False, True, False, False]
    circuit = circuit_with_opamp(load_model(MODEL), "TL072", None)
    expected, rows = SpiceBackend(spice_pool).limits_by_row(circuit, x[:, None])  # the check's own run, as before
    # (parts as bad as each other may come in either order when the rows run in several runs)
    assert sorted((v["element"], v["quantity"], v["x"]) for v in document["violations"]) == \
        sorted((v.element, v.quantity, list(v.x)) for v in expected)
    assert document["beyond_limit"] == [words or None for words in rows]
    # one run is simulate's own analysis; runs of 2 rows start Newton elsewhere (ngspice's reltol 1e-7)
    np.testing.assert_allclose(document["y"], tl072_outputs(x)[:, None], rtol=0, atol=1e-9 if check_chunk > 5 else 1e-6)


def test_results_at_consecutive_inputs_concatenate_into_one():
    from circuitnet.backends.result import SimulationResult, concatenated
    first = SimulationResult(np.zeros((2, 1)), np.ones((2, 2)), 2 * np.ones((2, 2)), {"h": np.zeros(2)}, "spice", 60.0)
    second = SimulationResult(np.ones((1, 1)), np.zeros((1, 2)), np.zeros((1, 2)), {"h": np.ones(1)}, "spice", 60.0)
    whole = concatenated([first, second])
    assert whole.x.tolist() == [[0.0], [0.0], [1.0]] and whole.y.shape == whole.y_volts.shape == (3, 2)
    assert whole.nodes["h"].tolist() == [0.0, 0.0, 1.0] and (whole.backend, whole.temperature_c) == ("spice", 60.0)
    assert concatenated([first]) is first
