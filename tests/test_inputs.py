"""Input files, names and flag combinations are refused before any work: one line on stderr
naming the bad value, exit status 2, and nothing written (issue #22, item 4)."""

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest

from circuitnet.errors import DataFileError, NonFiniteValueError, RealisationError, UnknownNameError
from circuitnet.formats.datafile import read_inputs_csv
from circuitnet.interface.cli import main
from circuitnet.model.scaling import DataScaling
from circuitnet.training.config import FitConfig
from circuitnet.util.atomic import write_text_atomically
from circuitnet.util.finite_json import json_text

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
TABLE = "a,b,z\n1,2,3\n2,3,1\n3,1,2\n4,5,6\n5,5,1\n"


def refused(capsys, argv: list[str], message: str) -> str:
    """Run the CLI in-process; it must exit 2 with one line on stderr holding ``message``."""
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert message in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize("table, flags, message", [
    (TABLE, ["--x-columns", "a,z", "--y-column", "z"], "z is the target column and also an input"),
    (TABLE, ["--x-columns", "a,a"], "name a twice"),
    (TABLE, ["--x-columns", "a,1"], "name a twice"),  # a name and a position of the same column
    (TABLE, ["--x-columns", ""], "'' names an empty column"),
    (TABLE, ["--x-columns", "a,,b"], "'a,,b' names an empty column"),
    ("a,b,z\n1,2,3\n2,3,1,9\n3,1,2\n4,5,6\n", [], "line 3 has 4 column(s) and the header has 3"),
    ("x,x,z\n1,2,3\n2,3,1\n3,1,2\n4,5,6\n", [], "the header names the column 'x' twice"),
    ("a,z\n1,1e300\n2,-1e300\n3,2\n4,5\n", [], "line 2, z: 1e300 is beyond"),
])
def test_fit_refuses_bad_columns_before_writing(tmp_path, capsys, table, flags, message):
    data = tmp_path / "data.csv"
    data.write_text(table)
    refused(capsys, ["fit", "--data", str(data), *flags, "--out", str(tmp_path / "out")], message)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--board-diode", "nope"], "argument --board-diode: unknown diode 'nope'"),
    (["--diode", "1N9999"], "argument --diode: unknown diode '1N9999'"),
    (["--hidden", "16,16", "--topology", "passive"], "the passive topology realises at most 1 hidden layer"),
])
def test_fit_refuses_part_names_and_depth_before_writing(tmp_path, capsys, flags, message):
    refused(capsys, ["fit", "--target", "sine", *flags, "--out", str(tmp_path / "out")], message)
    assert not (tmp_path / "out").exists()


def test_fit_refuses_column_flags_without_a_data_file(tmp_path, capsys):
    refused(capsys, ["fit", "--target", "sine", "--x-columns", "a", "--out", str(tmp_path / "out")],
            "--x-columns and --y-column choose the columns of --data FILE.csv")
    assert not (tmp_path / "out").exists()


def test_fit_config_checks_part_names_and_depth():
    """The Python API (and a resumed checkpoint) is checked in the same place as the CLI."""
    with pytest.raises(UnknownNameError, match="the board's unknown diode 'nope'"):
        FitConfig(board={"diode": "nope"})
    with pytest.raises(UnknownNameError, match="unknown diode '1N9999'"):
        FitConfig(diode="1N9999")
    with pytest.raises(RealisationError, match="at most 1 hidden layer"):
        FitConfig(topology="passive", hidden=[4, 4])


def test_simulate_refuses_inputs_beyond_the_circuit_range(tmp_path, capsys):
    inputs = tmp_path / "in.csv"
    inputs.write_text("x1\n0.5\n1e5\n")
    refused(capsys, ["simulate", str(NETLISTS / "eight_diode.json"), "--inputs", str(inputs)],
            "line 3, x1: 100000 is outside the -1000 .. 1000 data units")


def test_input_range_follows_the_circuit_scaling(tmp_path):
    """A circuit trained on data in other units takes their range: the limit is in circuit units."""
    inputs = tmp_path / "in.csv"
    inputs.write_text("x1\n5e4\n")
    scaling = DataScaling(np.array([0.0]), np.array([100.0]), np.array([0.0]), np.array([1.0]))
    assert read_inputs_csv(inputs, 1, scaling=scaling)[0, 0] == 5e4
    inputs.write_text("x1\n2e5\n")
    with pytest.raises(DataFileError, match="200000 is outside the -100000 .. 100000 data units"):
        read_inputs_csv(inputs, 1, scaling=scaling)


