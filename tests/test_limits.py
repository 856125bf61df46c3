"""The safe operating area: op-amp rails, diode breakdown and resistor ratings, checked in
every simulation path that reports a result, and refused where no number may be reported."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from circuitnet import TOPOLOGIES, ReLUNet, SimulationError, load_model, realise, simulate
from circuitnet.model.elements import Element, resistor
from circuitnet.model.limits import OperatingLimits, violations

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def test_each_kind_of_violation_is_named_at_its_worst_input():
    circuit = realise(ReLUNet.from_arrays([([[1.0]], [0.0]), ([[1.0]], [0.0])]), "diode", diode="BAT54")
    parts = [circuit.opamp.element("u1", "o", "0", "n"), Element("D1", ("a", "k"), "dmod", "diode"),
             resistor("r1", "o", "0", 100.0)]
    x = np.array([[0.0], [1.0], [2.0]])
    volts = {"o": np.array([1.0, -16.5, 20.0]), "n": np.zeros(3), "a": np.array([0.0, -30.0, -10.0]),
             "k": np.zeros(3)}
    found = violations(circuit, parts, volts, x, OperatingLimits(resistor_rating_w=0.25))
    assert [(v.element, v.quantity, v.value, v.limit, v.x) for v in found] == [
        ("Rr1", "dissipation", 4.0, 0.25, (2.0,)),  # 20 V over 100 ohm: 16x its rating, the worst
        ("Eu1", "output above its positive rail", 20.0, 15.0, (2.0,)),  # 1.33x
        ("Eu1", "output below its negative rail", -16.5, -15.0, (1.0,)),  # 1.10x
        ("D1", "reverse voltage", 30.0, 0.8 * 36.0, (1.0,)),  # 1.04x
    ]
    assert found[0].message() == "Rr1: dissipation 4 W is beyond its limit 0.25 W, at input x = (2)"
    volts["o"] = np.array([1.0, -4.0, 4.0])  # 0.16 W in 100 ohm
    volts["a"] = np.array([0.0, -28.0, -1.0])
    assert violations(circuit, parts, volts, x) == []


@pytest.mark.ngspice
def test_rail_violations_are_the_simulated_node_voltages(spice):
    """Each op-amp's worst output equals that node as ngspice's ordinary simulation reports it."""
    circuit = load_model(NETLISTS / "eight_diode.json")
    x = np.linspace(-30, 30, 61)[:, None]
    found = spice.violations(circuit, x)
    nodes = spice.simulate(circuit, x).nodes
    summers = [v for v in found if v.element.endswith("_a")]
    assert summers
    for v in summers:
        node = nodes[v.element[1:].lower()]
        assert v.value == pytest.approx(node.max() if "above" in v.quantity else node.min(), abs=1e-9)
    assert spice.violations(circuit, np.linspace(-1, 1, 61)[:, None]) == []


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_the_surrogate_refuses_breakdown_that_ngspice_reaches(spice, topology):
    circuit = realise(ReLUNet.from_arrays([([[1.0]], [0.0]), ([[1.0]], [0.0])]), topology, diode="BAT54")
    # a resistive network's hidden node is a weighted average of its rails: it takes larger
    # inputs to reverse-bias its diode past BV than a summer's gain does
    reach = 200.0 if TOPOLOGIES[topology].energy_based else 40.0
    small, large = np.linspace(-1, 1, 9)[:, None], np.linspace(-reach, reach, 9)[:, None]
    assert spice.violations(circuit, small) == [] and len(simulate(circuit, small, "surrogate").y) == 9
    assert any(v.quantity == "reverse voltage" for v in spice.violations(circuit, large))
    with pytest.raises(SimulationError, match="reverse biased by .* past 28.8 V .* does not model breakdown"):
        simulate(circuit, large, "surrogate")


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.ngspice
def test_simulate_warns_and_lists_violations(tmp_path):
    model = str(NETLISTS / "eight_diode.json")
    done = run_cli("simulate", model, "--x=-30:30:21", "--json")
    assert done.returncode == 1, done.stderr  # outputs beyond the limits are a defect, not numbers to report
    listed = json.loads(done.stdout)["violations"]
    assert listed and listed[0]["unit"] in ("V", "W")
    assert done.stderr.startswith("circuitnet simulate: warning: ") and done.stderr.count("\n") == 2
    assert "their outputs are not given as numbers (exit status 1)" in done.stderr
    calm = run_cli("simulate", model, "--x=-1:1:21", "--json")
    assert calm.returncode == 0 and json.loads(calm.stdout)["violations"] == [] and calm.stderr == ""


@pytest.mark.ngspice
def test_fit_reports_no_figures_for_a_circuit_that_cannot_be_built(tmp_path):
    """Data far from +-1, with scaling turned off, drives the op-amps past their rails: fit
    fails, names the parts, and writes no model and no report. (The data stay within the
    rails, 15 V, which fit checks before training; the trained output overshoots them.)"""
    rows = np.linspace(0, 14, 60)
    data = tmp_path / "far.csv"
    data.write_text("x,y\n" + "".join(f"{x},{abs(x - 7) + 8}\n" for x in rows))
    out = tmp_path / "run"
    done = run_cli("fit", "--data", str(data), "--scale", "none", "--mode", "ideal", "--hidden", "4", "--epochs",
                   "200", "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "leaves its parts' safe operating area" in done.stderr and "Scale the data to about +-1" in done.stderr
    listed = json.loads((out / "violations.json").read_text())
    assert listed and all(v["value"] > v["limit"] or v["value"] < v["limit"] < 0 for v in listed)
    assert not (out / "model.json").exists() and not (out / "report.json").exists()
