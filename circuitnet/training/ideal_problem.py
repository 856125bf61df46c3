"""Training an ideal ReLU network (the ``ideal`` mode, and the start of every other mode).

Loss: the task's loss (mean squared error, or softmax cross-entropy for classes; see
``losses``) plus ``lam * sum(W**2)`` over every weight matrix (a ridge penalty; biases are
not penalised). Each layer's backward rule sits beside its forward.
"""

from __future__ import annotations

import numpy as np

from ..model.network import ReLUNet
from . import loop
from .losses import MeanSquared, swing_penalty


class IdealProblem:
    """params: [W_1, b_1, ..., W_L, b_L], W of shape (n_out, n_in).

    loss: a ``losses`` object (default: mean squared error). projection: applied after every
    step (e.g. ``realisable.RowRatioProjection``), or None. swing: the most any hidden summer
    may output, data units (None: no bound). Each summer is an op-amp whose output must stay
    inside its rails: with hundreds of inputs the weighted sums can reach far beyond them,
    so every hidden pre-activation beyond ``swing`` costs ``losses.swing_penalty``. The
    output summers' bound is the loss's (``losses.RailBounded``), because the circuit stage
    and E-series fine-tuning, which train on the loss alone, must keep it too.
    """

    def __init__(self, lam: float, loss=None, projection=None, swing: float | None = None):
        self.lam = lam
        self.loss = loss or MeanSquared()
        self.projection = projection
        self.swing = swing

    def _swing(self, z: np.ndarray) -> tuple[float, np.ndarray | float]:
        """The swing penalty of hidden pre-activations z (n, width) and its gradient."""
        return (0.0, 0.0) if self.swing is None else swing_penalty(z, self.swing)

    @staticmethod
    def forward(params, x, pre_activations: list | None = None):
        """[x, the output of every layer]; each layer's z is appended to ``pre_activations``."""
        activations = [x]
        u = x
        n_layers = len(params) // 2
        for layer in range(n_layers):
            z = u @ params[2 * layer].T + params[2 * layer + 1]
            if pre_activations is not None:
                pre_activations.append(z)
            u = np.maximum(z, 0.0) if layer < n_layers - 1 else z
            activations.append(u)
        return activations

    def loss_and_grad(self, params, x, y):
        summed: list = []
        activations = self.forward(params, x, summed)
        value, g = self.loss.value_and_cotangent(activations[-1], y)
        swings = [self._swing(z) for z in summed[:-1]] + [(0.0, 0.0)]  # the outputs': the loss's
        loss = (value + self.lam * sum(float(np.sum(w ** 2)) for w in params[0::2])
                + sum(penalty for penalty, _ in swings))
        grads = [None] * len(params)
        for layer in reversed(range(len(params) // 2)):
            u_in, u_out = activations[layer], activations[layer + 1]
            if layer < len(params) // 2 - 1:
                g = g * (u_out > 0)  # ReLU's derivative
            g = g + swings[layer][1]
            grads[2 * layer] = g.T @ u_in + 2.0 * self.lam * params[2 * layer]
            grads[2 * layer + 1] = g.sum(0)
            if layer > 0:  # the inputs need no gradient: at 784 inputs that product is a third of the work
                g = g @ params[2 * layer]
        return loss, grads

    def val_loss(self, params, x, y) -> float:
        return self.loss.value(self.forward(params, x)[-1], y)

    def predict(self, params, x) -> np.ndarray:
        return self.forward(params, x)[-1]

    def project(self, params):
        return params if self.projection is None else self.projection(params)


def initial_params(x_train: np.ndarray, hidden: list[int], n_outputs: int, rng: np.random.Generator) -> list:
    """First-layer elbows placed through the data (each neuron's knee passes through a random
    training point, with a random direction), deeper layers He-initialised, small outputs."""
    n_inputs = x_train.shape[1]
    params, fan_in = [], n_inputs
    for index, width in enumerate(hidden):
        if index == 0:
            directions = rng.normal(size=(width, n_inputs))
            directions /= np.linalg.norm(directions, axis=1, keepdims=True)
            through = x_train[rng.integers(0, len(x_train), width)]
            weights, biases = directions, -np.sum(directions * through, axis=1)
        else:
            weights = rng.normal(0.0, np.sqrt(2.0 / fan_in), (width, fan_in))
            biases = np.full(width, 0.05)
        params += [weights, biases]
        fan_in = width
    params += [rng.normal(0.0, 0.3 / np.sqrt(fan_in), (n_outputs, fan_in)), np.zeros(n_outputs)]
    return params


def params_to_network(params) -> ReLUNet:
    return ReLUNet.from_arrays(list(zip(params[0::2], params[1::2], strict=False)))


def fit_curve(x: np.ndarray, y: np.ndarray, hidden: int, epochs: int = 6000, lr: float = 0.01,
              seed: int = 0) -> ReLUNet:
    """The ReLU network of one hidden layer of ``hidden`` neurons that fits every point of
    (x, y) best in least squares: no ridge and no held-out data (it describes a known curve,
    e.g. a simulated transfer curve, rather than generalising from samples).

    x: shape (n, n_inputs); y: shape (n, n_outputs). Full-batch Adam, the best epoch kept.
    """
    config = loop.LoopConfig(epochs=epochs, lr=lr, seed=seed)
    params = initial_params(x, [hidden], y.shape[1], np.random.default_rng(seed))
    state = loop.run(IdealProblem(lam=0.0), loop.new_state(params, config, 1), config, (x, y), (x, y))
    return params_to_network(state.best_params or state.params)
