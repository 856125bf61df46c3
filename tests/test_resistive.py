"""The resistive (energy-based) topology: its whole-network surrogate against ngspice, its
co-content, and equilibrium propagation's gradient from ngspice's equilibria against the
surrogate's exact one."""

import numpy as np
import pytest
from conftest import random_network

from circuitnet import realise
from circuitnet.backends.spice.equilibria import equilibria
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import CircuitnetError
from circuitnet.model.board import Board
from circuitnet.solvers.junction import Junction
from circuitnet.solvers.resistive_equilibrium import co_content
from circuitnet.topologies import get_topology
from circuitnet.topologies.resistive import network_of
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.config import FitConfig
from circuitnet.training.eqprop import EqPropGradient, EqPropSettings
from circuitnet.training.losses import MeanSquared, SoftmaxCrossEntropy

MICROVOLT = 1e-6
TRAINED = ((0, "r_plain"), (0, "r_inverted"), (1, "r_plain"), (1, "r_inverted"))
surrogate = SurrogateBackend()


def circuit_and_data(seed, n_inputs=2, hidden=6, n_outputs=1, n=40):
    rng = np.random.default_rng(seed)
    circuit = realise(random_network(rng, n_inputs, [hidden], n_outputs, zero_fraction=0.0), "resistive")
    return circuit, rng.uniform(-1, 1, (n, n_inputs)), rng


def flat(gradient: dict) -> np.ndarray:
    return np.concatenate([np.asarray(gradient[path]).ravel() for path in TRAINED])


@pytest.mark.ngspice
@pytest.mark.parametrize("temperature", [0.0, 27.0, 70.0])
def test_free_equilibrium_in_ngspice_equals_the_surrogates_within_a_microvolt(spice, temperature):
    """Every node of the coupled network (hidden nodes and both nodes of every output pair), not
    only the outputs, at three temperatures, on the equilibrium phase eqprop reads."""
    for seed, hidden, outputs in ((1, 6, 1), (2, 12, 3)):
        circuit, x, _ = circuit_and_data(seed, hidden=hidden, n_outputs=outputs, n=60)
        mine = surrogate.simulate(circuit, x, temperature)
        nodes = get_topology("resistive").reported_nodes(circuit)
        theirs = equilibria(spice.pool, circuit, x, [None], temperature, nodes)[0]
        assert set(mine.nodes) == set(nodes)
        worst = max(float(np.max(np.abs(mine.nodes[name] - theirs[name]))) for name in nodes)
        assert worst <= MICROVOLT, (seed, temperature, worst)
        assert np.max(np.abs(mine.y_volts - spice.simulate(circuit, x, temperature).y_volts)) <= MICROVOLT


@pytest.mark.ngspice
def test_the_co_content_is_smallest_at_ngspices_solution(spice):
    """E(V) = 1/2 sum G dV^2 + the junctions' integrals: any small move of the free nodes away from
    ngspice's node voltages raises it (each diode's internal RS node follows from its branch)."""
    circuit, x, rng = circuit_and_data(3, n=20)
    network = network_of(circuit)
    junction = Junction.of(circuit.diode, 27.0)
    solved = equilibria(spice.pool, circuit, x, [None], 27.0, get_topology("resistive").reported_nodes(circuit))[0]
    state = network.at_operating_point(network.conductances(_conductances(circuit)),
                                       network.fixed_volts(circuit, x, circuit.v_ref), junction, solved)
    g = network.conductances(_conductances(circuit))
    at_solution = co_content(network.graph, g, state.volts, junction)
    for size in (1e-2, 1e-3, 1e-4):
        for _ in range(10):
            moved = state.volts.copy()
            moved[:, :network.graph.n_free] += size * rng.normal(size=(len(x), network.graph.n_free))
            assert np.all(co_content(network.graph, g, moved, junction) > at_solution), size


def _conductances(circuit):
    from circuitnet.model.circuit import resistors
    return {path: 1.0 / ohms for path, ohms in resistors(circuit)}


@pytest.mark.ngspice
@pytest.mark.parametrize("centered", [False, True])
def test_eqprop_from_ngspice_tends_to_the_surrogates_exact_gradient(spice, centered):
    """As beta -> 0 the two-phase (or centered three-phase) estimate from ngspice's equilibria is
    the implicit-differentiation gradient: cosine >= 0.99 and the relative error falls with beta
    (O(beta), or O(beta^2) centered)."""
    circuit, x, rng = circuit_and_data(4)
    y = rng.uniform(-0.5, 0.5, (len(x), 1))
    loss = MeanSquared()
    _, exact = surrogate.gradient(circuit, x, lambda p: loss.value_and_cotangent(p, y)[1])
    reference = flat(exact.resistors)
    errors = []
    for beta in (0.0125, 0.003, 0.001):
        _, estimate, _ = EqPropGradient(spice, EqPropSettings(beta, centered)).loss_and_gradient(
            circuit, circuit, x, y, loss, 27.0)
        found = flat(estimate)
        assert found @ reference / np.linalg.norm(found) / np.linalg.norm(reference) >= 0.99
        errors.append(np.linalg.norm(found - reference) / np.linalg.norm(reference))
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < (1e-5 if centered else 0.01), errors


