"""Real op-amps' supply in the power figures: measured in ngspice, split by where it goes, and
named as missing where the op-amp is the generic model."""

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.backends.spice.backend import sample_set_elements
from circuitnet.backends.spice.power import output_stage_dissipation, static_power
from circuitnet.model.currents import opamp_output_currents
from circuitnet.model.opamp_parts import OPAMP_PARTS, opamp_model, supply_rails
from circuitnet.model.reference_feed import feed_current_a
from circuitnet.topologies import TOPOLOGIES_WITH_OPAMPS, circuit_elements, netlist_lines

NET = ReLUNet.from_arrays([([[1.0], [-0.5]], [0.0, 0.2]), ([[1.0, 0.7]], [0.1])])
X = np.linspace(-1.0, 1.0, 5)[:, None]


def sample_vectors(spice, circuit):
    return spice._sample_vectors(circuit, X, 27.0, save_all=True)


@pytest.mark.ngspice
@pytest.mark.parametrize("part", ["TL072", "OPA4277"])
def test_one_opamps_supply_power_is_its_supply_current_times_the_supply_voltage(spice, part):
    """Read from ngspice's supply-source currents, not computed: per op-amp, within 1 %."""
    circuit = realise(NET, "diode", opamp=opamp_model(part))
    vectors = sample_vectors(spice, circuit)
    v_minus, v_plus = supply_rails(circuit.opamp)
    feed = v_plus * feed_current_a(circuit.v_ref, v_plus)  # the reference's LM4040, on V+ alone
    drawn = -v_plus * vectors["vvcc#branch"] - v_minus * vectors["vvee#branch"]  # watts, per sample
    n_opamps = sum(element.part == "opamp" for element in circuit_elements(circuit))
    expected = OPAMP_PARTS[part].supply_current_typ_a * (v_plus - v_minus)
    assert n_opamps == 6  # and the reference's two: 8 amplifiers, 4 TL072s or 2 OPA4277s, no spare unit
    assert (drawn - feed) / (n_opamps + 2) == pytest.approx(np.full(len(X), expected), rel=0.01)
    power = static_power(circuit, vectors, len(X), sample_set_elements(circuit))
    assert power["opamp_supply"] == pytest.approx(drawn, rel=1e-9)  # the quiescent supply and the feed


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", TOPOLOGIES_WITH_OPAMPS)  # (the resistive network has none)
def test_each_opamps_output_current_by_kcl_is_its_ngspice_branch_current(spice, topology):
    """The output-current limit's currents (resistors and diodes on the output node) against
    the current ngspice reports through each op-amp's output source."""
    circuit = realise(NET, topology, opamp=opamp_model("TL072"))
    vectors = sample_vectors(spice, circuit)
    volts = {name: v for name, v in vectors.items() if "#" not in name} | {"0": np.zeros(len(X))}
    elements = sample_set_elements(circuit)
    currents = opamp_output_currents(elements, volts, len(X))
    assert currents
    for name, current in currents.items():
        # ngspice solves to its RELTOL (1e-7, topologies.shared_blocks.ACCURACY_OPTIONS): Sparse,
        # which small circuits now run on, lands 1.4e-8 relative from KLU's branch current
        assert current == pytest.approx(-vectors[f"{name.lower()}#branch"], rel=1e-7, abs=1e-12)
    assert max(np.abs(c).max() for c in currents.values()) > 1e-4  # something flows


@pytest.mark.ngspice
def test_delivered_power_balances_resistors_diodes_supply_and_output_stages(spice):
    circuit = realise(NET, "diode", opamp=opamp_model("NE5532"))
    power = static_power(circuit, sample_vectors(spice, circuit), len(X), sample_set_elements(circuit))
    dissipated = power["resistors"] + power["diodes"] + power["opamp_supply"] + power["opamp_output_stage"]
    assert power["opamp_supply_modelled"]
    assert power["total"] == pytest.approx(dissipated, rel=1e-9)
    assert np.all(power["opamp_output_stage"] > 0) and np.all(power["opamp_supply"] > 10 * power["resistors"])