@pytest.mark.parametrize("table, message", [
    ("split,x1,y\n", "no train rows"),
    ("split,x1,y\ntrain,0.1,0.2\nvalid,0.2,0.3\ntest,0.3,0.4\n", "line 3 is not a row of 3 cells starting with"),
    ("split,x1,y\ntrain,0.1,0.2\nval,0.2,0.3\n", "no test rows"),
    ("split,x1,y\ntrain,0.1,0.2\nval,0.2,oops\ntest,0.3,0.4\n", "line 3 holds a cell that is not a finite number"),
    ("", "no header of split, inputs and y"),
])
def test_resume_of_a_damaged_run_folder_is_one_sentence(tmp_path, capsys, table, message):
    (tmp_path / "data.json").write_text('{"target": "sine"}\n')
    (tmp_path / "data.csv").write_text(table)
    before = sorted(path.name for path in tmp_path.iterdir())
    refused(capsys, ["fit", "--resume", str(tmp_path)], message)
    assert sorted(path.name for path in tmp_path.iterdir()) == before


def test_write_errors_name_the_file_asked_for_not_the_temporary(tmp_path, monkeypatch, capsys):
    def refuse(prefix, suffix, dir):
        raise PermissionError(13, "Permission denied", str(Path(dir) / f"{prefix}z62dhxo9{suffix}"))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    with pytest.raises(PermissionError) as raised:
        write_text_atomically(tmp_path / "data.json", "{}")
    assert raised.value.filename == str(tmp_path / "data.json")
    err = refused(capsys, ["fit", "--target", "sine", "--out", str(tmp_path / "out")],
                  f"{tmp_path / 'out' / 'data.json'}: permission denied")
    assert ".tmp" not in err


def test_json_text_refuses_non_finite_numbers_naming_where():
    with pytest.raises(NonFiniteValueError, match=r"test_rmse_spice is inf"):
        json_text({"train_rmse": 0.1, "test_rmse_spice": float("inf")})
    with pytest.raises(NonFiniteValueError, match=r"history\.ideal\.val\[1\] is nan"):
        json_text({"history": {"ideal": {"val": [0.5, float("nan")]}}})
    assert json.loads(json_text({"a": [1.5, 2]}, indent=1)) == {"a": [1.5, 2]}


@pytest.mark.parametrize("command", ["fit", "compare", "export", "simulate", "neuron", "transient"])
def test_help_states_each_default_once(command, capsys):
    from circuitnet.interface.parser import build_parser

    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "(default: None)" not in text and "(default: False)" not in text
    subcommands = next(action for action in build_parser()._actions if action.dest == "command").choices
    parser = subcommands[command]
    formatter = parser.formatter_class(command)
    for action in parser._actions:
        shown = formatter._get_help_string(action) or ""
        assert shown.count("(default:") <= 1, shown  # a help saying its default in words gets no second one


def test_scikit_learn_floor_has_every_api_the_package_uses():
    """estimator.py uses validate_data and __sklearn_tags__, both new in scikit-learn 1.6: the
    floor pyproject.toml states must be at least that, and the installed version meets it."""
    import re

    import sklearn
    from sklearn.utils.validation import validate_data  # noqa: F401  (the import the package makes)

    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    floor = tuple(int(part) for part in re.search(r'"scikit-learn>=([\d.]+)"', text).group(1).split("."))
    installed = tuple(int(part) for part in re.match(r"(\d+)\.(\d+)", sklearn.__version__).groups())
    assert floor >= (1, 6)
    assert installed >= floor[:2]


@pytest.mark.ngspice
def test_rerun_removes_stale_results_and_resume_leaves_a_finished_run_alone(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "violations.json").write_text("[]\n")  # from an earlier run into the same --out
    (out / "checkpoint.json").write_text('{"stage": "pretrain"}')
    (out / "notes.txt").write_text("mine")
    status = main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "3", "--points", "10", "--hidden", "2",
                   "--out", str(out)])
    assert status == 0, capsys.readouterr().err
    capsys.readouterr()
    assert not (out / "violations.json").exists() and (out / "model.json").exists()
    assert (out / "notes.txt").read_text() == "mine"  # only our own files are removed
    assert json.loads((out / "checkpoint.json").read_text())["config"]["hidden"] == [2]  # this run's, not the old
    report = (out / "report.json").read_bytes()
    refused(capsys, ["fit", "--resume", str(out), "--hidden", "32"], "--hidden can't change a resumed run")
    assert main(["fit", "--resume", str(out), "--json"]) == 0  # nothing to resume: said, and nothing rewritten
    printed = capsys.readouterr()
    assert "holds a finished run; nothing to resume" in printed.err
    assert json.loads(printed.out) == json.loads(report)
    assert (out / "report.json").read_bytes() == report  # its seconds are not rewritten


def test_fit_refuses_labels_without_images(tmp_path, capsys):
    """--labels is the label file of --images; with --target it would be ignored without a word."""
    refused(capsys, ["fit", "--target", "sine", "--labels", "x", "--out", str(tmp_path / "out")],
            "--labels goes with --images FILE")
    assert not (tmp_path / "out").exists()



