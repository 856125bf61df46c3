"""Regressors' hidden summers inside their rails through training and E-series snapping
(training.summer_swing), and the sentence a fit ends with when a summer still leaves them."""

from pathlib import Path

import numpy as np
import pytest

from circuitnet import ReLUNet, load_model, realise
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.model.limits import rail_remedy
from circuitnet.model.opamp_parts import opamp_model
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.fit_state import FitContext
from circuitnet.training.progress import Progress
from circuitnet.training.snapping import snap_and_tune
from circuitnet.training.summer_swing import swing_nodes
from circuitnet.training.task import SWING_SHARE

MODELS = Path(__file__).resolve().parent / "models"
# Hidden summer 1 outputs 6 z + v_on: about 6.6 V at x = 1, beyond a 3 V swing; summer 2 stays inside.
STEEP = ReLUNet.from_arrays([([[6.0], [-0.5]], [0.0, 0.2]), ([[0.1, 0.7]], [0.1])])
X = np.linspace(-1.0, 1.0, 9)[:, None]


def test_the_summers_bounded_are_each_op_amp_topologys_own():
    assert swing_nodes(realise(STEEP, "diode")) == ["l1n1_a", "l1n2_a"]  # the summers' outputs
    assert swing_nodes(realise(STEEP, "precision")) == ["l1n1_h", "l1n2_h"]  # o follows h within a diode drop
    assert swing_nodes(realise(STEEP, "passive")) == []  # a divider and a diode: no op-amp per neuron


def test_the_validation_loss_pays_for_a_hidden_summer_beyond_the_swing():
    circuit = realise(STEEP, "diode")
    y = np.zeros((len(X), 1))
    plain = CircuitProblem(circuit, 0.0)
    bounded = CircuitProblem(circuit, 0.0).bounded(3.0)
    params = plain.initial_params()
    volts = SurrogateBackend().simulate(circuit, X).nodes["l1n1_a"]
    assert volts.max() > 6.0 and np.abs(SurrogateBackend().simulate(circuit, X).nodes["l1n2_a"]).max() < 3.0
    expected = np.sum(np.maximum(np.abs(volts) - 3.0, 0.0) ** 2) / len(X)  # 1 V per unit
    assert bounded.val_loss(params, X, y) - plain.val_loss(params, X, y) == pytest.approx(expected, rel=1e-12)
    assert CircuitProblem(circuit, 0.0).bounded(7.0).val_loss(params, X, y) == plain.val_loss(params, X, y)


def test_a_regressor_bounds_its_hidden_summers_at_the_classifiers_share_of_the_rails():
    split = target_split("sine", 40, seed=0)
    context = FitContext.of(split, FitConfig(hidden=[4], opamp="TL072"), spice=None)
    assert context.swing_volts() == pytest.approx(SWING_SHARE * 13.5)  # TL072 swings to 13.5 V on +-15 V
    assert context.swing() == pytest.approx(SWING_SHARE * 13.5)  # the ideal stage's, at 1 V per unit


@pytest.mark.ngspice
def test_a_summer_past_its_rail_is_refused_naming_the_op_amp_its_swing_and_the_remedies(spice):
    circuit = realise(ReLUNet.from_arrays([([[20.0]], [0.0]), ([[0.05]], [0.0])]), "diode",
                      opamp=opamp_model("TL072"))
    found = spice.violations(circuit, X, 27.0)
    sentence = rail_remedy(circuit, found)
    assert found and "El1n1_a is a TL072, whose output swings -13.5..13.5 V, and it reaches" in sentence
    assert "--volts-per-unit (now 1" in sentence and "--resistor-range (now 1k:1M)" in sentence
    assert "--e-series" in sentence
    assert rail_remedy(realise(STEEP, "diode"), []) == ""


@pytest.mark.ngspice
@pytest.mark.slow
def test_e12_snapping_keeps_a_trained_regressors_summers_inside_the_rails_in_ngspice():
    """The circuit `fit --target step --points 400 --seed 1 --topology diode --hidden 16 --opamp
    TL072 --e-series E12` trained (its summers within 3.6 V), which snapping used to take to
    -37.8 V at l1n9_a, beyond TL072's -13.5 V, so the fit was refused. Now the snapped circuit
    keeps every summer inside the swing, and ngspice finds every part inside its limits at every
    input of the data."""
    config = FitConfig(hidden=[16], topology="diode", seed=1, e_series="E12", opamp="TL072")
    split = target_split("step", 400, seed=1)
    spice = SpiceBackend()
    context = FitContext.of(split, config, spice)
    trained = load_model(MODELS / "step_diode_tl072_trained.json")
    problem = CircuitProblem(trained, config.lam, "surrogate", context.board, spice,
                             loss=context.loss).bounded(context.swing_volts())
    snapped = snap_and_tune(trained, problem, context.inside, config, Progress())
    x = context.inside.all_inputs()
    worst = max(float(np.abs(SurrogateBackend().simulate(snapped, x).nodes[name]).max())
                for name in swing_nodes(snapped))
    assert worst <= context.swing_volts()
    assert spice.violations(snapped, x, 27.0) == []
    test = SurrogateBackend().simulate(snapped, context.inside.x_test).y
    assert float(np.sqrt(np.mean((test - context.inside.y_test) ** 2))) < 0.02  # still fits the step