def test_an_output_stage_drops_the_rail_it_sources_from():
    v_out, i_out = np.array([2.0, 2.0, -3.0]), np.array([1e-3, -1e-3, -2e-3])
    assert output_stage_dissipation(v_out, i_out, (-15.0, 15.0)) == pytest.approx([13e-3, 17e-3, 24e-3])


@pytest.mark.ngspice
def test_the_generic_opamp_has_no_supply_and_says_so(spice):
    circuit = realise(NET, "diode")
    assert not any("vcc" in line.lower() for line in netlist_lines(circuit))
    power = static_power(circuit, sample_vectors(spice, circuit), len(X), sample_set_elements(circuit))
    assert not power["opamp_supply_modelled"] and not power["opamp_supply"].any()


@pytest.mark.ngspice
def test_an_exported_netlist_with_a_part_runs_in_stock_ngspice_with_its_supply(spice):
    """Stock ngspice -b on the exported netlist: the supply sources are in it, and its outputs
    are the in-process simulation's."""
    from circuitnet import netlist_text, parse_sweep
    from circuitnet.backends.spice.batch import run_batch
    circuit = realise(NET, "diode", opamp=opamp_model("TL072"))
    sweep = parse_sweep("-1:1:5")
    text = netlist_text(circuit, sweep=sweep, data_file="p.dat")
    assert "Vvcc vcc 0 DC 15" in text and "Vvee vee 0 DC -15" in text and text.count(" vcc vee DC ") == 6 + 2
    data = run_batch(text, "p.dat")
    np.testing.assert_allclose(data["y_units"], spice.simulate(circuit, X).y[:, 0], atol=1e-6)


# 1 input, 3 hidden, 1 output: an input inverter, 3 summers, 1 output summer and its bias inverters
WIDER = ReLUNet.from_arrays([([[1.0], [-0.5], [0.8]], [0.0, 0.2, -0.3]), ([[1.0, 0.7, -0.4]], [0.1])])


@pytest.mark.ngspice
@pytest.mark.parametrize("part", ["TL074", "TL072", "OPA134"])
def test_the_supply_power_counts_every_amplifier_the_bill_of_materials_lists(spice, part):
    """The reference's two op-amps and the spare units of the last package draw supply current
    too. Independently of the count the netlist and the report share: the packages that
    ``circuitnet build``'s BOM lists x amplifiers per package x supply current x supply voltage,
    against ngspice's supply-source currents and the report's figure."""
    from circuitnet.build.bom import board_packages
    from circuitnet.build.placement import on_the_board, place
    from circuitnet.build.reference import reference_design
    from circuitnet.backends.opamp_summary import opamp_summary
    circuit = realise(WIDER, "diode", opamp=opamp_model(part, 12.0))
    on_board = on_the_board(circuit_elements(circuit))
    chosen = OPAMP_PARTS[part]
    packages = board_packages(place(on_board, chosen),
                              reference_design(circuit.v_ref, chosen, sum(e.part == "opamp" for e in on_board)))
    expected = len(packages) * chosen.amplifiers_per_package * chosen.supply_current_typ_a * 24.0
    vectors = sample_vectors(spice, circuit)
    drawn = -12.0 * vectors["vvcc#branch"] + 12.0 * vectors["vvee#branch"]
    feed = 12.0 * feed_current_a(circuit.v_ref, 12.0)  # the reference's LM4040 feed, on V+ alone
    assert drawn - feed == pytest.approx(np.full(len(X), expected), rel=0.01)
    summary = opamp_summary(circuit)
    assert summary["supply_power_w"] == pytest.approx(expected, rel=1e-12)
    assert summary["packages"] == len(packages)
    n_opamps = summary["count"]
    board = summary["amplifiers"]
    assert board["in_circuit"] == n_opamps and board["reference"] == 2
    assert board["total"] == len(packages) * chosen.amplifiers_per_package == n_opamps + 2 + board["spare"]
    if part == "TL074":
        assert (n_opamps, len(packages), board["spare"]) == (7, 3, 3)  # 9 used of 12
    power = static_power(circuit, vectors, len(X), sample_set_elements(circuit))
    assert power["opamp_supply"] == pytest.approx(drawn, rel=1e-9)


