"""Transient runs: the op-amp macro-model against the single-pole formula, the slew rate, the
DC operating point and the static power; bandwidth; exported netlists in stock ngspice."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import circuitnet as cn
from circuitnet.model.dynamics import OpAmpDynamics
from circuitnet.model.elements import lines
from circuitnet.topologies import circuit_elements, get_topology

pytestmark = pytest.mark.ngspice
NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def one_summer(weight: float = -2.0) -> cn.Circuit:
    """y = weight * x with no hidden layer: one inverting summer (a negative weight needs no
    inverter), so one op-amp."""
    circuit = cn.realise(cn.ReLUNet.from_arrays([([[weight]], [0.0])]), "diode")
    assert sum(element.part == "opamp" for element in circuit_elements(circuit)) == 1
    return circuit


def noise_gain(circuit: cn.Circuit) -> float:
    """1 + R_f / R_in for the output summer, from its resistors (every input resistor in parallel)."""
    stage = circuit.stages[-1]
    g_in = np.sum(1.0 / stage.r_plain[np.isfinite(stage.r_plain)]) + np.sum(
        1.0 / stage.r_inverted[np.isfinite(stage.r_inverted)])
    return 1.0 + float(stage.r_feedback[0]) * g_in


def test_one_summer_settles_as_the_single_pole_formula_predicts(spice):
    circuit = one_summer()
    part = cn.opamp_dynamics("TL072")
    eps = 1e-3
    # a 0.1 V step: the input stage's differential voltage stays far below I_max / gm (0.69 V), no slew
    result = cn.transient(circuit, np.array([[0.1]]), part, step_time=5e-6, rise_time=1e-9, settle=eps, spice=spice)
    predicted = math.log(1.0 / eps) / (2.0 * math.pi * part.gbw_hz / noise_gain(circuit))
    measured = result.steps[0].settling_time_s
    assert measured == pytest.approx(predicted, rel=0.10)
    assert result.steps[0].last_to_settle == "y"


def test_a_large_step_is_slew_limited_at_the_slew_rate(spice):
    circuit = one_summer()
    part = cn.opamp_dynamics("LM358")
    result = cn.transient(circuit, np.array([[2.0]]), part, step_time=40e-6, rise_time=1e-9, spice=spice)
    slope = np.abs(np.diff(result.outputs_volts[:, 0]) / np.diff(result.time))
    assert np.max(slope) == pytest.approx(part.slew_v_per_us * 1e6, rel=0.05)
    assert result.steps[0].settling_time_s > 4.0 / (part.slew_v_per_us * 1e6)  # 4 V at the slew rate


def test_bandwidth_of_one_summer_is_gbw_over_the_noise_gain(spice):
    circuit = one_summer()
    part = cn.opamp_dynamics("NE5532")
    found = cn.bandwidth(circuit, [0.1], part, spice=spice)
    assert found.f3db_hz["y"] == pytest.approx(part.gbw_hz / noise_gain(circuit), rel=0.05)
    assert found.gain["y"][0] == pytest.approx(2.0, rel=1e-3)  # |dy/dx| at low frequency: the weight


@pytest.mark.parametrize("name", ["eight_diode", "elbow_precision", "elbow_passive"])
def test_the_macro_model_gives_the_finite_gain_models_dc_answer(spice, name):
    circuit = cn.load_model(NETLISTS / f"{name}.json")
    sweep = cn.Sweep(-1.0, 1.0, 21)
    expected = spice.sweep(circuit, sweep).y_volts[:, 0]
    entries = get_topology(circuit.topology).netlist(circuit, np.zeros(circuit.n_inputs))
    for part in (cn.opamp_dynamics("LM358"), cn.opamp_dynamics("TL072", rails=(-15.0, 15.0))):
        netlist = "\n".join(["* macro-model at DC", *lines(part.macro_netlist(entries)), ".save y",
                             ".dc Vx1 -1 1 0.1", ".end"]) + "\n"
        np.testing.assert_allclose(spice.pool.run(netlist)["y"], expected, atol=1e-9, rtol=0)


def test_settled_values_equal_the_dc_operating_point_and_energy_the_static_power(spice):
    circuit = cn.load_model(NETLISTS / "eight_diode.json")
    x = np.array([[-0.7], [0.2], [0.9]])
    step = 1e-3  # long against settling (microseconds): the step's energy is its static power's
    result = cn.transient(circuit, x, "TL072", step_time=step, spice=spice)
    _, _, static = spice.simulate_checked(circuit, x)
    dc = spice.simulate(circuit, x)
    for i, found in enumerate(result.steps):
        assert abs(found.y_volts_final[0] - dc.y_volts[i, 0]) < 10e-6
        end = (i + 1) * step
        for name, values in result.nodes.items():
            assert abs(np.interp(end, result.time, values) - dc.nodes[name][i]) < 10e-6, name
        assert found.energy_j == pytest.approx(static[i] * step, rel=0.01)
        assert found.settling_time_s < 20e-6
    summary = result.summary
    assert summary.inferences_per_second == pytest.approx(1.0 / max(s.settling_time_s for s in result.steps))
    assert summary.energy_per_inference_j.worst == max(s.inference_energy_j for s in result.steps)


def test_a_step_too_short_to_settle_is_reported_not_measured(spice):
    circuit = one_summer()
    result = cn.transient(circuit, np.array([[1.0]]), OpAmpDynamics("slow", 1e4, 0.01, "test"), step_time=2e-6,
                          rise_time=1e-9, spice=spice)
    assert result.steps[0].settling_time_s is None
    assert result.summary.inferences_per_second is None and result.summary.unsettled_steps == [0]


@pytest.mark.slow
def test_cli_transient_and_its_exported_netlist_in_stock_ngspice(tmp_path):
    from circuitnet.backends.spice.batch import run_batch

    def run(*args):
        return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=300)
    model = str(NETLISTS / "eight_diode.json")
    done = run("transient", model, "--x", "-1:1:5", "--opamp", "lm358", "--step-time", "40e-6", "--ac",
               "--out", str(tmp_path / "t"), "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document == json.loads((tmp_path / "t" / "transient.json").read_text())
    assert len(document["steps"]) == 5 and document["opamp"]["name"] == "LM358"
    assert set(document["steps"][0]) >= {"x", "y_volts_final", "settling_time_s", "energy_j", "last_to_settle"}
    assert document["summary"]["inferences_per_second"] > 0 and document["bandwidth"]["f3db_hz"]["y"] > 0
    for name in ("waveforms.png", "energy.png", "bandwidth.png"):
        assert (tmp_path / "t" / name).stat().st_size > 0
    done = run("export", model, "-o", str(tmp_path / "tran.cir"), "--tran", "--x", "-1:1:5", "--opamp", "LM358",
               "--step-time", "40e-6")
    assert done.returncode == 0, done.stderr
    columns = run_batch((tmp_path / "tran.cir").read_text(), "tran.dat")
    # stock ngspice -b and the in-process run agree at the end of every step
    for i, step in enumerate(document["steps"]):
        end = (i + 1) * 40e-6
        assert np.interp(end, columns["time"], columns["v(y)"]) == pytest.approx(step["y_volts_final"][0], abs=1e-5)
    done = run("transient", model, "--x", "-1:1:5", "--rise-time", "1e-3", "--step-time", "1e-4", "--out",
               str(tmp_path / "bad"))
    assert done.returncode == 2 and "--rise-time" in done.stderr
    done = run("transient", model, "--x", "-1:1:5", "--opamp", "uA741", "--out", str(tmp_path / "bad"))
    assert done.returncode == 2 and "uA741" in done.stderr


@pytest.mark.slow
def test_compare_with_an_opamp_adds_a_transient_section(tmp_path):
    from circuitnet.interface.cli import main
    out = tmp_path / "cmp"
    assert main(["compare", str(NETLISTS / "eight_diode.json"), "--temps", "27", "--x", "-1:1:11", "--opamp", "NE5532", "--transient",
                 "--step-time", "20e-6", "--out", str(out)]) == 0
    numbers = json.loads((out / "compare.json").read_text())
    assert len(numbers["transient"]["steps"]) == 11 and numbers["transient"]["opamp"]["name"] == "NE5532"
    html = (out / "report.html").read_text()
    assert "<h2>Transient: op-amps NE5532</h2>" in html and 'alt="transient"' in html and 'alt="transient_energy"' in html
    assert main(["compare", "--netlist", str(tmp_path / "x.cir"), "--input", "V1", "--output", "o", "--opamp", "LM358",
                 "--out", str(tmp_path / "n")]) == 2
