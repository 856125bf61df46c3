"""A small reverse-mode automatic differentiation over NumPy arrays.

A ``Var`` holds a value (a NumPy array) and, when it takes part in a gradient, how to pass
a cotangent back to the Vars it was made from. Each operation's derivative sits beside its
forward rule (as in micrograd), broadcasting included. The circuit surrogate writes its
linear algebra with these operations and its implicit diode solves as ``custom`` operations
that bring their own vector-Jacobian products.

``grad(output_cotangents, wrt)`` runs the backward pass over the recorded graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


class Var:
    """A value in the graph. ``parents`` pairs each input Var with the function that maps
    this Var's cotangent to that input's cotangent contribution."""

    __slots__ = ("value", "parents")
    __array_priority__ = 1000  # so numpy_array * Var uses Var.__rmul__

    def __init__(self, value, parents: tuple = ()):
        self.value = np.asarray(value, dtype=float)
        self.parents = parents

    @property
    def shape(self):
        return self.value.shape

    # -- arithmetic -------------------------------------------------------------------
    def __add__(self, other):
        other = lift(other)
        return Var(self.value + other.value,
                   ((self, lambda g: unbroadcast(g, self.shape)), (other, lambda g: unbroadcast(g, other.shape))))

    __radd__ = __add__

    def __neg__(self):
        return Var(-self.value, ((self, lambda g: -g),))

    def __sub__(self, other):
        return self + (-lift(other))

    def __rsub__(self, other):
        return lift(other) + (-self)

    def __mul__(self, other):
        other = lift(other)
        a, b = self.value, other.value
        return Var(a * b, ((self, lambda g: unbroadcast(g * b, self.shape)),
                           (other, lambda g: unbroadcast(g * a, other.shape))))

    __rmul__ = __mul__

    def __truediv__(self, other):
        other = lift(other)
        a, b = self.value, other.value
        out = a / b
        return Var(out, ((self, lambda g: unbroadcast(g / b, self.shape)),
                         (other, lambda g: unbroadcast(-g * out / b, other.shape))))

    def __rtruediv__(self, other):
        return lift(other) / self

    def __matmul__(self, other):
        other = lift(other)
        a, b = self.value, other.value
        return Var(a @ b, ((self, lambda g: g @ np.swapaxes(b, -1, -2)),
                           (other, lambda g: transposed_times(a, g))))

    def __rmatmul__(self, other):
        return lift(other) @ self

    @property
    def T(self):
        return Var(self.value.T, ((self, lambda g: g.T),))

    def __getitem__(self, index):
        shape = self.shape
        return Var(self.value[index], ((self, lambda g: Scattered(shape, index, g)),))

    def sum(self, axis=None, keepdims=False):
        shape = self.shape

        def back(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape)
        return Var(self.value.sum(axis=axis, keepdims=keepdims), ((self, back),))

    def reshape(self, *shape):
        original = self.shape
        return Var(self.value.reshape(*shape), ((self, lambda g: g.reshape(original)),))


class Scattered:
    """The cotangent an indexed Var passes back: zero except at ``index``, where it is
    ``values``. ``grad`` adds it into a node's sum in place rather than as a full array of
    zeros: a stage's conductances (100 x 785 for MNIST) are indexed twice, for the weights
    and for the reference column, and each full array would cost two passes over them."""

    __slots__ = ("shape", "index", "values")

    def __init__(self, shape: tuple, index, values: np.ndarray):
        self.shape, self.index, self.values = shape, index, values

    def add_into(self, total: np.ndarray) -> np.ndarray:
        if _is_basic(self.index):
            total[self.index] += self.values  # a basic index picks each element at most once
        else:
            np.add.at(total, self.index, self.values)
        return total

    def dense(self) -> np.ndarray:
        return self.add_into(np.zeros(self.shape))


def dense(g) -> np.ndarray:
    """A cotangent as an array (a ``Scattered`` one made full)."""
    return g.dense() if isinstance(g, Scattered) else g


class Product(Var):
    """``a @ b`` that keeps its factors' values, so that x @ (a @ b) can be formed as
    (x @ a) @ b when the inner dimension is small (see ``solvers.coupling``)."""

    __slots__ = ("factors",)
    factors: tuple[np.ndarray, np.ndarray]  # the values of a and b in a @ b


def factored_product(a, b) -> Product:
    """a @ b (2-D Vars or arrays), differentiable as ``@``, remembering (a, b) as values."""
    product = lift(a) @ lift(b)
    out = Product(product.value, product.parents)
    out.factors = (value_of(a), value_of(b))
    return out


def _is_basic(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(isinstance(p, (int, slice)) or p is Ellipsis for p in parts)


def lift(value) -> Var:
    """A Var for a constant (no parents: no gradient flows into it)."""
    return value if isinstance(value, Var) else Var(value)


def value_of(value) -> np.ndarray:
    return value.value if isinstance(value, Var) else np.asarray(value, dtype=float)


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a cotangent over the axes that broadcasting added or stretched."""
    g = np.asarray(g, dtype=float)
    if g.ndim == 2 and len(shape) <= 2 and g.shape[0] > 1 and (len(shape) < 2 or shape[0] == 1):
        g = column_sums(g)  # the common case, (n, w) onto (w,) or (1, w)
        if len(shape) == 2:
            g = g.reshape(1, -1)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def affine(x, w, b) -> Var:
    """x @ w + b, differentiable: x (n, k), w (k, m), b broadcast against (n, m); the value
    C-ordered (n, m).

    For n > m (a stage: 1,079 samples, 100 units) OpenBLAS forms the product faster as
    (w^T @ x^T)^T, with the long rows in its output: 3.30 ms against 4.19 ms for the first
    stage's (1079, 784) x (784, 100) on one BLAS thread (CPU time, median of 60). That
    product is F-ordered; the bias is added into a C-ordered array in the same pass, so the
    junction kernels, which walk rows, get the layout they need without a copy. The bits
    differ from x @ w + b's by rounding (the two products sum in different orders).
    """
    x, w, b = lift(x), lift(w), lift(b)
    xv, wv, bv = x.value, w.value, b.value
    if xv.ndim != 2 or wv.ndim != 2 or xv.shape[0] <= wv.shape[1]:
        return x @ w + b
    value = np.add((wv.T @ xv.T).T, bv, order="C")
    return Var(value, ((x, lambda g: g @ wv.T), (w, lambda g: transposed_times(xv, g)),
                       (b, lambda g: unbroadcast(g, bv.shape))))