@pytest.mark.parametrize("flag, value", [("--points", "100"), ("--noise", "0.3")])
@pytest.mark.parametrize("source", [["--data", "TABLE"], ["--dataset", "digits"]])
def test_fit_refuses_target_sampling_flags_beside_a_table(tmp_path, capsys, flag, value, source):
    """--points and --noise say how --target's data are drawn; beside --data or --dataset
    they were ignored without a word (a user asking for noise got none)."""
    (tmp_path / "t.csv").write_text(TABLE)
    source = [str(tmp_path / "t.csv") if word == "TABLE" else word for word in source]
    refused(capsys, ["fit", *source, flag, value, "--out", str(tmp_path / "out")],
            f"{flag} sets how --target NAME's data are drawn")
    assert not (tmp_path / "out").exists()


def test_fit_draws_its_default_points_and_takes_typed_ones_for_a_target(tmp_path, capsys):
    assert main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "2", "--hidden", "2",
                 "--out", str(tmp_path / "a")]) == 0
    assert main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "2", "--hidden", "2", "--points", "40",
                 "--noise", "0.1", "--out", str(tmp_path / "b")]) == 0
    capsys.readouterr()
    first = json.loads((tmp_path / "a" / "data.json").read_text())
    second = json.loads((tmp_path / "b" / "data.json").read_text())
    assert (first["points"], first["noise"]) == (500, 0.0)
    assert (second["points"], second["noise"]) == (40, 0.1)


IRIS_LIKE = "sepal_length,sepal_width,species\n" + "5.1,3.5,setosa\n7.0,3.2,versicolor\n6.3,3.3,virginica\n" * 3


@pytest.mark.parametrize("task", ["classify", "regress"])
def test_a_text_column_that_became_an_input_by_default_says_so(tmp_path, capsys, task):
    data = tmp_path / "iris.csv"
    data.write_text(IRIS_LIKE)
    refused(capsys, ["fit", "--data", str(data), "--task", task, "--y-column", "sepal_length", "--out",
                     str(tmp_path / "out")],
            "line 2, species: 'setosa' is not a number; species is used as an input (every column but the target "
            "sepal_length, by default) and inputs must be numbers: give --x-columns, or --y-column species")
    assert not (tmp_path / "out").exists()


def test_a_text_column_named_as_an_input_keeps_the_plain_message(tmp_path, capsys):
    data = tmp_path / "iris.csv"
    data.write_text(IRIS_LIKE)
    refused(capsys, ["fit", "--data", str(data), "--task", "classify", "--y-column", "sepal_length",
                     "--x-columns", "sepal_width,species", "--out", str(tmp_path / "out")],
            "line 2, species: 'setosa' is not a finite number")


@pytest.mark.parametrize("table, flags, message", [
    ("a,b,label\n" + "5.1,3.5,p\n7.9,3.2,q\n6.3,3.3,p\n5.0,3.0,q\n" * 3,
     ["--task", "classify", "--volts-per-unit", "100"],
     "--scale none: a reaches 7.9 data units, which is 790 V at --volts-per-unit 100, beyond the op-amps' +-15 V "
     "rails; use --scale auto"),
    ("alcohol,proline,cultivar\n" + "13.2,1680,1\n12.4,520,2\n13.1,830,3\n12.9,1035,1\n" * 3, ["--task", "classify"],
     "--scale none: proline reaches 1680 data units, which is 1680 V at --volts-per-unit 1, beyond the op-amps' "
     "+-15 V rails and the circuit's +-1000 unit input limit; use --scale auto"),
    ("x,y\n" + "0.1,40\n0.5,-3\n0.9,2\n" * 3, [], "--scale none: y reaches 40 data units"),
])
def test_fit_with_scale_none_refuses_data_beyond_the_circuit_before_training(tmp_path, capsys, table, flags, message):
    """Data the unscaled circuit can't take is refused before training, and nothing is written
    (it used to fail after training, leaving a checkpoint behind)."""
    data = tmp_path / "data.csv"
    data.write_text(table)
    refused(capsys, ["fit", "--data", str(data), *flags, "--scale", "none", "--out", str(tmp_path / "out")], message)
    assert not (tmp_path / "out").exists()


@pytest.mark.ngspice
def test_a_board_fits_line_says_ngspice_measured_the_board_and_the_surrogate_the_nominal_circuit(tmp_path, capsys):
    """With --board-*, ngspice measures the board and the surrogate the nominal circuit at
    27 C; the line printed both as plain '(ngspice)' and '(surrogate)', two different numbers
    with nothing to say why (fit --board-tolerance 0.05 --board-temp 60: 0.0689 and 0.0886)."""
    assert main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "3", "--points", "10", "--hidden", "2",
                 "--board-tolerance", "0.05", "--board-temp", "60", "--out", str(tmp_path / "b")]) == 0
    line = capsys.readouterr().out.splitlines()[0]
    report = json.loads((tmp_path / "b" / "report.json").read_text())
    assert (f"{report['test_rmse_spice']:.4g} (ngspice on the board: resistors within +-5 % (seed 1), 60 C), "
            f"{report['test_rmse_surrogate']:.4g} (surrogate, the nominal circuit at 27 C)") in line
    assert main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "3", "--points", "10", "--hidden", "2",
                 "--out", str(tmp_path / "n")]) == 0
    assert "(ngspice), " in capsys.readouterr().out  # no board: the figures are of one circuit