@pytest.mark.ngspice
def test_a_transient_runs_energy_counts_every_amplifier_of_the_board(spice):
    """transient's op-amp supply share is that of 12 TL074 amplifiers (7 op-amps, the
    reference's 2 and 3 spare units) and the reference's LM4040 feed, from ngspice's transient
    vectors."""
    from circuitnet.backends.spice.transient import transient
    circuit = realise(WIDER, "diode", opamp=opamp_model("TL074", 12.0))
    result = transient(circuit, X[:2], "TL074", step_time=20e-6, spice=spice)
    supply_w = 12 * OPAMP_PARTS["TL074"].supply_current_typ_a * 24.0 + 12.0 * feed_current_a(circuit.v_ref, 12.0)
    time, total = result.time, result.power_w
    run_energy = float(np.sum(np.diff(time) * (total[1:] + total[:-1]) / 2))
    median = result.summary.energy_per_inference_j.median
    expected = median * supply_w * (time[-1] - time[0]) / run_energy
    assert result.summary.energy_per_inference_split_j["opamp_supply"] == pytest.approx(expected, rel=1e-6)


@pytest.mark.ngspice
def test_eight_diodes_power_is_every_amplifiers_current_drawn_from_its_supply_plus_the_reference_feed(spice):
    """By hand, from ngspice's branch currents: each amplifier's output current (the circuit's
    op-amps and the two that make +-V_ref) at the rail it comes from (V+ sourcing, V- sinking),
    18 TL072 units' quiescent 1.4 mA across 30 V, and the LM4040-2.048's feed from +15 V through
    13k (E24 nearest (15 - 2.048) V / 1 mA). The total counted the +-V_ref sources at +-1 V and
    left out the feed (about 15 mW). The input has no stage (1 V per data unit): the signal's
    source delivers at its own voltage."""
    from dataclasses import replace

    from circuitnet.formats.modelfile import load

    circuit = replace(load("netlists/eight_diode.json"), opamp=opamp_model("TL072"))
    vectors = sample_vectors(spice, circuit)
    elements = sample_set_elements(circuit)
    amplifiers = [e.name for e in elements if e.part == "opamp"] + ["Vvref", "Vvref_inv"]
    assert len(amplifiers) == 17 and circuit.v_ref == 1.0
    by_hand = np.zeros(len(X))
    for name in amplifiers:
        sourced = -vectors[f"{name.lower()}#branch"]
        by_hand += np.where(sourced >= 0, 15.0 * sourced, -15.0 * sourced)
    by_hand += 18 * 1.4e-3 * 30.0 + 15.0 * (15.0 - 2.048) / 13e3
    by_hand += -vectors["x1"] * vectors["bx1#branch"]  # the user's own signal, at its own voltage: no stage
    power = static_power(circuit, vectors, len(X), elements)
    assert power["total"] == pytest.approx(by_hand, rel=1e-6)
    assert feed_current_a(1.0, 15.0) == pytest.approx((15.0 - 2.048) / 13e3, rel=1e-12)  # 14.9 mW at 15 V


@pytest.mark.ngspice
def test_the_transient_api_warns_where_a_step_takes_a_part_past_its_limits(spice):
    """The command refuses such steps; circuitnet.transient(...) gave its figures silently.
    Now a BeyondLimitsWarning, as an estimator's predict gives; steps inside warn nothing."""
    import warnings

    import circuitnet
    from circuitnet.errors import BeyondLimitsWarning
    circuit = realise(ReLUNet.from_arrays([([[9.0]], [0.0]), ([[0.1]], [0.0])]), "diode", opamp=opamp_model("TL072"))
    with pytest.warns(BeyondLimitsWarning, match=r"El1n1_a: output above its positive rail"):
        circuitnet.transient(circuit, np.array([[0.0], [2.0]]), "TL072", step_time=20e-6, spice=spice)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BeyondLimitsWarning)
        circuitnet.transient(circuit, np.array([[0.0], [0.5]]), "TL072", step_time=20e-6, spice=spice)
