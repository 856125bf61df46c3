"""The command line as a user types it: results on stdout, one-line errors, exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from circuitnet.interface.cli import main
from circuitnet.interface.parser import join_range_values

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_export_reproduces_the_committed_netlist(tmp_path):
    # run from a folder that mirrors the repository layout, so the header's command is the same
    (tmp_path / "netlists").mkdir()
    (tmp_path / "netlists" / "eight_diode.json").write_bytes((NETLISTS / "eight_diode.json").read_bytes())
    done = run_cli("export", "netlists/eight_diode.json", "-o", "netlists/eight_diode.cir", "--sweep", "-1:1:201",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "wrote netlists/eight_diode.cir" in done.stdout
    assert (tmp_path / "netlists" / "eight_diode.cir").read_text() == (NETLISTS / "eight_diode.cir").read_text()


def test_export_operating_point(tmp_path):
    out = tmp_path / "op.cir"
    assert main(["export", str(NETLISTS / "elbow_passive.json"), "-o", str(out), "--op"]) == 0
    text = out.read_text()
    assert ".op" in text and ".dc" not in text and "wrdata op.dat" in text


def test_negative_range_start_is_accepted():
    assert join_range_values(["neuron", "--x", "-1:1:5", "--w", "-2"]) == ["neuron", "--x=-1:1:5", "--w", "-2"]


@pytest.mark.ngspice
@pytest.mark.slow
def test_neuron_prints_json_and_writes_plot(tmp_path):
    plot = tmp_path / "elbow.png"
    done = run_cli("neuron", "--topology", "precision", "--w", "2", "--b", "-0.5", "--x", "-1:1:101",
                   "--plot", str(plot), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["points"] == 101 and result["topology"] == "precision"
    assert 0 < result["max_deviation_mV"] < 1.0  # the precision rectifier: well under a millivolt
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args, message", [
    (["export", "missing.json", "-o", "x.cir"], "can't read the model file"),
    (["neuron", "--topology", "diode", "--diode", "1N0000"], "unknown diode '1N0000'"),
    (["neuron", "--topology", "diode", "--x", "1:2"], "is not START:STOP:N"),
    (["neuron", "--topology", "diode", "--x", "0:1:1"], "N must be a whole number from 2"),
    # its untrained resistors give no elbow: it printed a 2411 mV 'deviation' from relu(x - 0.2)
    (["neuron", "--topology", "resistive", "--w", "1", "--b", "-0.2"],
     "the resistive topology's resistors realise relu(1 x -0.2) only once trained"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path):
    done = run_cli(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_malformed_model_file_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "circuitnet-model"')
    done = run_cli("export", str(bad), "-o", str(tmp_path / "x.cir"))
    assert done.returncode == 2 and "bad.json: not valid JSON" in done.stderr
    assert not (tmp_path / "x.cir").exists()


def test_help_explains_units_and_gives_an_example():
    done = run_cli("neuron", "--help")
    assert done.returncode == 0
    assert "data units" in done.stdout and "Example: circuitnet neuron" in done.stdout


@pytest.mark.parametrize("command", ["fit", "compare", "export", "simulate", "neuron", "transient"])
def test_every_subcommand_has_help_with_an_example(command):
    done = run_cli(command, "--help")
    assert done.returncode == 0, done.stderr
    assert f"circuitnet {command}" in done.stdout.split("Example")[-1]


@pytest.mark.parametrize("command", ["compare", "export"])
def test_sweep_help_says_where_the_other_inputs_are_held(command):
    """A sweep holds inputs 2.. at the middle of their training range (model.sweep.held_inputs),
    which is what the netlist header and compare's figures say; the help said 0."""
    done = run_cli(command, "--help")
    text = " ".join(done.stdout.split())
    assert "held at 0" not in text and "inputs at 0)" not in text
    assert "middle of its training range" in text


@pytest.mark.ngspice
def test_simulate_json_holds_outputs_and_ideal():
    done = run_cli("simulate", str(NETLISTS / "eight_precision.json"), "--x", "-1:1:51", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["x"]) == len(result["y"]) == len(result["y_volts"]) == len(result["ideal"]) == 51
    import numpy as np
    assert np.max(np.abs(np.array(result["y"]) - np.array(result["ideal"]))) < 5e-3


