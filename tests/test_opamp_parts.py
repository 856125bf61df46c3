"""Real op-amps by part number: --opamp on the commands, the model file's part, and every report
naming the op-amp model it used."""

import csv
import io
import json
from pathlib import Path

import pytest

from circuitnet import ModelFileError, ReLUNet, load_model, realise, save_model
from circuitnet.errors import InvalidDeviceError
from circuitnet.interface.cli import main
from circuitnet.interface.opamp_choice import circuit_with_opamp, transient_dynamics
from circuitnet.model.opamp_parts import OPAMP_PARTS, opamp_model, supply_rails
from circuitnet.topologies import netlist_lines

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
NET = ReLUNet.from_arrays([([[1.0], [-0.5]], [0.0, 0.2]), ([[1.0, 0.7]], [0.1])])


@pytest.mark.parametrize("name", list(OPAMP_PARTS))
def test_a_parts_model_has_its_swing_inside_its_supply(name):
    part = OPAMP_PARTS[name]
    opamp = opamp_model(name, 12.0)
    assert opamp.part == name and opamp.kind == "finite_gain"
    assert (opamp.v_neg, opamp.v_pos) == pytest.approx((-12.0 + part.swing_to_neg_v, 12.0 - part.swing_to_pos_v))
    assert supply_rails(opamp) == pytest.approx((-12.0, 12.0))


def test_a_supply_outside_the_parts_range_is_refused():
    with pytest.raises(InvalidDeviceError, match=r"LM358: supply -18 V \.\. 18 V \(36 V in all\) is outside"):
        opamp_model("LM358", 18.0)


def test_the_part_round_trips_through_the_model_file(tmp_path):
    circuit = realise(NET, "diode", opamp=opamp_model("OPA4277", 12.0))
    save_model(circuit, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["devices"]["opamp"]["part"] == "OPA4277"
    loaded = load_model(tmp_path / "m.json")
    assert loaded.opamp == circuit.opamp and netlist_lines(loaded) == netlist_lines(circuit)
    document["devices"]["opamp"]["part"] = "uA741"
    (tmp_path / "bad.json").write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=r'devices\.opamp\.part = "uA741"; allowed: LM358, TL072'):
        load_model(tmp_path / "bad.json")


def test_a_model_file_without_a_part_loads_as_the_generic_opamp():
    circuit = load_model(NETLISTS / "eight_diode.json")
    assert circuit.opamp.part is None
    assert "part" not in json.loads((NETLISTS / "eight_diode.json").read_text())["devices"]["opamp"]


def test_opamp_flags_choose_the_part_and_its_supply_and_its_dynamics():
    circuit = load_model(NETLISTS / "eight_diode.json")
    chosen = circuit_with_opamp(circuit, "NE5532", None)
    assert chosen.opamp == opamp_model("NE5532")
    assert supply_rails(circuit_with_opamp(chosen, None, 12.0).opamp) == pytest.approx((-12.0, 12.0))
    assert circuit_with_opamp(circuit, None, None) is circuit
    dynamics = transient_dynamics(chosen)
    assert dynamics.name == "NE5532" and dynamics.rails is None
    assert transient_dynamics(chosen, 12.0).rails == (-12.0, 12.0)
    assert transient_dynamics(circuit).name == "TL072" and transient_dynamics(circuit).rails is None


