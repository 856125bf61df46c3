"""One backend interface (``backends.protocol``): outputs, node voltages at an operating point
and a vector-Jacobian product, implemented by the surrogate and by ngspice; training uses it
(the spice-loop gradient is ngspice's operating point and the surrogate's adjoint there); and a
backend passed in, with its pool, is the one every ngspice run of an analysis goes to."""

from pathlib import Path

import numpy as np
import pytest
from conftest import CountingPool, random_network

from circuitnet import Sweep, load_model, realise
from circuitnet.analysis.classifier_compare import compare_classifier
from circuitnet.analysis.compare import compare_circuit
from circuitnet.backends import registry
from circuitnet.backends.ideal import IdealBackend
from circuitnet.backends.protocol import Backend, Differentiable, Measuring, OperatingPoint
from circuitnet.backends.spice import backend as spice_backend
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.model.board import Board
from circuitnet.topologies import TOPOLOGIES, get_topology
from circuitnet.training.circuit_problem import CircuitProblem
from circuitnet.training.config import TrainingMode
from circuitnet.util.executor import LocalExecutor

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def test_each_backend_says_which_parts_of_the_interface_it_implements():
    for backend in (SurrogateBackend(), SpiceBackend()):
        assert isinstance(backend, Measuring) and isinstance(backend, Differentiable)
    assert isinstance(IdealBackend(), Backend) and not isinstance(IdealBackend(), Differentiable)


def test_the_registry_makes_a_backend_per_call_on_the_pool_given():
    pool = CountingPool(None)
    made = registry.get_backend("spice", pool=pool)
    assert made.pool is pool and registry.get_backend("spice") is not registry.get_backend("spice")


@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_the_surrogate_gradient_at_its_own_operating_point_is_its_gradient(topology):
    rng = np.random.default_rng(6)
    circuit = realise(random_network(rng, 2, [3], 1, zero_fraction=0.0), topology)
    x, y_bar = rng.uniform(-1, 1, (12, 2)), rng.normal(size=(12, 1))
    surrogate = SurrogateBackend()
    result, point = surrogate.operating_point(circuit, x)
    assert sorted(point.nodes) == sorted(get_topology(topology).operating_point_nodes(circuit))
    _, own = surrogate.vjp(circuit, x, y_bar)
    _, there = surrogate.vjp(circuit, x, y_bar, operating_point=point)
    # a coupled (energy-based) network is solved by Newton's method to its own tolerance, and
    # linearising at the volts it reports agrees to that tolerance; a stage-wise one exactly
    rtol = 1e-5 if get_topology(topology).energy_based else 1e-8
    for key in own.resistors:
        np.testing.assert_allclose(there.resistors[key], own.resistors[key], rtol=rtol, atol=1e-18)
    np.testing.assert_array_equal(result.y, surrogate.simulate(circuit, x).y)


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_the_ngspice_vjp_is_the_surrogate_adjoint_at_the_ngspice_operating_point(spice, topology):
    rng = np.random.default_rng(8)
    circuit = realise(random_network(rng, 1, [3], 1, zero_fraction=0.0), topology)
    x, y_bar = np.linspace(-1, 1, 9)[:, None], rng.normal(size=(9, 1))
    measured, point = spice.operating_point(circuit, x)
    assert point.backend == "spice" and sorted(point.nodes) == sorted(
        get_topology(topology).operating_point_nodes(circuit))
    np.testing.assert_array_equal(measured.y, spice.simulate(circuit, x).y)
    result, gradient = spice.vjp(circuit, x, y_bar)
    _, expected = SurrogateBackend().vjp(circuit, x, y_bar, operating_point=point)
    np.testing.assert_array_equal(result.y, measured.y)
    for key in expected.resistors:
        np.testing.assert_allclose(gradient.resistors[key], expected.resistors[key], rtol=1e-12, atol=0)


class Recording:
    """A backend that hands every call to another and records the method's name."""

    def __init__(self, inner):
        self.inner, self.name, self.calls = inner, inner.name, []

    def __getattr__(self, method):
        def call(*args, **kwargs):
            self.calls.append(method)
            return getattr(self.inner, method)(*args, **kwargs)
        return call