@pytest.mark.ngspice
def test_simulate_csv_inputs(tmp_path):
    data = tmp_path / "in.csv"
    data.write_text("x2,x1\n0.5,0.1\n-0.2,0.3\n")
    done = run_cli("simulate", str(NETLISTS / "two_input_diode.json"), "--inputs", str(data), "--csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "x1,x2,y1,y1_volts,ideal1,beyond_limit" and lines[1].startswith("0.1,0.5,")


@pytest.mark.parametrize("content, message", [
    ("", "has no rows"),
    ("x1,x2\n", "header but no data rows"),
    ("x1,x2\n0.1,abc\n", "line 2, x2: 'abc' is not a finite number"),
    ("x1,x2\n0.1,nan\n", "is not a finite number"),
    ("0.1\n", "column 2) is missing"),
    ("x1,x3\n0.1,0.2\n", "the header names 'x3', which is not an input of this model; its inputs are x1, x2"),
    ("x1,x1\n0.1,0.2\n", "the header names the column 'x1' twice"),  # read_table's check, for every table
    ("a,b\n0.1,0.2\n", "the header names 'a', which is not an input"),
    ("x2\n0.1\n", "the header has no column 'x1'"),
])
def test_simulate_bad_csv(tmp_path, content, message):
    data = tmp_path / "in.csv"
    data.write_text(content)
    done = run_cli("simulate", str(NETLISTS / "two_input_diode.json"), "--inputs", str(data))
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_a_file_where_a_folder_belongs_is_a_sentence(tmp_path, capsys):
    from circuitnet.interface.cli import main
    blocker = tmp_path / "taken"
    blocker.write_text("")
    assert main(["fit", "--target", "sine", "--points", "20", "--epochs", "1", "--out", str(blocker)]) == 2
    assert capsys.readouterr().err == (f"circuitnet fit: {blocker} exists and is not a folder; give a folder "
                                       f"(or a new name) instead\n")
    assert main(["fit", "--target", "sine", "--points", "20", "--epochs", "1", "--out", str(blocker / "run")]) == 2
    assert "part of this path is a file, not a folder" in capsys.readouterr().err


def test_compare_help_says_monte_carlo_boards_draw_op_amp_offsets():
    """compare --montecarlo draws each board's op-amp input offsets and bias currents with a real
    part (docs/opamp-offsets.md); its help said only 'number of Monte Carlo boards', so a user
    looking for offsets in compare's flags found none."""
    done = run_cli("compare", "--help")
    text = " ".join(done.stdout.split())
    assert "input offset and bias currents drawn from the part's data sheet" in text


def test_a_board_fits_summary_says_class_changes_are_between_the_board_and_the_nominal_circuit():
    """fit --start-from ... --mode spice-loop --board-opamp OPA4277 printed '2 sample(s) change
    class between surrogate and ngspice': there ngspice simulates the board and the surrogate the
    nominal circuit, which agree within 1 uV on the same circuit, so the words blamed the
    simulators for what the board's errors do."""
    from circuitnet.interface.cli import _class_changes
    nominal = {"class_changes_surrogate_vs_spice": 0, "hyperparameters": {"board": None}}
    board = {"class_changes_surrogate_vs_spice": 2, "hyperparameters": {"board": {"tolerance": 0.01}}}
    assert _class_changes(nominal) == "0 sample(s) change class between surrogate and ngspice"
    assert _class_changes(board) == ("2 sample(s) class differently on the board (ngspice) than on the nominal "
                                     "circuit (surrogate)")


def test_start_from_help_says_what_the_data_is_checked_for():
    """--start-from's help said 'the data must be the data it was fit on, split alike', yet a
    sine model continued on --target abs (the same inputs) is accepted: what fit checks is the
    model's inputs, outputs and scaling and that no test row trained or validated the model."""
    text = " ".join(run_cli("fit", "--help").stdout.split())
    assert "the data must be the data it was fit on" not in text
    assert "no test row may be one that trained or validated the model" in text


def test_fit_help_gives_fits_own_op_amp_default_not_a_models():
    """fit --help said --opamp's default is 'the model's own op-amp (... unless the model was fit
    with --opamp)': fit makes the model; its default is the generic op-amp."""
    fit = " ".join(run_cli("fit", "--help").stdout.split())
    simulate = " ".join(run_cli("simulate", "--help").stdout.split())
    assert "the model's own op-amp" not in fit and "(or a model fit with one)" not in fit
    assert "default: the generic finite-gain model, which has no supply current" in fit
    assert "default: the model's own op-amp" in simulate and "(or a model fit with one)" in simulate
