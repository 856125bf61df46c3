"""An exported netlist's header says what maps to what: data units -> circuit units -> volts."""

from dataclasses import replace
from pathlib import Path

import numpy as np

from circuitnet.backends.spice.netlist import netlist_text
from circuitnet.formats import modelfile
from circuitnet.model.data_record import DataRecord
from circuitnet.model.scaling import DataScaling

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def header(circuit) -> str:
    lines = [line for line in netlist_text(circuit, data_file="out.dat", command="test").splitlines()
             if line.startswith("*")]
    return " ".join(" ".join(line.lstrip("* ").split()) for line in lines)


def test_a_scaled_model_states_its_data_unit_mapping_not_1_volt_per_data_unit():
    circuit = modelfile.load(NETLISTS / "eight_diode.json")
    scaling = DataScaling(np.array([4.0]), np.array([2.0]), np.array([0.5]), np.array([3.0]))
    record = DataRecord(("speed",), ("drag",), np.array([2.0]), np.array([6.0]))
    text = header(replace(circuit, data_scaling=scaling, data_record=record))
    assert "V per data unit" not in text
    assert ("input speed: (data - 4) / 2 circuit units, x 1 V per unit (its training range 2 .. 6 data units -> "
            "-1 .. 1 units -> -1 .. 1 V)") in text
    assert "output drag: data = 0.5 + 3 x circuit units" in text


def test_an_unscaled_model_says_data_units_are_circuit_units():
    text = header(modelfile.load(NETLISTS / "eight_diode.json"))
    assert "1 V per data unit (no data scaling: data units are circuit units" in text


def test_the_read_back_network_is_said_to_be_in_circuit_units_when_the_model_scales_its_data():
    """The header said 'ideal network (data units)' under 'the network below is in circuit units'."""
    circuit = modelfile.load(NETLISTS / "eight_diode.json")
    scaling = DataScaling(np.array([4.0]), np.array([2.0]), np.array([0.5]), np.array([3.0]))
    record = DataRecord(("speed",), ("drag",), np.array([2.0]), np.array([6.0]))
    scaled = header(replace(circuit, data_scaling=scaling, data_record=record))
    assert "ideal network (circuit units), read back" in scaled and "ideal network (data units)" not in scaled
    assert "ideal network (data units), read back" in header(circuit)  # no scaling: data units are circuit units


def test_the_devices_line_names_a_real_opamp_part():
    """A model fit with --opamp TL072 said 'devices: ... op-amp finite_gain, gain 100000', the
    part named only in the supply comment further down; the generic op-amp's line is unchanged."""
    from circuitnet.model.opamp_parts import opamp_model

    circuit = modelfile.load(NETLISTS / "eight_diode.json")
    assert "devices: diode 1N4148; op-amp finite_gain, gain 100000" in header(circuit)
    tl072 = header(replace(circuit, opamp=opamp_model("TL072")))
    assert "devices: diode 1N4148; op-amp TL072: finite_gain, gain 100000" in tl072
