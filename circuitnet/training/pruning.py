"""Realise a trained network even where a summer's 1000:1 resistor-ratio limit binds: a weight
too small to realise beside the others in its summer is set to 0, and the list says which."""

from __future__ import annotations

from ..errors import RealisationError
from ..model.circuit import Circuit
from ..model.network import ReLUNet
from ..topologies import RealisationOptions, realise


def realise_pruned(net: ReLUNet, topology: str, options: RealisationOptions,
                   max_pruned: int | None = None) -> tuple[Circuit, list]:
    """Realise ``net``, setting to 0 each weight too small to realise beside the others in
    its summer (one at a time, smallest first). Returns (circuit, [pruned weight names]).
    max_pruned: the most weights to drop (default: all of them, so it ends)."""
    pairs = [(layer.weights.copy(), layer.biases.copy()) for layer in net.layers]
    pruned: list[str] = []
    if max_pruned is None:
        max_pruned = sum(w.size + b.size for w, b in pairs)
    for _ in range(max_pruned):
        try:
            return realise(ReLUNet.from_arrays(pairs), topology, options), pruned
        except RealisationError as error:
            if error.weight is None or error.weight[0] is None:
                raise
            layer, unit, column = error.weight
            weights, biases = pairs[layer]
            if column == weights.shape[1]:
                pruned.append(f"layers[{layer}].biases[{unit}] = {biases[unit]:.3g}")
                biases[unit] = 0.0
            elif column < weights.shape[1]:
                pruned.append(f"layers[{layer}].weights[{unit}][{column}] = {weights[unit, column]:.3g}")
                weights[unit, column] = 0.0
            else:
                raise
    raise RealisationError(f"more than {max_pruned} weights too small to realise; rescale the network")
