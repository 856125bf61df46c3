"""The hidden summers' swing penalty in the circuit stage's training loss, with its gradient
(training.summer_swing, CircuitProblem.loss_and_grad, SurrogateBackend.gradient's
node_cotangent): checked against finite differences of the loss the problem is judged by
(its validation loss plus the ridge), in every mode that has op-amp summers."""

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import UnknownNameError
from circuitnet.model.board import Board
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.summer_swing import hidden_swing_penalty_and_cotangent, swing_nodes

# Hidden summer 1 outputs 6 z + v_on: about 6.6 V at x = 1, beyond a 3 V swing; summer 2 stays inside.
STEEP = ReLUNet.from_arrays([([[6.0], [-0.5]], [0.0, 0.2]), ([[0.1, 0.7]], [0.1])])
# Two hidden layers: the second layer's summer 1 (l2n1) passes the swing too, fed by the first's.
DEEP = ReLUNet.from_arrays([([[4.0], [-0.5]], [0.0, 0.2]), ([[1.5, 0.3], [0.2, -0.4]], [0.1, 0.3]),
                            ([[0.1, 0.7]], [0.1])])
X = np.linspace(-1.0, 1.0, 9)[:, None]
Y = 0.3 * np.sin(3.0 * X)
SWING_V = 3.0


def judged_loss(problem: CircuitProblem, params) -> float:
    """What the problem is judged by: its validation loss (outputs + hidden swing) plus the ridge."""
    return problem.val_loss(params, X, Y) + problem._ridge(params)[0]


def finite_difference(problem: CircuitProblem, params, step: float = 1e-6) -> np.ndarray:
    """Central differences of ``judged_loss`` in every log-conductance, shape (n_trained,)."""
    theta = params[0]
    gradient = np.empty_like(theta)
    for k in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[k] += step
        down[k] -= step
        gradient[k] = (judged_loss(problem, [up]) - judged_loss(problem, [down])) / (2 * step)
    return gradient


@pytest.mark.parametrize(("net", "topology"), [(STEEP, "diode"), (STEEP, "precision"), (DEEP, "diode"),
                                               (DEEP, "precision")])
def test_the_training_gradient_is_the_bounded_losss_own(net, topology):
    """On main the circuit stage's gradient left the swing penalty out (only its validation loss
    had it), so it differed from the finite differences of the loss it was judged by."""
    circuit = realise(net, topology)
    problem = CircuitProblem(circuit, 1e-6).bounded(SWING_V)
    params = problem.initial_params()
    volts = SurrogateBackend().simulate(circuit, X).nodes
    assert max(np.abs(volts[name]).max() for name in swing_nodes(circuit)) > SWING_V + 1.0  # the case is live
    loss, (gradient,) = problem.loss_and_grad(params, X, Y)
    assert loss == pytest.approx(judged_loss(problem, params), rel=1e-12)
    expected = finite_difference(problem, params)
    assert np.max(np.abs(gradient - expected)) <= 1e-6 * np.max(np.abs(expected))
    plain = CircuitProblem(circuit, 1e-6).loss_and_grad(params, X, Y)[1][0]
    assert np.max(np.abs(gradient - plain)) > 0.1 * np.max(np.abs(expected))  # the penalty's term is no rounding


def test_on_a_known_board_the_gradient_is_the_boards_bounded_losss_own():
    """surrogate mode on a board whose resistor errors are known (``--surrogate-board``)."""
    circuit = realise(STEEP, "diode")
    board = Board(tolerance=0.05, seed=3)
    problem = CircuitProblem(circuit, 1e-6, board=board).bounded(SWING_V).on_known_board(True)
    params = problem.initial_params()
    loss, (gradient,) = problem.loss_and_grad(params, X, Y)
    assert loss == pytest.approx(judged_loss(problem, params), rel=1e-12)
    expected = finite_difference(problem, params)
    assert np.max(np.abs(gradient - expected)) <= 1e-6 * np.max(np.abs(expected))


def test_summers_inside_the_swing_keep_the_outputs_gradient_to_the_bit():
    """A circuit whose summers all stay inside the swing trains exactly as an unbounded one."""
    circuit = realise(STEEP, "diode")
    params = CircuitProblem(circuit, 1e-6).initial_params()
    bounded = CircuitProblem(circuit, 1e-6).bounded(8.0).loss_and_grad(params, X, Y)
    plain = CircuitProblem(circuit, 1e-6).loss_and_grad(params, X, Y)
    assert bounded[0] == plain[0] and np.array_equal(bounded[1][0], plain[1][0])


