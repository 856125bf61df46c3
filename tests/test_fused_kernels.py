"""The numba kernels of the diode rectifier (``solvers.fused_diode``) against the NumPy
reference they replace: the same solution, derivatives and gradients to about 1e-12, for
every diode in the library's range (the reverse branch by substitution and by Newton), with
and without coupling; and how the kernel is chosen (``solvers.kernel_choice``)."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import random_network

from circuitnet import realise
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import KernelChoiceError
from circuitnet.model.devices import diode, shockley_diode
from circuitnet.solvers import fused_diode, kernel_choice, rectifiers
from circuitnet.solvers.autodiff import Var, factored_product, grad
from circuitnet.solvers.coupling import Coupling
from circuitnet.solvers.junction import Junction

DIODES = [diode("1N4148"), diode("BAT54"), shockley_diode(IS=1e-14, N=1.0), shockley_diode(IS=1e-6, N=2.0, RS=5)]


@pytest.fixture
def restore_kernel():
    yield
    kernel_choice._chosen.clear()


def _rectifier_case(rng, width=24, n=300, coupled=True):
    """Sources across the knee and far into both branches, loads, and a coupling of the size
    a finite-gain summer gives (row sums about 1e-5 of the load)."""
    v_src = np.concatenate([rng.uniform(-30, 30, (n // 3, width)), rng.uniform(-0.5, 1.5, (n // 3, width)),
                            rng.uniform(-0.1, 0.1, (n - 2 * (n // 3), width))])
    g = np.exp(rng.uniform(np.log(1e-6), np.log(1e-3), width))
    k = rng.normal(size=(width, width)) * (1e-6 * g[:, None] / width) if coupled else np.zeros((width, width))
    m = rng.normal(size=(1, width)) * 1e-7
    return v_src, g, k, m


@pytest.mark.parametrize("model", DIODES, ids=lambda d: d.name)
@pytest.mark.parametrize("coupled", [True, False])
def test_fused_solve_equals_the_numpy_reference(model, coupled):
    """h, the diode current and its slope from the fused kernels equal the NumPy path's. The
    last diode's large IS puts its reverse branch on Newton's method (no substitution)."""
    junction = Junction.of(model, 27.0)
    rng = np.random.default_rng(3)
    v_src, g, k, m = _rectifier_case(rng, coupled=coupled)
    r_total = np.exp(rng.uniform(np.log(1.0), np.log(1e5), g.shape)) + junction.rs
    rounds = rectifiers._coupling_rounds(k, g)
    expected = rectifiers._solve_diode_rectifier(v_src, r_total, g, Coupling(k), m, junction)
    got = fused_diode.solve_diode_rectifier(v_src, r_total, g, Coupling(k), m, junction, rounds, rectifiers._COUPLING_ROUNDS,
                                            rectifiers._LINEAR_COUPLING_VOLTS)
    for name, a, b in zip(("h", "current", "slope"), expected, got):
        scale = np.max(np.abs(a))
        assert np.max(np.abs(a - b)) <= 1e-12 * scale, name


def test_the_last_diode_takes_the_newton_branch():
    """The case above reaches Newton's method: no substitution count for its k (its loads
    reach 1e-6 S, so R + 1/g passes 1e6 ohms)."""
    junction = Junction.of(DIODES[-1], 27.0)
    assert junction.reverse_substitution_steps(1e6 * junction.i_sat) == 0
    assert junction.reverse_substitution_steps(1e3 * Junction.of(DIODES[0]).i_sat) > 0


@pytest.mark.parametrize("topology, hidden", [("diode", [6, 5]), ("passive", [7]), ("diode", [12])])
def test_surrogate_outputs_and_gradients_are_the_same_on_both_kernels(topology, hidden, restore_kernel):
    """The whole surrogate (forward, every reported node, every component's gradient and
    v_ref's) on the NumPy path and on the fused kernels."""
    rng = np.random.default_rng(11)
    circuit = realise(random_network(rng, 3, hidden, 2), topology)
    x = rng.uniform(-1, 1, (200, 3))
    y_bar = rng.normal(size=(200, 2))
    results = {}
    for name in ("numpy", "numba"):
        kernel_choice.use_kernel(name)
        assert kernel_choice.kernel_name() == name
        results[name] = SurrogateBackend().vjp(circuit, x, y_bar)
    (reference, reference_gradient), (fused, fused_gradient) = results["numpy"], results["numba"]
    np.testing.assert_allclose(fused.y_volts, reference.y_volts, rtol=1e-12, atol=1e-15)
    for node, volts in reference.nodes.items():
        np.testing.assert_allclose(fused.nodes[node], volts, rtol=1e-12, atol=1e-15, err_msg=node)
    for key, gradient in reference_gradient.resistors.items():
        scale = float(np.max(np.abs(gradient))) if np.size(gradient) else 0.0
        assert np.max(np.abs(np.asarray(fused_gradient.resistors[key]) - gradient), initial=0.0) <= 1e-11 * scale, key
    assert fused_gradient.v_ref == pytest.approx(reference_gradient.v_ref, rel=1e-11)


def test_an_unknown_kernel_is_refused_with_the_choices(monkeypatch, restore_kernel):
    monkeypatch.setenv(kernel_choice.ENVIRONMENT_VARIABLE, "fortran")
    kernel_choice._chosen.clear()
    with pytest.raises(KernelChoiceError, match=r"CIRCUITNET_KERNEL='fortran' names no kernel; use one of auto, numpy"):
        kernel_choice.fused_kernels()


def test_the_environment_forces_numpy(monkeypatch, restore_kernel):
    monkeypatch.setenv(kernel_choice.ENVIRONMENT_VARIABLE, "numpy")
    kernel_choice._chosen.clear()
    assert kernel_choice.fused_kernels() is None
    assert kernel_choice.kernel_name() == "numpy"


def test_numba_is_imported_only_when_the_surrogate_first_runs():
    """Importing the package and its surrogate backend loads no numba (start-up time); the
    first surrogate pass does, unless CIRCUITNET_KERNEL=numpy."""
    script = ("import sys, numpy as np; import circuitnet; from circuitnet.backends.surrogate import SurrogateBackend; "
              "before = 'numba' in sys.modules; from circuitnet.solvers.kernel_choice import kernel_name; "
              "print(before, kernel_name(), 'numba' in sys.modules)")
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert found == ["False", "numba", "True"]


def test_a_low_rank_coupling_is_applied_through_its_factors():
    """x @ K and x @ K^T through K's factors (rank 3 of 20) equal the dense products, and
    the factored product differentiates as @ does."""
    rng = np.random.default_rng(5)
    left, right = Var(rng.normal(size=(20, 3))), Var(rng.normal(size=(3, 20)))
    product = factored_product(left, right)
    coupling = Coupling.of(product)
    assert coupling.factors is not None
    x = rng.normal(size=(50, 20))
    np.testing.assert_allclose(coupling.times(x), x @ product.value, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(coupling.times_transposed(x), x @ product.value.T, rtol=1e-12, atol=1e-12)
    cotangent = rng.normal(size=(20, 20))
    d_left, d_right = grad([(product, cotangent)], [left, right])
    np.testing.assert_allclose(d_left, cotangent @ right.value.T, rtol=1e-12)
    np.testing.assert_allclose(d_right, left.value.T @ cotangent, rtol=1e-12)
    # a square factoring would cost more than the dense product: kept dense
    assert Coupling.of(factored_product(rng.normal(size=(20, 12)), rng.normal(size=(12, 20)))).factors is None


def test_the_solve_shares_its_rows_over_threads_with_the_same_bits():
    """The solve (an exponential and three logarithms per conducting junction) runs its rows
    on numba's threads, as BLAS runs the products; its elements are independent, so one
    thread and two give the same bits."""
    import numba
    options = fused_diode.solve.targetoptions
    assert options.get("parallel") is True
    assert not options.get("nogil")  # the GIL keeps two Python threads out of numba's pool
    junction = Junction.of(DIODES[0], 27.0)
    v_src, g, k, m = _rectifier_case(np.random.default_rng(5), coupled=True)
    r_total = np.full(g.shape, junction.rs)
    rounds = rectifiers._coupling_rounds(k, g)
    solved = {}
    before = numba.get_num_threads()
    try:
        for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(threads)
            solved[threads] = fused_diode.solve_diode_rectifier(
                v_src, r_total, g, Coupling(k), m, junction, rounds, rectifiers._COUPLING_ROUNDS,
                rectifiers._LINEAR_COUPLING_VOLTS)
    finally:
        numba.set_num_threads(before)
    first, last = solved.values()
    assert all(np.array_equal(a, b) for a, b in zip(first, last, strict=True))
