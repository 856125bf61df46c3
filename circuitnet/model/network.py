"""The ideal ReLU network that every circuit stands for.

A ``ReLUNet`` is a list of affine layers: every layer but the last is followed by
ReLU, the last is linear. All values are in data units (no volts here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InputShapeError, InvalidNetworkError


def frozen_array(values) -> np.ndarray:
    """A read-only float copy, so a frozen dataclass really is immutable."""
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class Layer:
    """One affine layer: ``z = weights @ u + biases``.

    weights: array of shape (n_out, n_in), data units per data unit.
    biases: array of shape (n_out,), data units.
    """

    weights: np.ndarray
    biases: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "weights", frozen_array(self.weights))
        object.__setattr__(self, "biases", frozen_array(self.biases))

    @property
    def n_in(self) -> int:
        return self.weights.shape[1]

    @property
    def n_out(self) -> int:
        return self.weights.shape[0]


@dataclass(frozen=True)
class ReLUNet:
    """An ideal ReLU network: hidden layers with ReLU, a linear output layer.

    layers: the affine layers in order; ``layers[:-1]`` are hidden (ReLU), ``layers[-1]``
    is the linear output layer.
    """

    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        layers = tuple(self.layers)
        if not layers:
            raise InvalidNetworkError("a ReLUNet needs at least one layer (the linear output layer)")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise InvalidNetworkError(
                    f"layers[{index}] is a {type(layer).__name__}; build layers with circuitnet.Layer"
                )
            _check_layer(index, layer)
            if index > 0 and layer.n_in != layers[index - 1].n_out:
                raise InvalidNetworkError(
                    f"layers[{index}].weights has {layer.n_in} columns but layers[{index - 1}] has "
                    f"{layers[index - 1].n_out} outputs; each layer's n_in must equal the previous n_out"
                )
        object.__setattr__(self, "layers", layers)

    @classmethod
    def from_arrays(cls, weights_and_biases) -> ReLUNet:
        """Build from ``[(weights, biases), ...]`` with weights of shape (n_out, n_in)."""
        return cls(tuple(Layer(np.asarray(w, float), np.asarray(b, float)) for w, b in weights_and_biases))

    @property
    def n_inputs(self) -> int:
        return self.layers[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].n_out

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(layer.n_out for layer in self.layers[:-1])

    def check_inputs(self, x) -> np.ndarray:
        """Return ``x`` as a float array of shape (n_samples, n_inputs), or raise InputShapeError."""
        return check_inputs(x, self.n_inputs)

    def hidden_activations(self, x) -> list[np.ndarray]:
        """Post-ReLU activations of every hidden layer, each of shape (n_samples, width)."""
        u = self.check_inputs(x)
        activations = []
        for layer in self.layers[:-1]:
            u = np.maximum(u @ layer.weights.T + layer.biases, 0.0)
            activations.append(u)
        return activations

    def forward(self, x) -> np.ndarray:
        """Outputs of shape (n_samples, n_outputs), data units, for x of shape (n_samples, n_inputs)."""
        u = self.check_inputs(x)
        for layer in self.layers[:-1]:
            u = np.maximum(u @ layer.weights.T + layer.biases, 0.0)
        last = self.layers[-1]
        return u @ last.weights.T + last.biases

    __call__ = forward


def _check_layer(index: int, layer: Layer) -> None:
    w, b = layer.weights, layer.biases
    if w.ndim != 2 or w.shape[0] == 0 or w.shape[1] == 0:
        raise InvalidNetworkError(
            f"layers[{index}].weights has shape {w.shape}; expected a non-empty (n_out, n_in) matrix"
        )
    if b.shape != (w.shape[0],):
        raise InvalidNetworkError(
            f"layers[{index}].biases has shape {b.shape}; expected ({w.shape[0]},) to match the weights"
        )
    for name, array in (("weights", w), ("biases", b)):
        if not np.all(np.isfinite(array)):
            where = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
            raise InvalidNetworkError(
                f"layers[{index}].{name}{list(where)} = {array[where]}; weights and biases must be finite"
            )


def check_inputs(x, n_inputs: int) -> np.ndarray:
    """Return ``x`` as a float array of shape (n_samples, n_inputs), or raise InputShapeError."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        hint = " (for one input use x.reshape(-1, 1))" if x.ndim == 1 else ""
        raise InputShapeError(f"inputs have shape {x.shape}; expected (n_samples, {n_inputs}){hint}")
    if x.shape[1] != n_inputs:
        raise InputShapeError(f"inputs have {x.shape[1]} columns but the network has {n_inputs} inputs")
    # a sum is finite only if every term is (or the sum overflowed: then look element by
    # element); one pass and no (n, n_inputs) boolean array, which at 784 inputs cost more
    # than a surrogate's whole rectifier solve
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(np.sum(x))
    if not math.isfinite(total) and not np.all(np.isfinite(x)):
        row = int(np.argwhere(~np.isfinite(x))[0][0])
        raise InputShapeError(f"inputs row {row} is not finite: {x[row].tolist()}")
    return x
