"""compare, transient and neuron on a circuit that leaves its parts' safe operating area: the figures
are no built circuit's, so the command says so on stderr and exits 1, as simulate does.
Before, compare printed a WARNING among its figures and exited 0, and transient ran no check
at all: it reported settling times and energies of op-amps 5.6 V past a TL072's rail, exit 0.

The case: the golden eight_diode circuit with TL072s, stepped over -12..12 data units, where
one hidden summer's output reaches 19.06 V against the TL072's 13.5 V swing on +-15 V; over
-1..1 every part stays inside (the circuit's training range)."""

import json

import pytest
from test_export import NETLISTS

from circuitnet.interface.cli import main

MODEL = str(NETLISTS / "eight_diode.json")
BEYOND = "-12:12:5"   # x = -12 drives El1n6_a to 19.06 V in ngspice
INSIDE = "-1:1:3"


@pytest.mark.ngspice
def test_compare_exits_1_and_says_so_when_a_part_leaves_its_safe_operating_area(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", MODEL, "--x", BEYOND, "--temps", "27", "--opamp", "TL072", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "part(s) leave their safe operating area, so no built circuit gives these figures" in err
    assert "El1n6_a output above its positive rail" in err and "(limit 13.5)" in err and "Traceback" not in err
    stored = json.loads((out / "compare.json").read_text())  # the report is kept: it names every part
    assert stored["violations"] and stored["violations"][0]["element"] == "El1n6_a"


@pytest.mark.ngspice
def test_compare_inside_every_limit_still_exits_0(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", MODEL, "--x", INSIDE, "--temps", "27", "--opamp", "TL072", "--out", str(out)]) == 0
    assert "safe operating area" not in capsys.readouterr().err
    assert json.loads((out / "compare.json").read_text())["violations"] == []


@pytest.mark.ngspice
def test_transient_refuses_steps_beyond_a_rail_exits_1_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "tr"
    assert main(["transient", MODEL, "--x", BEYOND, "--opamp", "TL072", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "leave their safe operating area, so no built circuit settles to it" in err
    assert "El1n6_a: output above its positive rail 19.06 V" in err and "nothing written" in err
    assert not out.exists()


@pytest.mark.ngspice
def test_transient_inside_every_limit_still_runs(tmp_path, capsys):
    out = tmp_path / "tr"
    assert main(["transient", MODEL, "--x", INSIDE, "--opamp", "TL072", "--out", str(out)]) == 0
    assert (out / "transient.json").exists() and "safe operating area" not in capsys.readouterr().err


@pytest.mark.ngspice
def test_neuron_gives_no_deviation_from_beyond_a_rail_and_writes_no_plot(tmp_path, capsys):
    """relu(50 x) over -1..1 drives the diode neuron's summer to 50.47 V, past the generic
    op-amp's 15 V rail; neuron printed 'max deviation 262.1 mV' for it, exit 0."""
    plot = tmp_path / "elbow.png"
    assert main(["neuron", "--topology", "diode", "--w", "50", "--b", "0", "--x", "-1:1:11", "--plot", str(plot)]) == 1
    err = capsys.readouterr().err
    assert "so no built elbow gives its deviation" in err and "El1n1_a: output above its positive rail 50.47 V" in err
    assert not plot.exists()
    assert main(["neuron", "--topology", "diode", "--w", "1", "--b", "-0.2", "--x", "-1:1:11"]) == 0
    assert "max deviation" in capsys.readouterr().out


@pytest.mark.ngspice
def test_compare_checks_the_parts_limits_on_its_data_too(tmp_path, capsys):
    """The sweep stays inside every limit, the data (x = -12, 0, 12) do not: compare gave the
    data's RMSE with 'every part stays in its safe operating area', having checked the sweep only."""
    data = tmp_path / "far.csv"
    data.write_text("x1,y1\n-12,0\n0,0\n12,0\n")
    out = tmp_path / "cmp"
    assert main(["compare", MODEL, "--x", INSIDE, "--data", str(data), "--temps", "27", "--opamp", "TL072",
                 "--out", str(out)]) == 1
    assert "El1n6_a output above its positive rail 19.06 V" in capsys.readouterr().err
    found = json.loads((out / "compare.json").read_text())["violations"]
    assert found and found[0]["element"] == "El1n6_a" and found[0]["value"] == pytest.approx(19.06, abs=0.01)


@pytest.mark.ngspice
def test_fits_refusal_of_a_circuit_beyond_a_rail_is_one_line_without_a_stray_full_stop(tmp_path, capsys):
    """An LM358 on +-3 V swings to 1 V only; with 8 hidden neurons a diode summer ends past it
    (with 4, since the ideal stage leaves room for the diode's lift, the fit now stays inside).
    The message ended '... (or --e-series-pairs).; every part outside its limits is in ...'."""
    out = tmp_path / "run"
    assert main(["fit", "--target", "sine", "--hidden", "8", "--opamp", "LM358", "--supply", "3", "--out",
                 str(out)]) == 1
    err = capsys.readouterr().err
    assert "output above its positive rail" in err and "violations.json" in err
    assert ".;" not in err and err.count("\n") == 1
    assert (out / "violations.json").exists() and not (out / "model.json").exists()
