"""simulate's printed summary says what fit's and compare's do of the op-amps: the model, the
op-amp and package counts and the quiescent supply power (it printed the model alone; only
--json had the rest), without importing training or build at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_startup import HEAVY, SUBCOMMAND_MODULES, imported_by

from circuitnet.backends.opamp_summary import opamp_summary
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.interface.opamp_choice import circuit_with_opamp
from circuitnet.interface.opamp_report import opamp_line

EIGHT = Path(__file__).resolve().parent.parent / "netlists" / "eight_diode.json"


@pytest.mark.ngspice
def test_simulate_prints_fits_opamp_line_with_counts_and_supply_power(capsys):
    assert main(["simulate", str(EIGHT), "--x", "-1:1:5", "--opamp", "TL072"]) == 0
    printed = capsys.readouterr().out.splitlines()
    summary = opamp_summary(circuit_with_opamp(modelfile.load(EIGHT), "TL072", None))
    assert opamp_line(summary) in printed
    assert "15 op-amps in the circuit" in printed[-1] and "in 9 packages" in printed[-1]
    assert f"{summary['supply_power_w']:.4g} W quiescent supply" in printed[-1]


@pytest.mark.ngspice
def test_the_generic_opamp_line_says_its_supply_is_not_included(capsys):
    assert main(["simulate", str(EIGHT), "--x", "-1:1:5"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("op-amps: generic finite-gain op-amp") and "15 op-amps in the circuit" in last
    assert last.endswith("op-amp supply not included (generic op-amp; give --opamp PART)")


@pytest.mark.ngspice
def test_simulate_with_a_part_still_starts_without_training_or_build():
    modules, done = imported_by("simulate", str(EIGHT), "--x", "-1:1:5", "--opamp", "TL072")
    assert done.returncode == 0 and "W quiescent supply" in done.stdout, done.stderr
    assert not set(HEAVY) & modules
    assert not [name for name in modules if name.startswith(SUBCOMMAND_MODULES)]
