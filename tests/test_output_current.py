"""The output-current limit: every op-amp of a real part drives at most its output current, and
fit says which resistor range would keep the worst one inside it."""

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.model.limits import current_remedy, range_for_current
from circuitnet.model.opamp_parts import OPAMP_PARTS
from circuitnet.training.resistor_range import realisation_in_range

X = np.linspace(-1.0, 1.0, 9)[:, None]


def wide_inverter_network(width: int = 100) -> ReLUNet:
    """One input feeding ``width`` neurons with weight 5: every weight takes the inverted rail
    x1_inv, whose inverter then drives ``width`` 2 kOhm resistors into virtual grounds."""
    return ReLUNet.from_arrays([(np.full((width, 1), 5.0), np.zeros(width)),
                                (np.full((1, width), 0.01), np.zeros(1))])


@pytest.mark.ngspice
def test_an_inverter_driving_a_hundred_loads_passes_its_output_current_and_the_suggested_range_fixes_it(spice):
    circuit = realise(wide_inverter_network(), "diode", opamp="TL072")
    found = [v for v in spice.violations(circuit, X) if v.quantity == "output current"]
    limit = OPAMP_PARTS["TL072"].output_current_a
    assert [v.element for v in found] == ["Ex1_inv"]
    # 1 V across the 10 kOhm feedback and a hundred 2 kOhm weights: 50.1 mA, as Ohm's law has it
    assert found[0].value == pytest.approx(1.0 / 10e3 + 100 * 1.0 / 2e3, rel=1e-3) and found[0].limit == limit
    assert found[0].x == (1.0,) or found[0].x == (-1.0,)
    fitting = range_for_current(circuit, found)
    assert fitting == (1.4e3, 1.4e6)
    assert "--resistor-range 1.4k:1.4M" in current_remedy(circuit, found)
    rebuilt = realise(wide_inverter_network(), "diode", realisation_in_range(fitting, opamp="TL072"))
    assert not [v for v in spice.violations(rebuilt, X) if v.quantity == "output current"]
    np.testing.assert_allclose(spice.simulate(rebuilt, X).y, spice.simulate(circuit, X).y, atol=2e-3)


@pytest.mark.ngspice
def test_the_generic_opamp_has_no_output_current_limit(spice):
    circuit = realise(wide_inverter_network(), "diode")
    assert not [v for v in spice.violations(circuit, X) if v.quantity == "output current"]
    assert range_for_current(circuit, []) is None and current_remedy(circuit, []) == ""


@pytest.mark.ngspice
def test_buffered_rails_split_the_loads_and_ngspice_still_agrees_with_the_surrogate(spice, tmp_path):
    from circuitnet import load_model, save_model, simulate
    from circuitnet.topologies import circuit_elements
    circuit = realise(wide_inverter_network(), "diode", realisation_in_range(None, opamp="TL072", buffer_loads=40))
    elements = circuit_elements(circuit)
    followers = [e for e in elements if e.name.startswith("Ex1_inv_b")]
    assert [(e.name, e.nodes) for e in followers] == [("Ex1_inv_b2", ("x1_inv_b2", "0", "x1_inv", "0")),
                                                      ("Ex1_inv_b3", ("x1_inv_b3", "0", "x1_inv", "0"))]
    on = {node: sum(node in e.nodes for e in elements if e.part == "resistor") for node in
          ("x1_inv", "x1_inv_b2", "x1_inv_b3")}
    assert on == {"x1_inv": 41, "x1_inv_b2": 40, "x1_inv_b3": 20}  # x1_inv: its feedback and 40 weights
    assert not [v for v in spice.violations(circuit, X) if v.quantity == "output current"]
    np.testing.assert_allclose(spice.simulate(circuit, X).y, simulate(circuit, X, "surrogate").y, atol=1e-6)
    save_model(circuit, tmp_path / "m.json")
    assert load_model(tmp_path / "m.json").buffer_loads == 40
