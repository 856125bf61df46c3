"""Every amplifier a built board has, counted once (model/board_amplifiers.py): the fit report's
op-amp section, fit's bom.csv, compare's and transient's supply power (ngspice), build's
bom.csv and BUILD.md agree, for every topology of the registry, with a count made here
independently from the circuit's structure and the topologies' documented boards."""

import csv
import io
import json
import math
from dataclasses import replace

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.interface.fit_outputs import bom_csv
from circuitnet.model.board_amplifiers import REFERENCE_UNITS, board_inventory
from circuitnet.model.opamp_parts import OPAMP_PARTS, opamp_model
from circuitnet.model.reference_feed import feed_current_a
from circuitnet.model.scaling import DataScaling
from circuitnet.topologies import TOPOLOGIES, circuit_elements, part_counts
from circuitnet.backends.opamp_summary import opamp_summary

NET = ReLUNet.from_arrays([([[1.0, 0.3], [-0.5, 0.4]], [0.0, 0.2]), ([[1.0, 0.7]], [0.1])])
# x1 is scaled (offset 0.5, two data units per volt): it needs an input stage; x2 does not
SCALING = DataScaling(np.array([0.5, 0.0]), np.array([2.0, 1.0]), np.array([0.0]), np.array([1.0]))
PART = "TL072"
SUPPLY_V = 30.0  # +-15 V


def scaled_circuit(topology: str, part: str = PART):
    return replace(realise(NET, topology, opamp=opamp_model(part, 15.0)), data_scaling=SCALING)


def independent_count(circuit, per_package: int) -> dict[str, int]:
    """The board by hand: the netlist's op-amps (part_counts), the reference's 2, two units for
    the one scaled input; a resistive circuit (docs/resistive-and-eqprop.md) adds an inverter per
    -x rail, a bias follower and per output pair two followers and a difference amplifier."""
    resistive = circuit.topology == "resistive"
    used = (part_counts(circuit)["opamp"] + 2 + 2
            + (circuit.n_inputs + 1 + 3 * circuit.n_outputs if resistive else 0))
    packages = math.ceil(used / per_package)
    return {"used": used, "packages": packages, "total": packages * per_package}


def test_board_inventory_counts_each_role_for_every_topology():
    for topology in TOPOLOGIES:
        circuit = scaled_circuit(topology, "TL074")
        board = board_inventory(circuit, circuit_elements(circuit), OPAMP_PARTS["TL074"])
        expected = independent_count(circuit, 4)
        assert (board.used, board.packages, board.total) == (expected["used"], expected["packages"],
                                                             expected["total"]), topology
        assert board.input_stages == 2 and board.reference == 2
        assert board.spare == board.total - board.used and board.counted_only == board.total - board.in_circuit
        assert (board.rail_inverters, board.bias_followers, board.readouts) == (
            (2, 1, 3) if topology == "resistive" else (0, 0, 0))
        assert f"{board.in_circuit} in the circuit (simulated)" in board.describe()
        assert "counted only (quiescent current x supply): 2 for the +-V_ref reference, " in board.describe()
        assert "2 for the input stages (data scaling)" in board.describe()