def test_the_penaltys_cotangent_is_its_derivative_in_volts():
    """d(penalty)/d(volts) at 0.5 V per unit: the penalty sees volts / 0.5, so twice per volt."""
    volts = {"l1n1_a": np.array([0.2, 2.0, -3.0]), "l1n2_a": np.array([0.0, 0.1, 0.2])}
    value, cotangent = hidden_swing_penalty_and_cotangent(volts, ["l1n1_a", "l1n2_a"], 1.0, 0.5)
    step = 1e-7
    for name in volts:
        for row in range(3):
            moved = {key: values.copy() for key, values in volts.items()}
            moved[name][row] += step
            up = hidden_swing_penalty_and_cotangent(moved, ["l1n1_a", "l1n2_a"], 1.0, 0.5)[0]
            assert cotangent[name][row] == pytest.approx((up - value) / step, rel=1e-5, abs=1e-9)
    assert value == pytest.approx(((2.0 - 1.0) ** 2 + (3.0 - 1.0) ** 2) / 0.5 ** 2 / 3)


def test_a_cotangent_at_a_node_the_surrogate_does_not_differentiate_is_refused():
    circuit = realise(STEEP, "diode")
    with pytest.raises(UnknownNameError, match="no hidden node 'l1n1_sum'"):
        SurrogateBackend().vjp(circuit, X, np.zeros((len(X), 1)), node_bar={"l1n1_sum": np.ones(len(X))})


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", ["diode", "precision"])
def test_spice_loop_takes_the_penaltys_direction_from_the_surrogate_at_ngspices_point(spice, topology):
    """In spice-loop the penalty is of ngspice's summer volts and its direction the surrogate's
    linearised at ngspice's operating point, as the outputs' loss: the penalty's term of the
    gradient is the surrogate mode's within the backends' 1 uV agreement, and the loss is the
    validation loss ngspice gives. On main spice-loop's gradient had no penalty term."""
    circuit = realise(STEEP, topology)

    def gradient(mode: str, swing: float | None) -> np.ndarray:
        problem = CircuitProblem(circuit, 1e-6, mode, spice=spice).bounded(swing)
        return problem.loss_and_grad(problem.initial_params(), X, Y)[1][0]

    loop = CircuitProblem(circuit, 1e-6, "spice-loop", spice=spice).bounded(SWING_V)
    params = loop.initial_params()
    assert loop.loss_and_grad(params, X, Y)[0] == pytest.approx(judged_loss(loop, params), rel=1e-9)
    term = gradient("spice-loop", SWING_V) - gradient("spice-loop", None)
    expected = gradient("surrogate", SWING_V) - gradient("surrogate", None)
    assert np.max(np.abs(expected)) > 1.0  # summer 1 is 3.6 V beyond the swing at x = 1
    assert np.max(np.abs(term - expected)) <= 1e-5 * np.max(np.abs(expected))


@pytest.mark.ngspice
@pytest.mark.slow
def test_the_lm358_sine_fits_circuit_stage_keeps_its_hidden_summers_inside_their_rail(spice):
    """`fit --target sine --hidden 8 --opamp LM358 --supply 3`, its circuit stage cut to 1,000
    epochs: on main that stage trained l1n6_a from 0.75 V to 1.14 V, beyond the LM358's 1 V
    rail on +-3 V, because its gradient had no swing penalty. Now no hidden summer's op-amp
    leaves its rail in ngspice (the limits check), and the summers end nearer the swing."""
    from circuitnet.training import fit_stages
    from circuitnet.training.config import FitConfig
    from circuitnet.training.data import target_split
    from circuitnet.training.fit_state import FitContext, FitState

    context = FitContext.of(target_split("sine", 500, seed=0), FitConfig(hidden=[8], opamp="LM358", supply_v=3.0,
                                                                          epochs=1000), spice)
    state = FitState()
    state.network = fit_stages.pretrain(context, state)
    fit_stages.realise(context, state, state.network)
    circuit = fit_stages.train_circuit(context, state)
    x = context.inside.all_inputs()
    hidden_opamps = {f"E{name}" for name in swing_nodes(circuit)}  # each summer's op-amp drives its node
    assert [v for v in spice.violations(circuit, x, 27.0) if v.element in hidden_opamps] == []
    volts = spice.simulate(circuit, x).nodes
    peak = max(float(np.abs(volts[name]).max()) for name in swing_nodes(circuit))
    assert peak <= circuit.opamp.v_pos and peak < 0.95  # main's stage left 1.14 V
