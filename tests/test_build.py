"""``circuitnet build``: the folder it writes (schematic, bom.csv, wiring.csv, BUILD.md), its
figures checked against the netlist and against physics, and its refusals of bad input."""

import csv
import subprocess
import sys

import numpy as np
import pytest

from circuitnet.build.bom import power_rating
from circuitnet.build.reference import reference_design
from circuitnet.build.values import engineering
from circuitnet.build.wiring import pin_name
from circuitnet.build.worst_case import corner_inputs, worst_case
from circuitnet.errors import BuildError
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.model.data_record import DataRecord
from circuitnet.model.input_stage import input_stages
from circuitnet.model.opamp_parts import opamp_part
from circuitnet.model.scaling import DataScaling
from circuitnet.topologies import circuit_elements

EIGHT = "netlists/eight_diode.json"


@pytest.fixture(scope="module")
def eight_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("build") / "eight"
    assert main(["build", EIGHT, "--out", str(out), "--opamp", "tl072"]) == 0
    return out


def rows(path):
    with open(path, newline="") as stream:
        return list(csv.DictReader(stream))


@pytest.mark.ngspice
def test_build_writes_the_folder(eight_build):
    names = {path.name for path in eight_build.iterdir()}
    assert {"schematic.svg", "schematic.png", "bom.csv", "wiring.csv", "resistors.csv", "BUILD.md"} <= names
    assert (eight_build / "schematic.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "<svg" in (eight_build / "schematic.svg").read_text()[:500]
    assert not [name for name in names if name.startswith(".")]  # no temporary file left


@pytest.mark.ngspice
def test_the_bom_counts_every_part_of_the_netlist(eight_build):
    elements = circuit_elements(modelfile.load(EIGHT))
    bom = rows(eight_build / "bom.csv")
    circuit_resistors = [r for r in bom if r["kind"] == "resistor" and not r["notes"].startswith("reference")]
    assert sum(int(r["count"]) for r in circuit_resistors) == sum(e.part == "resistor" for e in elements)
    designators = [d for r in circuit_resistors for d in r["designators"].split()]
    assert len(designators) == len(set(designators))
    (opamps,) = [r for r in bom if r["kind"] == "op-amp IC"]
    units = sum(e.part == "opamp" for e in elements) + 2  # the references' follower and inverter
    assert opamps["value"] == "TL072" and int(opamps["count"]) == -(-units // 2)
    (capacitors,) = [r for r in bom if r["kind"] == "capacitor"]
    assert int(capacitors["count"]) == 2 * int(opamps["count"])


@pytest.mark.ngspice
def test_the_wiring_list_puts_every_pin_on_its_netlist_net(eight_build):
    from circuitnet.build.placement import place
    elements = circuit_elements(modelfile.load(EIGHT))
    placement = place(elements, opamp_part("TL072"))
    wiring = {row["net"]: set(row["pins"].split()) for row in rows(eight_build / "wiring.csv")}
    for part in placement.parts:
        if part.element.part == "source":
            continue
        for pin in part.pins:
            assert pin_name(part.designator, pin.name, opamp_part("TL072")) in wiring[pin.net], (part.designator, pin)
    assert "U1.8" in wiring["+15V"] and "U1.4" in wiring["-15V"]  # a dual's supply pins


@pytest.mark.ngspice
def test_a_series_pair_is_two_parts_in_the_bom_and_the_wiring(tmp_path):
    """A resistor fit --e-series-pairs made of two E24 parts: bom.csv lists both (RnA, RnB,
    each under its own value, with its own share of the dissipation), wiring.csv joins them by
    a net of their own, and every part has a through-hole footprint."""
    from conftest import series_paired

    circuit = series_paired(modelfile.load(EIGHT))
    model = tmp_path / "paired.json"
    modelfile.save(circuit, model)
    assert main(["build", str(model), "--out", str(tmp_path / "b"), "--opamp", "tl072"]) == 0
    bom = rows(tmp_path / "b" / "bom.csv")
    value_of = {d: r["value"] for r in bom if r["kind"] == "resistor" for d in r["designators"].split()}
    halves = sorted(d for d in value_of if d[-1] in "AB")
    assert len(halves) == 2 * sum(circuit.series_pairs.parts(float(e.value)) is not None
                                  for e in circuit_elements(circuit) if e.part == "resistor") > 0
    for element in circuit_elements(circuit):
        parts = element.part == "resistor" and circuit.series_pairs.parts(float(element.value))
        if parts:  # some resistor RnA + RnB has these two values
            made = [(value_of[d], value_of[d[:-1] + "B"]) for d in halves if d.endswith("A")]
            assert (engineering(parts[0]), engineering(parts[1])) in made
    assert all(r["footprint"].count(":") == 1 for r in bom)
    wiring = {row["net"]: row["pins"].split() for row in rows(tmp_path / "b" / "wiring.csv")}
    middles = {net: pins for net, pins in wiring.items() if net.endswith("_mid")}
    assert len(middles) == len(halves) // 2
    assert all(sorted(pin[-3:] for pin in pins) == ["A.2", "B.1"] for pins in middles.values())


def test_an_opamp_unit_pin_is_its_package_pin():
    quad, dual = opamp_part("TL074"), opamp_part("TL072")
    assert [pin_name("U2B", pin, quad) for pin in ("out", "-", "+")] == ["U2.7", "U2.6", "U2.5"]
    assert [pin_name("U1D", pin, quad) for pin in ("out", "-", "+")] == ["U1.14", "U1.13", "U1.12"]
    assert pin_name("U3A", "out", dual) == "U3.1" and pin_name("R4", "2", dual) == "R4.2"


@pytest.mark.ngspice
def test_a_weight_resistors_worst_dissipation_is_its_rail_squared_over_ohms(spice):
    """Into a virtual ground, a resistor from x1 drops x1 volts: at x1 = +-1 V, 1 V^2 / R."""
    circuit = modelfile.load(EIGHT)
    elements = circuit_elements(circuit)
    worst = worst_case(circuit, elements, spice)
    from_x1 = [e for e in elements if e.part == "resistor" and e.nodes[0] == "x1" and e.nodes[1].endswith("_sum")]
    assert from_x1
    for element in from_x1:
        assert worst.dissipation_w[element.name] == pytest.approx(1.0 / element.value, rel=1e-3)


def test_the_worst_case_samples_are_the_training_ranges_corners():
    circuit = modelfile.load(EIGHT)
    record = DataRecord(("a",), ("y",), np.array([-0.5]), np.array([0.75]))
    from dataclasses import replace
    x = corner_inputs(replace(circuit, data_record=record))
    np.testing.assert_allclose(np.sort(x[:, 0]), [-0.5, 0.125, 0.75])


def test_power_ratings_keep_a_margin_of_two():
    assert power_rating(0.05) == 0.125 and power_rating(0.07) == 0.25 and power_rating(0.2) == 0.5


@pytest.mark.parametrize("v_ref", [0.5, 1.0, 2.0, 2.5, 4.0, 10.0])
def test_the_reference_makes_v_ref_within_half_a_percent(v_ref):
    design = reference_design(v_ref, opamp_part("TL074"), used_units=5)
    assert design.made_v == pytest.approx(v_ref, rel=5e-3)
    assert design.units == ("U2B", "U2C")  # the spare units of the last quad


def test_a_reference_above_ten_volts_is_refused():
    with pytest.raises(BuildError, match="v_ref = 12 V is above the 10 V"):
        reference_design(12.0, opamp_part("TL074"), used_units=1)


def test_the_input_stage_applies_the_models_data_scaling():
    """At the ends of the training range, gain * V_in + offset is the circuit's input volts."""
    from dataclasses import replace
    circuit = modelfile.load("netlists/two_input_diode.json")
    low, high = np.array([0.0, -3.0]), np.array([100.0, 3.0])
    record = DataRecord(("speed", "tilt"), ("y",), low, high)
    scaling = DataScaling(np.array([50.0, 0.0]), np.array([50.0, 3.0]), np.array([0.0]), np.array([1.0]))
    circuit = replace(circuit, data_record=record, data_scaling=scaling, volts_per_unit=0.5)
    stages = input_stages(circuit)
    for x in (low, high):
        wanted = 0.5 * scaling.to_circuit(x[None, :])[0]
        signal = [x[0] / 5.0 - 10.0, x[1]]  # speed spans -10..10 V over 0..100; tilt is its own volts
        made = [stage.gain * v + stage.offset for stage, v in zip(stages, signal, strict=True)]
        np.testing.assert_allclose(made, wanted, atol=1e-12)
    assert stages[0].needed and stages[1].needed


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert err and "Traceback" not in "\n".join(err)
    return err[-1]


def test_an_unknown_opamp_part_is_refused_and_nothing_is_written(tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["build", EIGHT, "--out", str(out), "--opamp", "UA741"]) == 2
    assert "unknown op-amp part UA741; choose one of LM358, TL072" in one_line_error(capsys)
    assert not out.exists()


def test_a_missing_model_is_refused(tmp_path, capsys):
    assert main(["build", str(tmp_path / "none.json"), "--out", str(tmp_path / "b")]) == 2
    assert "none.json: can't read the model file" in one_line_error(capsys)
    assert not (tmp_path / "b").exists()


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["build", EIGHT, "--out", str(tmp_path / "file")]) == 2
    assert "exists and is not a folder" in one_line_error(capsys)


@pytest.mark.ngspice
@pytest.mark.slow
def test_the_command_runs_as_a_program(tmp_path):
    done = subprocess.run([sys.executable, "-m", "circuitnet", "build", EIGHT, "--out", str(tmp_path / "b")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "wrote 9 files" in done.stdout and "s (placement" in done.stdout


@pytest.mark.ngspice
def test_build_md_tells_supplies_references_inputs_and_outputs(eight_build):
    text = (eight_build / "BUILD.md").read_text()
    (opamps,) = [r for r in rows(eight_build / "bom.csv") if r["kind"] == "op-amp IC"]
    amplifiers = 2 * int(opamps["count"])  # TL072: two per package, idle ones draw current too
    assert f"{amplifiers * 1.4:.3g} mA typical, {amplifiers * 2.5:.3g} mA at most" in text
    assert "LM4040-2.048" in text and "R_REF2" in text and "+V_ref = 0.99902 V" in text
    assert "Measure `y` against ground" in text
    assert "`x1`: V_in = the data value in volts (1 V per data unit), straight into its node" in text
    assert "simulation sources" in text


@pytest.mark.ngspice
def test_a_resistive_circuit_builds_its_off_network_sources_from_parts(tmp_path):
    """Every topology of the registry builds. The resistive one's -x rail and diode bias are
    ideal sources in its netlist: the board makes them with an inverter and a divider and
    follower (bom.csv, wiring.csv, BUILD.md), and each output is read across its node pair."""
    from circuitnet.build.placement import BUILDABLE_TOPOLOGIES
    from circuitnet.build.resistive_rails import bias_made_v
    from circuitnet.topologies import TOPOLOGIES

    assert set(BUILDABLE_TOPOLOGIES) == set(TOPOLOGIES)
    out = tmp_path / "b"
    assert main(["build", "netlists/eight_resistive.json", "--out", str(out)]) == 0
    bom = rows(out / "bom.csv")
    designators = {d for r in bom for d in r["designators"].split()}
    assert {"R_X1_INV1", "R_X1_INV2", "R_BIAS1", "R_BIAS2", "D_REF1"} <= designators
    (opamps,) = [r for r in bom if r["kind"] == "op-amp IC"]
    # the references' two units, the x1 inverter, the bias follower (U1), y's two followers and difference amplifier
    assert opamps["designators"] == "U1 U2" and {"R_YD1", "R_YD2", "R_YD3", "R_YD4"} <= designators
    wiring = {row["net"]: row for row in rows(out / "wiring.csv")}
    assert "U1.8" in wiring["x1_inv"]["pins"].split() and "driven by U1C" in wiring["x1_inv"]["notes"]
    assert {"U1.13", "U1.14"} <= set(wiring["vdiode"]["pins"].split())  # U1D, a follower
    assert "measure against y_n" in wiring["y_p"]["notes"]
    circuit = modelfile.load("netlists/eight_resistive.json")
    assert bias_made_v(circuit) == pytest.approx(circuit.v_on, rel=5e-3)
    text = (out / "BUILD.md").read_text()
    assert "Measure `y_p` (+) against `y_n` (-) with a floating voltmeter" in text and "is 25 x that" in text
    assert "## The -x rails and the diode bias" in text


@pytest.mark.ngspice
def test_a_model_with_a_real_opamp_builds_and_places_no_supply_model(tmp_path):
    """A model fit with --opamp has the supply sources and each op-amp's quiescent-current
    source in its netlist (for the power figures); they are the ICs' own supply, not parts to
    place, so build places and counts only the circuit's parts."""
    from dataclasses import replace

    from circuitnet.model.opamp_parts import opamp_model
    circuit = replace(modelfile.load(EIGHT), opamp=opamp_model("TL074"))
    model = tmp_path / "eight_tl074.json"
    modelfile.save(circuit, model)
    out = tmp_path / "build"
    assert main(["build", str(model), "--out", str(out)]) == 0
    elements = circuit_elements(circuit)
    assert any(e.part == "supply" for e in elements)  # the netlist does model the supply
    bom = rows(out / "bom.csv")
    (opamps,) = [r for r in bom if r["kind"] == "op-amp IC"]
    units = sum(e.part == "opamp" for e in elements) + 2  # the references' follower and inverter
    assert opamps["value"] == "TL074" and int(opamps["count"]) == -(-units // 4)
    wiring = rows(out / "wiring.csv")
    assert not [r for r in wiring if "_q" in r["pins"] or "Vvcc" in r["pins"]]


@pytest.mark.ngspice
def test_build_runs_ngspice_on_the_commands_backend(spice_pool, monkeypatch, tmp_path):
    """build's worst case goes to the command's SpiceBackend (the one main opens and closes),
    not to a backend of its own: no worker process starts beside the pool it was given."""
    from test_pool_ownership import live_workers

    from circuitnet.backends.spice.backend import SpiceBackend
    from circuitnet.interface import cli
    from tests.conftest import CountingPool
    counting = CountingPool(spice_pool)
    monkeypatch.setattr(cli, "command_spice", lambda: SpiceBackend(counting))
    SpiceBackend(spice_pool).simulate(modelfile.load(EIGHT), np.zeros((2, 1)))  # the pool's worker: running
    before = live_workers()
    assert main(["build", EIGHT, "--out", str(tmp_path / "b")]) == 0
    assert counting.netlists >= 1 and live_workers() <= before


@pytest.mark.ngspice
def test_the_worst_case_given_no_backend_leaves_no_worker_behind():
    from test_pool_ownership import live_workers
    circuit = modelfile.load(EIGHT)
    before = live_workers()
    worst = worst_case(circuit, circuit_elements(circuit))
    assert worst.dissipation_w and live_workers() <= before


@pytest.mark.ngspice
def test_build_md_supply_current_counts_what_the_reference_and_rails_drive(tmp_path):
    """BUILD.md's supply current adds what the amplifiers off the netlist drive into the network
    (+-V_ref, a resistive circuit's -x rail and diode bias), and names the package bom.csv lists.
    It said 'at most 0 mA' for the resistive circuit, whose network only those amplifiers feed,
    and 'SOIC-14' beside bom.csv's DIP-14."""
    import re

    out = tmp_path / "b"
    assert main(["build", "netlists/eight_resistive.json", "--out", str(out)]) == 0
    circuit = modelfile.load("netlists/eight_resistive.json")
    worst = worst_case(circuit, circuit_elements(circuit))
    assert not any(stage.needed for stage in input_stages(circuit))  # x1 is the user's signal: not the board's load
    driven = sum(a for name, a in worst.source_current_a.items() if name != "Vx1")
    assert driven > 1e-4 and sum(worst.opamp_current_a.values()) == 0.0  # no op-amp inside the network
    text = (out / "BUILD.md").read_text()
    (drawn,) = re.findall(r"at most ([0-9.]+) mA in all at the training range's worst case", text)
    assert float(drawn) == pytest.approx(1e3 * driven, rel=5e-3)
    (opamps,) = [r for r in rows(out / "bom.csv") if r["kind"] == "op-amp IC"]
    assert opamps["package"] == "DIP-14" and "every TL074 package (DIP-14, 4 amplifiers each)" in text


@pytest.mark.ngspice
def test_a_model_on_another_supply_is_built_for_that_supply(tmp_path):
    """A model fit with --opamp TL074 --supply 12 is built for +-12 V: BUILD.md's supplies and
    output swing are +-12 V's, and the LM4040's feed resistor is the one the netlist's
    ``Iref_feed`` (the power figures' feed current) assumes. BUILD.md said +-15 V, a swing of
    +-13.5 V and a 13k feed resistor (0.77 mA on 12 V) while the reports counted 10k (1 mA)."""
    import re
    from dataclasses import replace

    from circuitnet.backends.spice.netlist import netlist_text
    from circuitnet.interface.flags import _ohms  # bom.csv's '10k' as ohms
    from circuitnet.model.opamp_parts import opamp_model
    circuit = replace(modelfile.load(EIGHT), opamp=opamp_model("TL074", 12.0))
    model = tmp_path / "eight_tl074_12v.json"
    modelfile.save(circuit, model)
    out = tmp_path / "build"
    assert main(["build", str(model), "--out", str(out)]) == 0
    text = (out / "BUILD.md").read_text()
    assert "**+12 V and -12 V**" in text and "on +-12 V reach -10.5 V .. 10.5 V" in text
    assert "15 V" not in text
    (feed,) = [r for r in rows(out / "bom.csv") if r["designators"] == "R_REF1"]
    (simulated_a,) = re.findall(r"^Iref_feed vcc 0 DC (\S+)$", netlist_text(circuit), re.MULTILINE)
    zener_v = 2.048  # LM4040-2.048 makes V_ref = 1 V through the divider
    assert "LM4040-2.048" in text
    assert (12.0 - zener_v) / _ohms(feed["value"]) == pytest.approx(float(simulated_a), rel=1e-9)


def test_build_md_currents_read_without_exponents():
    """The 64-8-10 digits circuit's BUILD.md asked for 'a supply of 1.9e+02 mA per rail' (':.2g'
    of 193 mA); a 992-op-amp circuit's 1389 mA read '1.39e+03 mA typical'."""
    from circuitnet.build.notes import milliamps
    assert (milliamps(0.1935, 2), milliamps(1.3888, 3), milliamps(0.0224, 3), milliamps(0.000996, 3)) == (
        "190 mA", "1390 mA", "22.4 mA", "0.996 mA")


def test_a_supply_too_low_for_the_lm4040_is_refused():
    """On +-2 V (an OPA4277 allows 4 V in all) the LM4040-2.048 that makes V_ref = 1 V can't be
    fed: build wrote 'R_REF1: resistor 1M (feeds the LM4040 -4.8e-05 mA)'."""
    with pytest.raises(BuildError, match=r"the \+2 V supply can't feed the reference's LM4040-2.048 .* --supply"):
        reference_design(1.0, opamp_part("OPA4277"), used_units=1, supply_v=2.0)
    fed = reference_design(1.0, opamp_part("OPA4277"), used_units=1, supply_v=5.0)
    assert fed.made_v == pytest.approx(1.0, rel=5e-3)


@pytest.mark.ngspice
def test_a_circuit_beyond_its_parts_limits_is_refused_and_nothing_is_written(tmp_path, capsys):
    """build checked no operating limit: eight_diode with LM358s on +-2.5 V (output swing up to
    +0.5 V) was built, though its output reaches 2.79 V over the training range: no board built
    from it gives its outputs. The worst case's ngspice run now gives the limits check too."""
    from dataclasses import replace

    from circuitnet.model.opamp_parts import opamp_model
    model = tmp_path / "eight_lm358_2v5.json"
    modelfile.save(replace(modelfile.load(EIGHT), opamp=opamp_model("LM358", 2.5)), model)
    out = tmp_path / "build"
    assert main(["build", str(model), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "leaves its parts' safe operating area" in error and "Ey: output above its positive rail" in error
    assert "a --supply of 5 or more" in error and "Traceback" not in error
    assert not out.exists()


def _tl072_model(tmp_path):
    """eight_diode as if fit with --opamp TL072 (+-15 V)."""
    from dataclasses import replace

    from circuitnet.model.opamp_parts import opamp_model
    model = tmp_path / "eight_tl072.json"
    modelfile.save(replace(modelfile.load(EIGHT), opamp=opamp_model("TL072")), model)
    return model


@pytest.mark.ngspice
def test_build_with_another_part_checks_and_writes_that_parts_circuit(tmp_path):
    """build --opamp P on a model fit with another part checked the worst case on the model's
    rails while BUILD.md and bom.csv named P: the circuit is remade with P (and --supply) first,
    and every file describes that one circuit."""
    out = tmp_path / "build"
    assert main(["build", str(_tl072_model(tmp_path)), "--out", str(out), "--opamp", "LM358", "--supply", "5"]) == 0
    text = (out / "BUILD.md").read_text()
    assert "**+5 V and -5 V**" in text and "The outputs of an LM358 on +-5 V reach -4.98 V .. 3 V" in text
    (opamps,) = [r for r in rows(out / "bom.csv") if r["kind"] == "op-amp IC"]
    assert opamps["value"] == "LM358"
    assert "LM358" in (out / "circuit.kicad_sch").read_text()
    assert not [path.name for path in out.iterdir() if path.suffix != ".png" and "TL072" in path.read_text()]


@pytest.mark.ngspice
def test_build_with_another_part_is_refused_beyond_that_parts_rails(tmp_path, capsys):
    """On +-2.5 V an LM358's output reaches +0.5 V, and eight_diode's output 2.79 V: refused on
    the LM358's rails, not passed on the TL072's +-13.5 V."""
    out = tmp_path / "build"
    assert main(["build", str(_tl072_model(tmp_path)), "--out", str(out), "--opamp", "LM358", "--supply", "2.5"]) == 2
    error = capsys.readouterr().err
    assert "Ey: output above its positive rail 2.786 V is beyond its limit 0.5 V" in error
    assert "Ey is an LM358, whose output swings -2.48..0.5 V" in error
    assert not out.exists()