@pytest.mark.ngspice
def test_eqprop_for_cross_entropy_on_output_pairs(spice):
    circuit, x, rng = circuit_and_data(5, n_outputs=3)
    classes = rng.integers(0, 3, (len(x), 1)).astype(float)
    loss = SoftmaxCrossEntropy(4.0)
    _, exact = surrogate.gradient(circuit, x, lambda p: loss.value_and_cotangent(p, classes)[1])
    _, estimate, _ = EqPropGradient(spice, EqPropSettings(0.02)).loss_and_gradient(circuit, circuit, x, classes,
                                                                                  loss, 27.0)
    found, reference = flat(estimate), flat(exact.resistors)
    assert found @ reference / np.linalg.norm(found) / np.linalg.norm(reference) >= 0.999


def test_the_surrogate_at_an_operating_point_is_its_own_where_that_is_its_solution():
    """spice-loop linearises at ngspice's node voltages; at the surrogate's own solution that
    is the surrogate's gradient, and elsewhere it differs."""
    circuit, x, rng = circuit_and_data(6)
    y_bar = rng.normal(size=(len(x), 1))
    own, gradient = surrogate.vjp(circuit, x, y_bar)
    nodes = get_topology("resistive").operating_point_nodes(circuit)
    point = {name: own.nodes[name] for name in nodes}
    _, there = surrogate.vjp(circuit, x, y_bar, operating_point=point)
    for path in TRAINED:
        scale = float(np.abs(gradient.resistors[path]).max())
        np.testing.assert_allclose(there.resistors[path], gradient.resistors[path], rtol=1e-6, atol=1e-9 * scale)
    shifted = {name: values + 0.05 for name, values in point.items()}
    _, elsewhere = surrogate.vjp(circuit, x, y_bar, operating_point=shifted)
    assert not np.allclose(elsewhere.resistors[(0, "r_plain")], gradient.resistors[(0, "r_plain")], rtol=1e-3)


@pytest.mark.ngspice
@pytest.mark.parametrize("mode", ["surrogate", "spice-loop", "eqprop"])
def test_every_circuit_mode_lowers_the_loss_of_a_resistive_circuit(spice, mode):
    """A few steps of plain gradient descent on the same circuit and data lower the loss in each
    mode; eqprop's steps come from ngspice alone, on a 1 % board at 60 C."""
    circuit, x, rng = circuit_and_data(7, n=30)
    y = 0.3 * np.sin(np.pi * x[:, :1])
    board = Board(tolerance=0.01, seed=2, temperature_c=60.0)
    problem = CircuitProblem(circuit, 1e-6, mode, board if mode != "surrogate" else None, spice,
                             eqprop=EqPropSettings(0.05))
    params = problem.initial_params()
    first, _ = problem.loss_and_grad(params, x, y)
    for _ in range(15):
        _, (step,) = problem.loss_and_grad(params, x, y)
        params = problem.project([params[0] - 0.3 * step / (np.abs(step).max() + 1e-30)])
    last, _ = problem.loss_and_grad(params, x, y)
    assert last < 0.8 * first, (first, last)
    if mode == "eqprop":
        assert problem.eqprop.solves == 17 * 3 * len(x)  # three phases a step (centered), every sample


def test_eqprop_is_refused_for_a_topology_with_op_amps():
    with pytest.raises(CircuitnetError, match="mode = 'eqprop' trains an energy-based circuit.*--topology resistive"):
        FitConfig(topology="diode", mode="eqprop")
    with pytest.raises(CircuitnetError, match="beta = 0.0"):
        FitConfig(topology="resistive", mode="eqprop", beta=0.0)


@pytest.mark.ngspice
def test_cli_fit_mode_eqprop_trains_a_resistive_circuit(tmp_path):
    import json
    import subprocess
    import sys
    out = tmp_path / "eqprop"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "sine", "--topology", "resistive",
                           "--hidden", "4", "--mode", "eqprop", "--beta", "0.02", "--points", "30", "--epochs", "3",
                           "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["hyperparameters"]["mode"] == "eqprop" and report["hyperparameters"]["beta"] == 0.02
    assert report["hyperparameters"]["centered"] is True
    assert np.isfinite(report["test_rmse_spice"]) and (out / "model.json").exists()


def test_cli_refuses_eqprop_for_a_topology_with_op_amps_and_writes_nothing(tmp_path):
    import subprocess
    import sys
    out = tmp_path / "refused"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--target", "sine", "--topology", "diode",
                           "--mode", "eqprop", "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "mode = 'eqprop' trains an energy-based circuit" in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not out.exists()
