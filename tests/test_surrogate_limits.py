"""export's operating-limits check from the surrogate (backends.surrogate_limits, interface.export_limits):
the completed node volts against ngspice's, and the CLI's warning, file and exit status."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.surrogate_limits import completed_volts, surrogate_violations
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.interface.opamp_choice import circuit_with_opamp
from circuitnet.topologies import circuit_elements

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
MODELS = sorted(NETLISTS.glob("*.json"))


@pytest.mark.ngspice
@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.stem)
def test_every_node_is_completed_and_agrees_with_ngspice(path):
    circuit = modelfile.load(path)
    elements = circuit_elements(circuit)
    x = np.random.default_rng(0).uniform(-1, 1, (5, circuit.n_inputs))
    volts = completed_volts(circuit, elements, x)
    with SpiceBackend() as spice:
        reference = spice.node_voltages(circuit, x)
    every_node = {node.lower() for e in elements for node in e.nodes} - {"0"}
    assert every_node <= set(volts)
    # within 1 uV but a precision rectifier's superdiode outputs (the surrogate's own o: 0.4 mV)
    for node in every_node:
        assert np.max(np.abs(volts[node] - reference[node])) < (1e-3 if node.endswith("_o") else 1e-6), node


@pytest.mark.ngspice
def test_surrogate_violations_are_ngspices():
    circuit = circuit_with_opamp(modelfile.load(NETLISTS / "eight_diode.json"), "LM358", 2.5)
    x = np.linspace(-1, 1, 41)[:, None]
    with SpiceBackend() as spice:
        reference = spice.violations(circuit, x)
    found = surrogate_violations(circuit, x)
    assert {(v.element, v.quantity) for v in found} == {(v.element, v.quantity) for v in reference}
    by_key = {(v.element, v.quantity): v.value for v in reference}
    assert all(abs(v.value - by_key[v.element, v.quantity]) < 1e-6 for v in found)


def test_export_beyond_the_rails_writes_the_netlist_warns_and_exits_1(tmp_path, capsys):
    out = tmp_path / "x.cir"
    status = main(["export", str(NETLISTS / "eight_diode.json"), "--opamp", "LM358", "--supply", "2.5", "-o", str(out)])
    err = capsys.readouterr().err
    assert status == 1
    assert out.read_text().startswith("*")
    assert "the surrogate's check, no ngspice run" in err
    assert "Ey: output above its positive rail 2.786 V is beyond its limit 0.5 V" in err
    assert "Ey is an LM358" in err and "--supply of 5 or more" in err


def test_export_inside_the_limits_exits_0_without_a_warning(tmp_path, capsys):
    out = tmp_path / "x.cir"
    assert main(["export", str(NETLISTS / "eight_diode.json"), "--opamp", "LM358", "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""
    assert out.exists()


def test_transient_export_is_checked_at_its_steps(tmp_path, capsys):
    out = tmp_path / "t.cir"
    status = main(["export", str(NETLISTS / "eight_diode.json"), "--tran", "--x", "-1:1:3", "--opamp", "LM358",
                   "--supply", "2.5", "-o", str(out)])
    assert status == 1 and out.exists()
    assert "at the exported input steps" in capsys.readouterr().err