def test_a_circuit_without_data_scaling_has_the_networks_amplifiers_the_reference_and_spares_only():
    circuit = realise(NET, "diode", opamp=opamp_model(PART, 15.0))
    board = board_inventory(circuit, circuit_elements(circuit), OPAMP_PARTS[PART])
    assert board.input_stages == 0 and (board.rail_inverters, board.bias_followers, board.readouts) == (0, 0, 0)
    assert (board.in_circuit, board.reference) == (part_counts(circuit)["opamp"], REFERENCE_UNITS)
    assert board.used == board.in_circuit + REFERENCE_UNITS
    assert board.total == -(-board.used // OPAMP_PARTS[PART].amplifiers_per_package) * \
        OPAMP_PARTS[PART].amplifiers_per_package


def bom_rows(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text())))


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_every_report_counts_the_same_board_and_its_supply_power(tmp_path, capsys, spice, topology):
    """fit's report section and bom.csv, compare (ngspice's supply currents), transient's energy
    split, build's bom.csv and BUILD.md: one count of amplifiers, the independent one, and the
    supply power that count x 1.4 mA (TL072, typical) x 30 V."""
    from circuitnet.backends.spice.transient import transient
    circuit = scaled_circuit(topology)
    expected = independent_count(circuit, 2)
    supply_w = expected["total"] * OPAMP_PARTS[PART].supply_current_typ_a * SUPPLY_V
    model = modelfile.save(circuit, tmp_path / "model.json")
    drawn_w = supply_w + SUPPLY_V / 2 * feed_current_a(circuit.v_ref, SUPPLY_V / 2)  # ngspice's supply sources

    report = opamp_summary(circuit)  # the fit report's "opamps" key
    assert {k: report["amplifiers"][k] for k in expected} == expected
    assert report["supply_power_w"] == pytest.approx(supply_w, rel=1e-12)
    fit_bom = list(csv.DictReader(io.StringIO(bom_csv(circuit, None))))
    assert sum(int(r["count"]) for r in fit_bom if r["kind"] == "op-amp") == expected["used"]
    assert [int(r["count"]) for r in fit_bom if r["kind"] == "op-amp package"] == [expected["packages"]]

    assert main(["compare", str(model), "--temps", "27", "--out", str(tmp_path / "c")]) == 0
    printed = capsys.readouterr().out
    numbers = json.loads((tmp_path / "c" / "compare.json").read_text())
    assert numbers["power"]["opamp_supply"]["mean_w"] == pytest.approx(drawn_w, rel=1e-6)
    assert f"the board: {expected['total']} amplifiers in {expected['packages']} packages" in printed

    result = transient(circuit, np.array([[-0.5, 0.2], [0.5, -0.2]]), PART, step_time=20e-6, spice=spice)
    assert result.summary.opamp_board.startswith(f"{expected['total']} amplifiers in {expected['packages']} ")
    run_energy = float(np.sum(np.diff(result.time) * (result.power_w[1:] + result.power_w[:-1]) / 2))
    share = drawn_w * (result.time[-1] - result.time[0]) / run_energy
    assert result.summary.energy_per_inference_split_j["opamp_supply"] == pytest.approx(
        share * result.summary.energy_per_inference_j.median, rel=1e-6)

    assert main(["build", str(model), "--out", str(tmp_path / "b")]) == 0
    (ics,) = [r for r in bom_rows(tmp_path / "b" / "bom.csv") if r["kind"] == "op-amp IC"]
    assert int(ics["count"]) == expected["packages"] == len(ics["designators"].split())
    notes = (tmp_path / "b" / "BUILD.md").read_text()
    assert f"the board: {expected['total']} amplifiers in {expected['packages']} packages" in notes
    used = f"all {expected['used']} used)" if expected["used"] == expected["total"] else f"{expected['used']} used;"
    assert (f"{1e3 * expected['total'] * OPAMP_PARTS[PART].supply_current_typ_a:.3g} mA typical" in notes
            and f"for the {expected['total']} amplifiers at rest ({used}" in notes)


@pytest.mark.ngspice
def test_build_lists_the_input_stages_parts_with_their_op_amp_units(tmp_path):
    """The scaled input x1 gets a summer and an inverter (two units after the reference's) and
    their resistors in bom.csv and BUILD.md; the unscaled x2 none."""
    circuit = scaled_circuit("diode")
    model = modelfile.save(circuit, tmp_path / "model.json")
    assert main(["build", str(model), "--out", str(tmp_path / "b")]) == 0
    rows = bom_rows(tmp_path / "b" / "bom.csv")
    stage_rows = [r for r in rows if r["notes"].startswith("input stages:")]
    designators = {d for r in stage_rows for d in r["designators"].split()}
    assert designators == {"R_X1IN", "R_X1OFS", "R_X1FB", "R_X1INV1", "R_X1INV2"}
    notes = (tmp_path / "b" / "BUILD.md").read_text()
    assert "inverting summer: -(0.5 x V_in" in notes and "unity inverter: drives the input x1" in notes
    assert "R_X2" not in notes


def test_build_refuses_a_parts_list_that_differs_from_the_inventory():
    """The reports' supply power is of the inventory's amplifiers: a parts list holding others
    is build's own defect, refused with the two counts rather than written."""
    from circuitnet.build.board_stages import check_inventory
    from circuitnet.build.placement import on_the_board, place
    from circuitnet.build.reference import reference_design
    from circuitnet.errors import BuildError
    circuit = realise(NET, "diode", opamp=opamp_model(PART, 15.0))
    elements = on_the_board(circuit_elements(circuit))
    part = OPAMP_PARTS[PART]
    placement = place(elements, part)
    reference = reference_design(circuit.v_ref, part, sum(e.part == "opamp" for e in elements))
    board = board_inventory(circuit, elements, part)
    check_inventory(board, placement, reference)  # the parts hold exactly the inventory's units
    with pytest.raises(BuildError, match=r"hold 9 op-amp units in 5 packages, but its inventory counts 11 in 6"):
        check_inventory(replace(board, input_stages=2), placement, reference)