def transposed_times(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """a^T @ g, the cotangent of b in a @ b; for 2-D arrays formed as (g^T @ a)^T.

    OpenBLAS runs the product with the long output rows faster: for the first stage's
    weights (x (1079, 784), g (1079, 100)) g^T @ a took 3.98 ms against 5.23 ms for
    a^T @ g (one BLAS thread, CPU time, median of 60), with the same bits. The result is the
    transposed view of a C-ordered array: the (n_out, n_in) layout of the stage's
    conductances, which the rest of the reverse pass indexes.
    """
    if a.ndim == 2 and g.ndim == 2:
        return (g.T @ a).T
    return np.swapaxes(a, -1, -2) @ g


def column_sums(a: np.ndarray) -> np.ndarray:
    """a.sum(0) of a 2-D array as a matrix-vector product, which uses BLAS where sum(0) does not."""
    return np.ones(a.shape[0]) @ a


def where(condition: np.ndarray, a, b) -> Var:
    """Elementwise choice; the gradient goes to the branch that was chosen."""
    a, b = lift(a), lift(b)
    return Var(np.where(condition, a.value, b.value),
               ((a, lambda g: unbroadcast(np.where(condition, g, 0.0), a.shape)),
                (b, lambda g: unbroadcast(np.where(condition, 0.0, g), b.shape))))


def custom(value, inputs: Sequence, vjp: Callable[[np.ndarray], Sequence]) -> Var:
    """An operation with its own vector-Jacobian product.

    vjp: output cotangent -> one cotangent per input: an array, None (no gradient), or a
    function of no arguments that computes it, called only when that input needs it. The
    vjp is called once per backward pass and may share work between the inputs.
    """
    inputs = [lift(v) for v in inputs]
    cache: dict = {}

    def make(index):
        def back(g):
            if cache.get("for") is not g:  # a backward pass hands every parent the same g
                cache["for"], cache["grads"] = g, vjp(g)
            contribution = cache["grads"][index]
            if callable(contribution):
                contribution = contribution()
            if contribution is None:
                return np.zeros(inputs[index].shape)
            return unbroadcast(contribution, inputs[index].shape)
        return back
    return Var(value, tuple((v, make(i)) for i, v in enumerate(inputs)))


def grad(outputs: Sequence[tuple[Var, np.ndarray]], wrt: Sequence[Var]) -> list[np.ndarray]:
    """d(sum of <cotangent, output>)/d(each of ``wrt``), by one reverse pass.

    outputs: (Var, cotangent of the same shape) pairs. Only the part of the graph between
    the outputs and ``wrt`` is visited: constants and inputs get no cotangent. The returned
    arrays are the caller's own (fresh, writable).
    """
    order, needed = _topological_order([node for node, _ in outputs], {id(v) for v in wrt})
    cotangent: dict[int, np.ndarray] = {}
    # The cotangents this pass allocated itself (sums of two contributions): only these may
    # take further contributions in place. An arriving cotangent may be another node's array
    # or a view of it (an identity or broadcast backward), so it is stored as it comes and
    # copied on the second arrival. A node's sum is complete before its own backward runs,
    # so no view of an array is taken while it is still being added to.
    owned: set[int] = set()

    def add(node: Var, g) -> None:
        key = id(node)
        total = cotangent.get(key)
        if total is None:
            cotangent[key] = g  # as it comes: it may be another node's array, or Scattered
        elif key in owned and (isinstance(g, Scattered) or np.shape(g) in (total.shape, ())):
            cotangent[key] = _add_into(total, g)
        else:  # the second contribution: a sum of our own, which later ones are added into
            cotangent[key] = _sum(total, g)
            owned.add(key)

    for node, g in outputs:
        add(node, np.broadcast_to(np.asarray(g, float), node.shape))
    for node in reversed(order):
        arriving = cotangent.get(id(node))
        if arriving is None or not node.parents:
            continue
        arriving = dense(arriving)
        for parent, back in node.parents:
            if id(parent) in needed:
                add(parent, back(arriving))
    return [_result_of(v, cotangent, owned) for v in wrt]


def _sum(a, b) -> np.ndarray:
    """a + b as a fresh array; either may be ``Scattered``."""
    if isinstance(a, Scattered):
        a, b = b, a
    if isinstance(b, Scattered):
        base = a.dense() if isinstance(a, Scattered) else np.array(np.broadcast_to(a, b.shape), dtype=float)
        return b.add_into(base)
    return a + b


def _add_into(total: np.ndarray, g) -> np.ndarray:
    """total + g, into total where it is an array (a 0-d sum is a NumPy scalar: a new one)."""
    if not isinstance(total, np.ndarray) or total.ndim == 0:
        return total + dense(g)
    if isinstance(g, Scattered):
        return g.add_into(total)
    total += g
    return total


def _result_of(v: Var, cotangent: dict[int, np.ndarray], owned: set[int]) -> np.ndarray:
    """The cotangent of ``v`` as a fresh array: an owned sum of a leaf (nothing took a view of
    it: a leaf has no backward) is handed over as it is, anything else is copied."""
    key = id(v)
    if key not in cotangent:
        return np.zeros(v.shape)
    total = cotangent[key]
    if isinstance(total, Scattered):
        return total.dense()
    if key in owned and not v.parents and isinstance(total, np.ndarray) and total.dtype == float \
            and total.shape == v.shape:
        return total
    return np.array(total, dtype=float)


def _topological_order(roots: Sequence[Var], targets: set[int]) -> tuple[list[Var], set[int]]:
    """Every node the roots depend on, parents before children, and the ids of those that
    lie on a path from a target (by id) to a root: the only ones a cotangent must reach.
    Iterative, not recursive: graphs can be deeper than Python's recursion limit."""
    order: list[Var] = []
    seen: set[int] = set()
    needed: set[int] = set()
    for root in roots:
        stack = [(root, False)]
        while stack:
            current, done = stack.pop()
            if done:
                order.append(current)
                if id(current) in targets or any(id(parent) in needed for parent, _ in current.parents):
                    needed.add(id(current))
                continue
            if id(current) in seen:
                continue
            seen.add(id(current))
            stack.append((current, True))
            stack.extend((parent, False) for parent, _ in current.parents if id(parent) not in seen)
    return order, needed
