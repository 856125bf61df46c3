"""Real op-amps' supply in the power figures: measured in ngspice, split by where it goes, and
named as missing where the op-amp is the generic model."""

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.backends.spice.backend import sample_set_elements
from circuitnet.backends.spice.power import output_stage_dissipation, static_power
from circuitnet.model.currents import opamp_output_currents
from circuitnet.model.opamp_parts import OPAMP_PARTS, opamp_model, supply_rails
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
    drawn = -v_plus * vectors["vvcc#branch"] - v_minus * vectors["vvee#branch"]  # watts, per sample
    n_opamps = sum(element.part == "opamp" for element in circuit_elements(circuit))
    expected = OPAMP_PARTS[part].supply_current_typ_a * (v_plus - v_minus)
    assert n_opamps == 6
    assert drawn / n_opamps == pytest.approx(np.full(len(X), expected), rel=0.01)
    power = static_power(circuit, vectors, len(X), sample_set_elements(circuit))
    assert power["opamp_supply"] == pytest.approx(drawn, rel=1e-9)


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
        assert current == pytest.approx(-vectors[f"{name.lower()}#branch"], abs=1e-12)
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
    assert "Vvcc vcc 0 DC 15" in text and "Vvee vee 0 DC -15" in text and text.count(" vcc vee DC ") == 6
    data = run_batch(text, "p.dat")
    np.testing.assert_allclose(data["y_units"], spice.simulate(circuit, X).y[:, 0], atol=1e-6)
