"""What a fit minimises: squared error for regression, softmax cross-entropy for classes.

A loss compares predictions (n, n_outputs), data units, with targets (n, n_target_columns)
and gives its value and the cotangent d(loss)/d(prediction), so every problem (the ideal
network's, the circuit's, E-series fine-tuning's) trains with either. The ridge penalty is
the problem's, not the loss's. A classifier's loss also pays for outputs beyond a swing
(``RailBounded``): every output is an op-amp summer, and the bound must hold in every stage.
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
    ridge alone lets them grow past what an op-amp can output (docs/classifying.md has the
    digits' case); a gain above 1 buys the same margins with outputs ``gain`` times
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


SWING_PENALTY = 1.0  # per squared data unit beyond the swing, per summer, averaged over samples


def swing_penalty(z: np.ndarray, swing: float) -> tuple[float, np.ndarray]:
    """``SWING_PENALTY * sum((|z| - swing)**2 where |z| > swing) / n`` and its gradient (z's shape).

    z: (n, width) summer outputs, data units; swing: the most a summer may output, data units.
    """
    beyond = np.maximum(np.abs(z) - swing, 0.0)
    n = len(z)
    return SWING_PENALTY * float(np.sum(beyond ** 2)) / n, 2.0 * SWING_PENALTY * beyond * np.sign(z) / n


class RailBounded:
    """A loss plus ``swing_penalty`` on its predictions: each output is an op-amp summer that
    must stay inside its rails.

    Cross-entropy keeps widening the margins on separable data (iris: an output summer at
    -21.5 V against a 15 V rail, -81.9 V at 32 neurons, with the bound on the hidden summers
    only), so the output summers need the same bound in every stage that trains: the ideal
    network, the circuit (surrogate or spice-loop) and E-series fine-tuning all minimise this.
    Validation sees it too, so the best epoch is one whose outputs stay in bounds.
    """

    def __init__(self, loss, swing: float):
        self.loss = loss
        self.swing = float(swing)
        self.name = f"{loss.name} + output swing beyond {self.swing:g}"

    def value_and_cotangent(self, prediction: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
        value, cotangent = self.loss.value_and_cotangent(prediction, target)
        penalty, gradient = swing_penalty(prediction, self.swing)
        return value + penalty, cotangent + gradient

    def value(self, prediction: np.ndarray, target: np.ndarray) -> float:
        return self.loss.value(prediction, target) + swing_penalty(prediction, self.swing)[0]


def accuracy(prediction: np.ndarray, target: np.ndarray) -> float:
    """The fraction of samples whose highest output is their class (target: (n, 1) indices)."""
    return float(np.mean(np.argmax(prediction, axis=1) == target[:, 0].astype(np.int64)))


def loss_for(task: str, score_gain: float = 1.0, swing: float | None = None):
    """The loss of a task: ``regress`` or ``classify`` (with logits ``score_gain`` per data unit),
    with outputs beyond ``swing`` data units penalised when it is given (see RailBounded)."""
    loss = SoftmaxCrossEntropy(score_gain) if task == "classify" else MeanSquared()
    return loss if swing is None else RailBounded(loss, swing)
