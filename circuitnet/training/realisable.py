"""Keeping an ideal network realisable while it trains.

Every weight of a summer is a resistor ``R_f / |w|`` from one range (by default 1 k to
1 M, 1000:1), so a summer can hold weights spanning at most that ratio: a weight much
smaller than the largest in its row has no resistor to stand for it. With 64 to 784
inputs per summer this binds on many weights. The projection after every step sets each
weight (and bias) below ``row max / ratio`` to 0, which is what the circuit does with it
(no resistor); training then adapts the others to its absence instead of discovering it
at realisation. The ratio keeps a margin under the range's because topologies scale
columns differently (bias against v_ref, diode-drop offsets, divider shares);
``pruning.realise_pruned`` drops whatever the margin misses, and the report counts both.
"""

from __future__ import annotations

import numpy as np

MARGIN = 4.0  # the projection's ratio is the resistor range's ratio divided by this


class RowRatioProjection:
    """Zero every entry of a layer's [weights | bias] rows below ``row max / ratio``."""

    def __init__(self, resistor_range: tuple[float, float], margin: float = MARGIN):
        self.ratio = resistor_range[1] / resistor_range[0] / margin

    def __call__(self, params: list) -> list:
        projected = []
        for weights, biases in zip(params[0::2], params[1::2], strict=False):
            rows = _magnitudes(weights, biases)
            floor = rows.max(axis=1, keepdims=True) / self.ratio
            keep = rows >= floor
            projected += [np.where(keep[:, :-1], weights, 0.0), np.where(keep[:, -1], biases, 0.0)]
        return projected

    def holds(self, params: list) -> bool:
        """Whether every row's nonzero entries span at most ``ratio`` (true after __call__)."""
        for weights, biases in zip(params[0::2], params[1::2], strict=False):
            rows = _magnitudes(weights, biases)
            smallest = np.where(rows > 0, rows, np.inf).min(axis=1)
            if np.any(rows.max(axis=1) > self.ratio * smallest * (1 + 1e-12)):
                return False
        return True


def _magnitudes(weights: np.ndarray, biases: np.ndarray) -> np.ndarray:
    """|[weights | bias]| of each summer, shape (n_out, n_in + 1)."""
    return np.concatenate([np.abs(weights), np.abs(biases)[:, None]], axis=1)


def zero_weights(network) -> int:
    """How many weights and biases of a ReLUNet are exactly 0 (no resistor in the circuit)."""
    return int(sum(np.count_nonzero(layer.weights == 0) + np.count_nonzero(layer.biases == 0)
                   for layer in network.layers))
