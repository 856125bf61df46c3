"""Each choice is stated once, as a str-valued enum (``util.choices.Choice``): its members are
their spelling in text, JSON and comparisons, and the CLI's choices and the model file's checks
are generated from it."""

import json

import numpy as np
import pytest
from conftest import random_network

from circuitnet import ModelFileError, realise
from circuitnet.formats import modelfile
from circuitnet.interface.parser import build_parser
from circuitnet.model.devices import OPAMP_KINDS, OpAmpKind, OpAmpModel
from circuitnet.model.elements import PARTS, Part
from circuitnet.training.config import DEFAULT_EPOCHS, MODES, TASKS, FitConfig, TrainingMode
from circuitnet.training.eseries import SERIES
from circuitnet.training.topology_choice import AUTO


@pytest.mark.parametrize("choice", [OpAmpKind, TrainingMode, Part])
def test_a_member_reads_as_its_spelling_everywhere(choice):
    for member in choice:
        assert str(member) == f"{member}" == f"{member:>1}" == member.value == member
        assert json.dumps({"kind": member}) == json.dumps({"kind": member.value})
    assert choice.values() == tuple(member.value for member in choice)


def test_the_choice_tuples_are_the_enums():
    assert OPAMP_KINDS == ("finite_gain", "rail_limited") == OpAmpKind.values()
    assert MODES == ("ideal", "surrogate", "spice-loop", "eqprop") == TrainingMode.values()
    assert PARTS == ("resistor", "diode", "opamp", "source", "opamp_input") == Part.values()
    assert set(DEFAULT_EPOCHS) == set(TrainingMode)
    assert FitConfig(mode="spice-loop").epochs == DEFAULT_EPOCHS[TrainingMode.SPICE_LOOP]


def _fit_choices(flag: str):
    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    (action,) = [action for action in fit._actions if flag in action.option_strings]
    return list(action.choices)


def test_the_cli_choices_are_generated_from_the_choices():
    assert _fit_choices("--mode") == list(MODES)
    assert _fit_choices("--task") == list(TASKS)
    assert _fit_choices("--e-series") == list(SERIES)
    assert _fit_choices("--topology")[-1] == AUTO


def test_the_model_file_checks_the_opamp_kind_against_the_enum():
    circuit = realise(random_network(np.random.default_rng(0), 1, [2], 1), "diode", opamp=OpAmpModel(
        OpAmpKind.RAIL_LIMITED.value, v_pos=12.0, v_neg=-12.0))
    document = modelfile.circuit_to_dict(circuit)
    assert document["devices"]["opamp"]["kind"] == "rail_limited"
    assert modelfile.loads(json.dumps(document)).opamp.kind == OpAmpKind.RAIL_LIMITED
    document["devices"]["opamp"]["kind"] = "ideal"
    with pytest.raises(ModelFileError, match='devices.opamp.kind = "ideal"; allowed: finite_gain, rail_limited'):
        modelfile.loads(json.dumps(document))