@pytest.mark.ngspice
def test_fit_with_an_opamp_records_it_and_every_report_names_it(tmp_path, capsys):
    out = tmp_path / "fit"
    assert main(["fit", "--target", "sine", "--hidden", "4", "--mode", "ideal", "--epochs", "50", "--points", "40",
                 "--opamp", "tl074", "--supply", "12", "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["opamps"]["part"] == "TL074" and report["opamps"]["model"].startswith("TL074 (4 per SOIC-14)")
    count = report["opamps"]["count"]
    # 9 op-amps and the reference's 2 in 3 quad packages: 12 amplifiers draw supply, one of them spare
    assert count == 9 and report["opamps"]["packages"] == 3
    assert report["opamps"]["amplifiers"] == {"in_circuit": 9, "reference": 2, "rail_inverters": 0,
                                              "bias_followers": 0, "input_stages": 0, "readouts": 0, "spare": 1,
                                              "used": 11, "total": 12, "counted_only": 3, "packages": 3}
    assert report["opamps"]["supply_power_w"] == pytest.approx(12 * 1.4e-3 * 24.0)
    assert json.loads((out / "model.json").read_text())["devices"]["opamp"]["part"] == "TL074"
    rows = csv.DictReader(io.StringIO((out / "bom.csv").read_text()))
    bom = {row["kind"] + ":" + row["reference"]: row for row in rows}
    assert bom["op-amp package:"]["count"] == "3" and "TL074 SOIC-14" in bom["op-amp package:"]["value"]
    assert bom["op-amp:the +-V_ref reference"]["count"] == "2"
    assert "Vvcc vcc 0 DC 12" in (out / "circuit.cir").read_text()
    assert (out / "circuit.cir").read_text().count(" vcc vee DC ") == 12
    assert main(["simulate", str(out / "model.json"), "--x", "-1:1:5", "--json"]) == 0
    simulated = json.loads(capsys.readouterr().out)
    assert simulated["opamps"]["part"] == "TL074" and "-12/12 V" in simulated["opamps"]["model"]


@pytest.mark.ngspice
def test_compare_names_the_opamp_model_and_its_supply_power(tmp_path, capsys):
    model = str(NETLISTS / "eight_diode.json")
    assert main(["compare", model, "--temps", "27", "--x", "-1:1:11", "--out", str(tmp_path / "g")]) == 0
    generic = json.loads((tmp_path / "g" / "compare.json").read_text())
    assert generic["opamps"]["part"] is None and generic["power"]["opamp_supply"] is None
    page = (tmp_path / "g" / "report.html").read_text()
    assert "op-amp supply not included (generic op-amp; give --opamp PART)" in page
    assert main(["compare", model, "--temps", "27", "--x", "-1:1:11", "--opamp", "TL072", "--out",
                 str(tmp_path / "p")]) == 0
    numbers = json.loads((tmp_path / "p" / "compare.json").read_text())
    page = (tmp_path / "p" / "report.html").read_text()
    assert "op-amps: TL072 (2 per SOIC-8)" in page
    assert "op-amp supply (quiescent, and the LM4040 reference feed)" in page
    supply = numbers["power"]["opamp_supply"]["mean_w"]
    # ngspice's supply currents count the board's amplifiers: 15 op-amps, the reference's 2 and 1 spare unit
    assert numbers["opamps"]["count"] == 15 and numbers["opamps"]["amplifiers"]["total"] == 18
    feed = 15.0 * (15.0 - 2.048) / 13e3  # the LM4040-2.048's feed from +15 V through 13k (v_ref 1 V)
    assert supply == pytest.approx(18 * 1.4e-3 * 30.0 + feed, rel=1e-6)
    assert supply == pytest.approx(numbers["opamps"]["supply_power_w"] + feed, rel=1e-6)
    assert numbers["power"]["delivered_total"]["mean_w"] > supply > 10 * generic["power"]["delivered_total"]["mean_w"]
    assert numbers["power"]["balance_max_w"] < 1e-9 * supply
    assert "op-amp supply" in capsys.readouterr().out


def test_supply_without_a_part_is_a_usage_error(capsys):
    assert main(["simulate", str(NETLISTS / "eight_diode.json"), "--x", "-1:1:5", "--supply", "12"]) == 2
    assert "--supply sets a real op-amp's supply" in capsys.readouterr().err


def test_fit_refuses_supply_without_a_part_before_it_trains(tmp_path, capsys):
    """fit's --supply is the part's supply (as on simulate, export and compare): without
    --opamp it would be ignored after a whole fit, so it is refused first."""
    out = tmp_path / "fit"
    assert main(["fit", "--target", "abs", "--points", "20", "--supply", "12", "--out", str(out)]) == 2
    assert "--supply sets a real op-amp's supply" in capsys.readouterr().err
    assert not out.exists()


def test_the_estimator_refuses_a_supply_without_a_part():
    """CircuitRegressor(supply_v=12) without opamp trained the generic op-amp and ignored it."""
    import numpy as np

    from circuitnet import CircuitRegressor
    from circuitnet.errors import CircuitnetError
    x = np.linspace(-1.0, 1.0, 20)[:, None]
    with pytest.raises(CircuitnetError, match="supply_v = 12 is a real op-amp's supply"):
        CircuitRegressor(hidden=2, mode="ideal", epochs=5, supply_v=12.0).fit(x, np.abs(x[:, 0]))


@pytest.mark.ngspice
def test_the_estimators_and_realise_take_a_part_by_name():
    import numpy as np

    from circuitnet import CircuitRegressor
    assert realise(NET, "precision", opamp="OPA134").opamp == opamp_model("OPA134")
    x = np.linspace(-1.0, 1.0, 60)[:, None]
    fitted = CircuitRegressor(hidden=3, mode="ideal", epochs=30, opamp="LM358", supply_v=12.0).fit(x, np.abs(x[:, 0]))
    assert fitted.circuit_.opamp == opamp_model("LM358", 12.0) and fitted.report_["opamps"]["part"] == "LM358"


def test_a_supply_outside_the_parts_range_names_the_symmetric_supplies_that_fit():
    """`--supply 4` with a TL072 (10 to 36 V in all) said 'choose rails within it', leaving the
    user to halve the part's range into the +-V that --supply and supply_v= take."""
    with pytest.raises(InvalidDeviceError, match=r"outside the part's 10 to 36 V; give a symmetric supply "
                                                 r"from \+-5 V to \+-18 V"):
        opamp_model("TL072", 4.0)
    with pytest.raises(InvalidDeviceError, match=r"from \+-1\.5 V to \+-16 V"):
        opamp_model("LM358", 17.0)
