"""The reverse pass of ``solvers.autodiff``: cotangents summed in place where the pass owns
the sum, an indexed Var's cotangent added only where it was indexed (a stage's conductance
arrays are indexed twice, for the weights and for the reference column), and every array
``grad`` returns the caller's own. Checked against gradients worked by hand."""

import numpy as np

from circuitnet.solvers.autodiff import Scattered, Var, affine, grad


def test_a_twice_indexed_and_summed_array_gets_every_contribution():
    rng = np.random.default_rng(0)
    g = Var(rng.uniform(1, 2, (4, 6)))
    signals = rng.normal(size=(5, 5))
    # as stages._affine_inflow and input_conductance use a stage's conductances
    out = signals @ g[:, :5].T + g[:, 5] * 3.0 + g.sum(1) * 2.0
    cotangent = rng.normal(size=(5, 4))
    (found,) = grad([(out, cotangent)], [g])
    expected = np.zeros((4, 6))
    expected[:, :5] = cotangent.T @ signals
    expected[:, 5] = 3.0 * cotangent.sum(0)
    expected += 2.0 * cotangent.sum(0)[:, None]
    np.testing.assert_allclose(found, expected, rtol=1e-13)


def test_an_indexed_var_passes_back_only_what_it_indexed():
    g = Var(np.ones((3, 4)))
    picked = g[:, 1]
    (node, back), = picked.parents
    assert node is g
    passed = back(np.array([1.0, 2.0, 3.0]))
    assert isinstance(passed, Scattered) and passed.values.shape == (3,)
    np.testing.assert_array_equal(passed.dense(), [[0, 1, 0, 0], [0, 2, 0, 0], [0, 3, 0, 0]])


def test_a_fancy_index_that_repeats_an_element_adds_both():
    a = Var(np.arange(4.0))
    out = a[np.array([1, 1, 3])] * 2.0 + a[0]
    (found,) = grad([(out, np.ones(3))], [a])
    np.testing.assert_array_equal(found, [3.0, 4.0, 0.0, 2.0])


def test_the_returned_gradients_are_fresh_writable_arrays():
    """``SurrogateBackend.gradient`` turns conductance gradients into resistor gradients in
    place, so no two returned arrays may share memory, nor any with the graph's values."""
    a, b, c = Var(np.ones(3)), Var(np.full(3, 2.0)), Var(np.array(5.0))
    out = a + b + a * b + (a + b) * c
    cotangent = np.array([1.0, 2.0, 3.0])
    found = grad([(out, cotangent)], [a, b, c])
    for array in found:
        assert isinstance(array, np.ndarray) and array.flags.writeable
    assert not any(np.shares_memory(x, y) for i, x in enumerate(found) for y in found[i + 1:])
    assert not np.shares_memory(found[0], cotangent)
    np.testing.assert_allclose(found[0], cotangent * (1 + 2.0 + 5.0))
    np.testing.assert_allclose(found[1], cotangent * (1 + 1.0 + 5.0))
    assert float(found[2]) == float(np.sum(cotangent * 3.0))
    found[0] += 1.0  # changing one leaves the others as they were
    np.testing.assert_allclose(found[1], cotangent * 7.0)


def test_a_scalar_takes_three_contributions():
    """A 0-d sum is a NumPy scalar, not an array: it cannot be added to in place."""
    v = Var(2.0)
    out = v * 1.0 + v * 2.0 + v * 4.0
    (found,) = grad([(out, np.array(1.0))], [v])
    assert float(found) == 7.0 and isinstance(found, np.ndarray)


def test_a_products_right_factor_gets_its_cotangent_in_the_weights_layout():
    # b's cotangent a^T g is formed as (g^T a)^T, the faster product for a stage's inputs
    # (n, n_in) and junction cotangents (n, n_out): the transposed view of a C-ordered
    # (n_out, n_in) array, the layout of the conductances it is added into
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(7, 5)), Var(rng.normal(size=(5, 3)))
    cotangent = rng.normal(size=(7, 3))
    (node, back), = (a @ b).parents[1:]
    passed = back(cotangent)
    assert node is b and passed.T.flags.c_contiguous
    np.testing.assert_allclose(passed, a.T @ cotangent, rtol=1e-14)
    stacked = Var(rng.normal(size=(2, 5, 3)))
    (_, back), = (rng.normal(size=(2, 7, 5)) @ stacked).parents[1:]
    assert back(rng.normal(size=(2, 7, 3))).shape == (2, 5, 3)


def test_an_affine_map_is_a_product_plus_a_bias_in_row_order_with_its_three_cotangents():
    # a stage's summers: more samples than units, so the product is formed transposed
    rng = np.random.default_rng(2)
    x, w, b = (Var(rng.normal(size=shape)) for shape in ((9, 6), (6, 4), (4,)))
    out = affine(x, w, b)
    assert out.value.flags.c_contiguous
    np.testing.assert_allclose(out.value, x.value @ w.value + b.value, rtol=1e-14)
    cotangent = rng.normal(size=(9, 4))
    found = grad([(out, cotangent)], [x, w, b])
    expected = [cotangent @ w.value.T, x.value.T @ cotangent, cotangent.sum(0)]
    for got, want in zip(found, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    few = Var(rng.normal(size=(2, 6)))  # fewer samples than units: the plain product
    np.testing.assert_allclose(affine(few, w, b).value, few.value @ w.value + b.value, rtol=1e-14)
