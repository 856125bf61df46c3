"""The coupling matrix K of ``c = h @ K + m`` (how the next stage's summing junctions push
current back into a stage's rectifier outputs), applied in the cheaper of two ways.

A finite-gain summer stage couples through its junction voltages, so K = W1^T G (see
``stages.loading``): width x width, but of rank at most the next stage's width (10 for a
784-100-10 classifier). Then ``(h @ W1^T) @ G`` costs 2 n w r multiply-adds against
n w w for ``h @ K``: a fifth, at w = 100 and r = 10.
"""

from __future__ import annotations

import numpy as np

from .autodiff import value_of


class Coupling:
    """K (w, w), and its factors left (w, r) and right (r, w) when their product is cheaper.

    dense: K itself (for its norm and for tests); times(x) = x @ K and times_transposed(x)
    = x @ K^T for x (n, w).
    """

    def __init__(self, dense: np.ndarray, factors: tuple[np.ndarray, np.ndarray] | None = None):
        self.dense = dense
        width = dense.shape[0]
        # the product is cheaper when 2 r < w (two thin products against one square one)
        self.factors = factors if factors is not None and 2 * factors[0].shape[1] < width else None

    @classmethod
    def of(cls, coupling) -> Coupling:
        """From a Var or array; a Var made by ``autodiff.factored_product`` brings its factors."""
        return cls(value_of(coupling), getattr(coupling, "factors", None))

    def times(self, x: np.ndarray) -> np.ndarray:
        if self.factors is None:
            return x @ self.dense
        left, right = self.factors
        return (x @ left) @ right

    def times_transposed(self, x: np.ndarray) -> np.ndarray:
        if self.factors is None:
            return x @ self.dense.T
        left, right = self.factors
        return (x @ right.T) @ left.T