@pytest.mark.ngspice
def test_spice_loop_trains_on_the_measuring_backend_and_the_differentiable_one_given(spice):
    rng = np.random.default_rng(9)
    circuit = realise(random_network(rng, 1, [3], 1, zero_fraction=0.0), "diode")
    x = np.linspace(-1, 1, 7)[:, None]
    y = np.abs(x)
    board = Board(tolerance=0.02, seed=3)
    measuring, differentiable = Recording(spice), Recording(SurrogateBackend())
    problem = CircuitProblem(circuit, 0.0, TrainingMode.SPICE_LOOP.value, board, measuring,
                             surrogate=differentiable)
    params = problem.initial_params()
    loss, (d_theta,) = problem.loss_and_grad(params, x, y)
    assert measuring.calls == ["operating_point"] and differentiable.calls == ["vjp"]
    # the same loss and gradient from the interface by hand: ngspice on the board, the adjoint there
    measured, point = spice.operating_point(board.apply(circuit), x, board.temperature_c)
    assert loss == pytest.approx(problem.loss.value(measured.y, y), rel=1e-12)
    y_bar = problem.loss.value_and_cotangent(measured.y, y)[1]
    _, gradient = SurrogateBackend().vjp(circuit, x, y_bar, operating_point=point)
    by_hand = np.concatenate([gradient.resistors[path][mask] for path, (mask, _) in problem.slots.items()])
    np.testing.assert_allclose(d_theta, -by_hand * np.exp(-params[0]), rtol=1e-10)
    surrogate_mode = CircuitProblem(circuit, 0.0, surrogate=differentiable)
    surrogate_mode.loss_and_grad(params, x, y)
    assert differentiable.calls == ["vjp", "gradient"]


class _NoPoolOfItsOwn:
    """Stands in for WorkerPool in the backend module: no backend may make a pool of its own."""

    def __init__(self, *args, **kwargs):
        raise AssertionError("a backend made a pool of its own although a backend was passed in")


@pytest.mark.ngspice
def test_compare_runs_every_netlist_on_the_backend_passed_in(spice_pool, monkeypatch):
    monkeypatch.setattr(spice_backend, "WorkerPool", _NoPoolOfItsOwn)
    pool = CountingPool(spice_pool)
    circuit = load_model(NETLISTS / "eight_diode.json")
    compare_circuit(circuit, Sweep(-1.0, 1.0, 21), temperatures=(27.0, 70.0), montecarlo=4, tolerance=0.01,
                    executor=LocalExecutor(2), spice=SpiceBackend(pool))
    # nominal, 70 C, 4 boards and the median board again, the power sweep, violations at 27 and 70 C
    assert pool.netlists == 1 + 1 + 5 + 1 + 2


@pytest.mark.ngspice
def test_a_classifier_compare_runs_every_netlist_on_the_backend_passed_in(spice_pool, monkeypatch):
    monkeypatch.setattr(spice_backend, "WorkerPool", _NoPoolOfItsOwn)
    rng = np.random.default_rng(2)
    circuit = realise(random_network(rng, 2, [4], 3, zero_fraction=0.0), "diode")
    x = rng.uniform(-1.0, 1.0, (24, 2))
    pool = CountingPool(spice_pool)
    compare_classifier(circuit, x, np.zeros(24, dtype=int), temperatures=(27.0, 70.0), montecarlo=3,
                       executor=LocalExecutor(2), spice=SpiceBackend(pool))
    from circuitnet.backends.spice.sharded import chunk_bounds
    assert len(chunk_bounds(24)) == 2
    assert pool.netlists == 2 + 2 + 3  # 24 samples: two chunks at each temperature, one netlist per board


def test_an_operating_point_names_its_nodes_temperature_and_backend():
    point = OperatingPoint({"l0n0_h": np.zeros(3)}, 40.0, "spice")
    assert point.temperature_c == 40.0 and point.backend == "spice" and list(point.nodes) == ["l0n0_h"]
