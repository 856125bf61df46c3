"""A small reverse-mode automatic differentiation over NumPy arrays.

A ``Var`` holds a value (a NumPy array) and, when it takes part in a gradient, how to pass
a cotangent back to the Vars it was made from. Each operation's derivative sits beside its
forward rule (as in micrograd), broadcasting included. The circuit surrogate writes its
linear algebra with these operations and its implicit diode solves as ``custom`` operations
that bring their own vector-Jacobian products.

``grad(output_cotangents, wrt)`` runs the backward pass over the recorded graph.
"""

from __future__ import annotations

from typing import Callable, Sequence

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
                           (other, lambda g: np.swapaxes(a, -1, -2) @ g)))

    def __rmatmul__(self, other):
        return lift(other) @ self

    @property
    def T(self):
        return Var(self.value.T, ((self, lambda g: g.T),))

    def __getitem__(self, index):
        shape = self.shape

        def back(g):
            full = np.zeros(shape)
            np.add.at(full, index, g)
            return full
        return Var(self.value[index], ((self, back),))

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


def lift(value) -> Var:
    """A Var for a constant (no parents: no gradient flows into it)."""
    return value if isinstance(value, Var) else Var(value)


def value_of(value) -> np.ndarray:
    return value.value if isinstance(value, Var) else np.asarray(value, dtype=float)


def unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    """Sum a cotangent over the axes that broadcasting added or stretched."""
    g = np.asarray(g, dtype=float)
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


def concatenate(parts: Sequence, axis: int = -1) -> Var:
    parts = [lift(p) for p in parts]
    sizes = [p.shape[axis] for p in parts]
    edges = np.cumsum([0] + sizes)
    value = np.concatenate([p.value for p in parts], axis=axis)
    parents = tuple((p, (lambda g, lo=lo, hi=hi: np.take(g, np.arange(lo, hi), axis=axis)))
                    for p, lo, hi in zip(parts, edges[:-1], edges[1:]))
    return Var(value, parents)


def where(condition: np.ndarray, a, b) -> Var:
    """Elementwise choice; the gradient goes to the branch that was chosen."""
    a, b = lift(a), lift(b)
    return Var(np.where(condition, a.value, b.value),
               ((a, lambda g: unbroadcast(np.where(condition, g, 0.0), a.shape)),
                (b, lambda g: unbroadcast(np.where(condition, 0.0, g), b.shape))))


def custom(value, inputs: Sequence, vjp: Callable[[np.ndarray], Sequence]) -> Var:
    """An operation with its own vector-Jacobian product.

    vjp: output cotangent -> one cotangent per input (None where no gradient is needed);
    it is called once per backward pass and may share work between the inputs.
    """
    inputs = [lift(v) for v in inputs]
    cache: dict = {}

    def make(index):
        def back(g):
            if index == 0:  # the backward pass calls a node's parents in order, with one g
                cache["grads"] = vjp(g)
            contribution = cache["grads"][index]
            if contribution is None:
                return np.zeros(inputs[index].shape)
            return unbroadcast(contribution, inputs[index].shape)
        return back
    return Var(value, tuple((v, make(i)) for i, v in enumerate(inputs)))


def grad(outputs: Sequence[tuple[Var, np.ndarray]], wrt: Sequence[Var]) -> list[np.ndarray]:
    """d(sum of <cotangent, output>)/d(each of ``wrt``), by one reverse pass.

    outputs: (Var, cotangent of the same shape) pairs.
    """
    order, seen = [], set()

    def visit(node: Var) -> None:  # iterative topological sort: graphs can be deep
        stack = [(node, False)]
        while stack:
            current, done = stack.pop()
            if done:
                order.append(current)
                continue
            if id(current) in seen:
                continue
            seen.add(id(current))
            stack.append((current, True))
            for parent, _ in current.parents:
                if id(parent) not in seen:
                    stack.append((parent, False))
    for node, _ in outputs:
        visit(node)
    cotangent = {id(node): np.zeros(node.shape) for node in order}
    for node, g in outputs:
        cotangent[id(node)] = cotangent[id(node)] + np.broadcast_to(np.asarray(g, float), node.shape)
    for node in reversed(order):
        g = cotangent[id(node)]
        if not node.parents or not np.any(g):
            continue
        for parent, back in node.parents:
            cotangent[id(parent)] = cotangent[id(parent)] + back(g)
    return [cotangent.get(id(v), np.zeros(v.shape)) for v in wrt]
