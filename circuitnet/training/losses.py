"""What a fit minimises: squared error for regression, softmax cross-entropy for classes.

A loss compares predictions (n, n_outputs), data units, with targets (n, n_target_columns)
and gives its value and the cotangent d(loss)/d(prediction), so every problem (the ideal
network's, the circuit's) trains with either. The ridge penalty is the problem's, not the
loss's.
"""

from __future__ import annotations

import numpy as np


class MeanSquared:
    """mean((prediction - target)**2) over samples and outputs; target has the prediction's shape."""

    name = "mean squared error"

    @staticmethod
    def value_and_cotangent(prediction: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        residual = prediction - target
        return float(np.mean(residual ** 2)), 2.0 * residual / residual.size

    @staticmethod
    def value(prediction: np.ndarray, target: np.ndarray) -> float:
        return float(np.mean((prediction - target) ** 2))


class SoftmaxCrossEntropy:
    """mean over samples of -log softmax(gain * prediction)[class]: each output is one class's
    score (data units); target holds the class index of each sample, shape (n, 1).

    gain: logits per data unit. Cross-entropy keeps widening the margins between scores, and
    ridge alone lets them grow past what an op-amp can output (22 V against a 15 V rail on
    the digits at gain 1); a gain above 1 buys the same margins with outputs ``gain`` times
    smaller, while the argmax, the prediction, is unchanged.
    """

    name = "cross-entropy"

    def __init__(self, gain: float = 1.0):
        self.gain = float(gain)

    def probabilities(self, prediction: np.ndarray) -> np.ndarray:
        """softmax over the scaled outputs, shape (n, n_classes); stable for large scores."""
        shifted, log_sum = self._log_softmax_parts(prediction)
        return np.exp(shifted - log_sum[:, None])

    def _log_softmax_parts(self, prediction: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(shifted logits (n, n_classes), log of their exp-sum (n,)): log p = shifted - log_sum."""
        logits = self.gain * prediction
        shifted = logits - logits.max(axis=1, keepdims=True)
        return shifted, np.log(np.exp(shifted).sum(axis=1))

    def value_and_cotangent(self, prediction: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        index = target[:, 0].astype(np.int64)
        rows = np.arange(len(index))
        shifted, log_sum = self._log_softmax_parts(prediction)
        value = float(np.mean(log_sum - shifted[rows, index]))
        cotangent = np.exp(shifted - log_sum[:, None])
        cotangent[rows, index] -= 1.0
        return value, cotangent * (self.gain / len(index))

    def value(self, prediction: np.ndarray, target: np.ndarray) -> float:
        index = target[:, 0].astype(np.int64)
        shifted, log_sum = self._log_softmax_parts(prediction)
        return float(np.mean(log_sum - shifted[np.arange(len(index)), index]))


def accuracy(prediction: np.ndarray, target: np.ndarray) -> float:
    """The fraction of samples whose highest output is their class (target: (n, 1) indices)."""
    return float(np.mean(np.argmax(prediction, axis=1) == target[:, 0].astype(np.int64)))


def loss_for(task: str, score_gain: float = 1.0):
    """The loss of a task: ``regress`` or ``classify`` (with logits ``score_gain`` per data unit)."""
    return SoftmaxCrossEntropy(score_gain) if task == "classify" else MeanSquared()