def test_the_diode_summers_bound_in_the_ideal_stage_leaves_room_for_its_diode_lift():
    """a = s * z + v_on: the ideal stage bounds z at the swing less v_on (it bounded z at the
    swing, and LM358 summers on +-3 V reached 1.14 V against their 1 V rail)."""
    split = target_split("sine", 40, seed=0)
    context = FitContext.of(split, FitConfig(hidden=[4], opamp="LM358", supply_v=3.0), spice=None)
    v_on = realise(STEEP, "diode", options=context.options()).v_on
    assert 0.4 < v_on < 0.8 and context.swing_volts() == pytest.approx(SWING_SHARE * 1.0)
    assert context.hidden_swing() == pytest.approx(SWING_SHARE * 1.0 - v_on, rel=1e-9)
    precision = FitContext.of(split, FitConfig(hidden=[4], opamp="LM358", supply_v=3.0, topology="precision"),
                              spice=None)
    assert precision.hidden_swing() == pytest.approx(precision.swing())  # its op-amp output is not lifted


@pytest.mark.ngspice
def test_a_summer_past_its_rail_is_told_the_supply_that_holds_it_and_that_supply_does(spice):
    """An LM358 on +-3 V swings to 1 V: the remedy names the supply whose rail passes the volts
    the summer reached (half-volt steps), and at that supply ngspice finds it inside."""
    net = ReLUNet.from_arrays([([[1.5]], [0.0]), ([[0.5]], [0.0])])
    circuit = realise(net, "diode", opamp=opamp_model("LM358", 3.0))
    found = spice.violations(circuit, X, 27.0)
    reached = max(v.value for v in found if v.element == "El1n1_a")
    sentence = rail_remedy(circuit, found)
    needed = np.ceil(2 * (3.0 + reached - 1.0)) / 2
    assert 1.0 < reached < 3.0 and "El1n1_a is an LM358" in sentence
    assert f"a --supply of {needed:g} or more (+-V; now 3)" in sentence
    assert not spice.violations(realise(net, "diode", opamp=opamp_model("LM358", needed)), X, 27.0)


@pytest.mark.ngspice
def test_a_fit_of_data_already_about_one_is_not_told_to_scale_it_but_what_supply_would_do(tmp_path, capsys):
    """`fit --target sine --hidden 8 --opamp LM358 --supply 3` (a sine over -1..1) ends past the
    1 V rail; it advised 'Scale the data to about +-1'. (The supply it names fits: 3.5 V trains
    to a test RMSE of 0.003 inside the rails.) Since the circuit stage's gradient pays for the
    hidden summers' swing, the op-amp past its rail is the output summer's: sin(pi x) peaks at
    the LM358's 1 V rail itself, so the fit's error there passes it."""
    from circuitnet.interface.cli import main
    code = main(["fit", "--target", "sine", "--hidden", "8", "--opamp", "LM358", "--supply", "3", "--out",
                 str(tmp_path / "run")])
    said = capsys.readouterr().err
    assert code == 1 and "leaves its parts' safe operating area" in said
    assert "Scale the data" not in said and "The data are about +-1 already" in said
    assert "is an LM358" in said and "a --supply of 3.5 or more (+-V; now 3)" in said


@pytest.mark.ngspice
def test_compare_past_the_surrogates_limits_names_what_compare_can_do(tmp_path, capsys):
    """It ended 'or simulate with --backend spice', a flag compare does not have; simulate's
    message names --backend spice, which it has."""
    from circuitnet.interface.cli import main
    model = str(Path(__file__).parent.parent / "netlists" / "eight_diode.json")
    assert main(["compare", model, "--x", "-60:60:5", "--temps", "27", "--out", str(tmp_path / "c")]) == 1
    said = capsys.readouterr().err
    assert "the surrogate does not model breakdown" in said and "--backend spice," not in said
    assert "compare runs the surrogate beside ngspice at every point of --x, so narrow --x" in said
    assert main(["simulate", model, "--x", "-60:60:5", "--backend", "surrogate"]) == 1
    assert "or simulate it in ngspice alone: --backend spice" in capsys.readouterr().err
