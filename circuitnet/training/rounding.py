"""Rounding many parameters to a grid together, so that their rounding errors cancel.

Each parameter k may take one of a few grid values ``options[k]`` (the values either side
of it, or its present value and the two beside it). The choice minimises a linearised
squared error

    e(d) = residual + J d,   d = chosen - point   (d has shape (P,)),

where ``J`` (shape (m, P)) is the Jacobian of the m outputs at ``point`` and ``residual``
their error there. In terms of ``H = J^T J`` and ``a0 = J^T residual`` (all this module
needs) the squared error is ``|residual|^2 + 2 a0.d + d.H.d``, so moving one or two
parameters is priced in O(1) each, and all such moves at once in O((P K)^2).

The search is steepest descent over moves of one parameter and of pairs (a pair moves along
a valley two resistors share, e.g. a neuron's offset and bias resistors, which one move at a
time can't), then ``kicks`` restarts from the best choice with a few random moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .loss_ties import better


@dataclass(frozen=True)
class LinearModel:
    """The squared error of the outputs around ``point`` (P parameters).

    gram: H = J^T J, shape (P, P). correlation: a0 = J^T residual, shape (P,).
    error0: |residual|^2 at ``point``. point: the parameters it was linearised at, shape (P,).
    """

    gram: np.ndarray
    correlation: np.ndarray
    error0: float
    point: np.ndarray

    @classmethod
    def of(cls, jacobian: np.ndarray, residual: np.ndarray, point: np.ndarray) -> LinearModel:
        return cls(jacobian.T @ jacobian, jacobian.T @ residual, float(residual @ residual), np.asarray(point, float))

    def damped(self, damping: float) -> LinearModel:
        """The model plus ``damping * |d|^2``: a trust region, where the linear model is
        trusted less the further it moves (``damping`` in units of the mean of H's diagonal)."""
        scale = damping * float(np.mean(np.diag(self.gram)))
        return LinearModel(self.gram + scale * np.eye(len(self.gram)), self.correlation, self.error0, self.point)

    def error(self, theta: np.ndarray) -> float:
        d = theta - self.point
        return float(self.error0 + 2.0 * self.correlation @ d + d @ self.gram @ d)


def round_together(model: LinearModel, options: np.ndarray, start: np.ndarray, kicks: int = 100,
                   seed: int = 0, costs: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """The option for every parameter that the search finds best.

    options: shape (P, K), the values parameter k may take (repeat a value to offer fewer).
    start: shape (P,), the index into options[k] to start from.
    costs: shape (P, K) or None (all 0): a price added to the squared error for each option
        taken (in its units), e.g. for an option that needs a second part.
    Returns (index (P,), predicted squared error plus the costs of the options chosen).
    """
    return best_choices(model, options, start, kicks, seed, costs, keep=1)[0]


def best_choices(model: LinearModel, options: np.ndarray, start: np.ndarray, kicks: int = 100, seed: int = 0,
                 costs: np.ndarray | None = None, keep: int = 1) -> list[tuple[np.ndarray, float]]:
    """``round_together``'s search, returning the ``keep`` distinct choices with the least
    predicted error of the local optima it passed through (its descents' ends), best first:
    [(index (P,), predicted squared error plus costs)]. The linear model is an approximation,
    so a caller that can judge by the real error can look at more than the model's best."""
    rng = np.random.default_rng(seed)
    pair_gram = _pair_gram(model.gram, options.shape[1])
    costs = np.zeros(options.shape) if costs is None else np.asarray(costs, dtype=float)
    best, best_error = _descend(model, pair_gram, options, np.asarray(start, int).copy(), costs)
    found = {best.tobytes(): (best, best_error)}
    free = np.flatnonzero(np.ptp(options, axis=1) > 0)
    for _ in range(kicks if len(free) > 1 else 0):
        kicked = best.copy()
        moved = rng.choice(free, size=max(2, len(free) // 6), replace=False)
        kicked[moved] = rng.integers(0, options.shape[1], size=len(moved))
        index, error = _descend(model, pair_gram, options, kicked, costs)
        found.setdefault(index.tobytes(), (index, error))
        if better(error, best_error):
            best, best_error = index, error
    ranked = sorted(found.values(), key=lambda choice: choice[1])  # stable: on a tie, in the order found
    return [(best, best_error)] + [choice for choice in ranked if not np.array_equal(choice[0], best)][:keep - 1]


def _pair_gram(gram: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(H[i, j] for every pair of (parameter, option), shape (P K, P K); the same shape, +inf
    where both are the same parameter, which can't take two options, else 0). Kept apart so
    that a zero step times +inf never makes a NaN."""
    same = np.kron(np.eye(len(gram)), np.ones((k, k))) > 0
    return np.kron(gram, np.ones((k, k))), np.where(same, np.inf, 0.0)


def _descend(model: LinearModel, pair_gram: tuple, options: np.ndarray, index: np.ndarray, costs: np.ndarray):
    """Steepest descent from ``index``: the best move of one or two parameters until none helps."""
    n, k = options.shape
    gram_pairs, blocked = pair_gram
    rows = np.arange(n)
    theta = options[rows, index]
    error = model.error(theta) + float(costs[rows, index].sum())
    slope = model.correlation + model.gram @ (theta - model.point)  # J^T e at theta
    diagonal = np.diag(model.gram)[:, None]
    while True:
        step = options - theta[:, None]  # (P, K): what each option moves its parameter by
        single = 2.0 * step * slope[:, None] + step ** 2 * diagonal + (costs - costs[rows, index][:, None])
        flat_step, flat_single = step.ravel(), single.ravel()
        pair = flat_single[:, None] + flat_single[None, :] + 2.0 * np.outer(flat_step, flat_step) * gram_pairs + blocked
        one = int(np.argmin(flat_single))
        two = np.unravel_index(int(np.argmin(pair)), pair.shape)
        gain = min(flat_single[one], pair[two])
        if not gain < -1e-12 * max(error, 1e-300):
            return index, error
        for flat in ([one] if flat_single[one] <= pair[two] else list(two)):
            parameter, option = divmod(int(flat), k)
            moved = options[parameter, option] - theta[parameter]
            slope = slope + model.gram[:, parameter] * moved
            theta[parameter] = options[parameter, option]
            index[parameter] = option
        error += gain
