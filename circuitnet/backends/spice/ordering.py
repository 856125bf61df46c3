"""The order in which a sample set's samples are simulated: neighbours close together.

A sample-set netlist is one ``.dc`` over the samples (see ``backend``): ngspice starts each
sample's Newton iteration from the previous sample's solution, so the fewer diodes change
state from one sample to the next, the fewer iterations it takes. ``neighbour_order`` walks
the samples greedily, always on to the nearest one not yet visited; the backend simulates them
in that order and puts the outputs back in the caller's order. Measured on the digits28 test
split (784 inputs): see docs/performance.md.
"""

from __future__ import annotations

import numpy as np

# The greedy walk costs O(n^2) distances; longer sets are walked block by block (consecutive
# blocks of the caller's order), which keeps a 200,000-sample set to a few seconds of NumPy.
ORDER_BLOCK = 1000


def neighbour_order(x: np.ndarray, block: int = ORDER_BLOCK) -> np.ndarray:
    """A permutation of the rows of x, shape (n, d), in which consecutive rows are close
    (Euclidean): sorted when d = 1, else a greedy nearest-neighbour walk from the first row of
    each block of ``block`` rows. Returns indices into x, shape (n,)."""
    x = np.asarray(x, dtype=float)
    if x.shape[1] == 1:
        return np.argsort(x[:, 0], kind="stable")
    return np.concatenate([start + _greedy_walk(x[start:start + block]) for start in range(0, len(x), block)])


def _greedy_walk(x: np.ndarray) -> np.ndarray:
    """Greedy nearest-neighbour walk over the rows of x (m, d) from row 0; indices, shape (m,)."""
    squared = np.einsum("ij,ij->i", x, x)
    distance = squared[:, None] + squared[None, :] - 2.0 * (x @ x.T)  # (m, m) squared distances
    visited = np.zeros(len(x), dtype=bool)
    order = np.empty(len(x), dtype=np.int64)
    current = 0
    for step in range(len(x)):
        order[step] = current
        visited[current] = True
        if step + 1 < len(x):
            row = np.where(visited, np.inf, distance[current])
            current = int(np.argmin(row))
    return order


def inverse(order: np.ndarray) -> np.ndarray:
    """The permutation that undoes ``order``: values[order][inverse(order)] == values."""
    undo = np.empty_like(order)
    undo[order] = np.arange(len(order))
    return undo
