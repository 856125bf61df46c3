"""Snap a trained circuit to buyable E-series values, re-training the rest in between."""

from __future__ import annotations

import numpy as np

from ..model.circuit import Circuit, map_resistors
from . import eseries, loop
from .circuit_problem import TRAINED_FIELDS, CircuitProblem
from .config import FitConfig
from .data import Split
from .progress import Progress

ROUND_EPOCHS_CAP = 500  # epochs of each fine-tuning round, at most


def snap_and_tune(circuit: Circuit, problem: CircuitProblem, split: Split, config: FitConfig,
                  progress: Progress, rounds: int = 4) -> Circuit:
    """Every resistor to the nearest value of the E-series; the weight resistors in
    ``rounds`` rounds, those that move least first, re-training the rest in between (with
    the fit's own mode; the surrogate in ideal mode)."""
    values = eseries.series_values(config.e_series, *circuit.resistor_range)
    # the untrained resistors are snapped at once; the trained ones round by round below
    base = map_resistors(circuit, lambda path, ohms: ohms if path[1] in TRAINED_FIELDS else eseries.snap(ohms, values))
    tuned = CircuitProblem(base, problem.lam, problem.mode, problem.board, problem.spice, loss=problem.loss)
    theta = tuned.initial_params()[0]
    frozen = np.zeros(theta.shape, dtype=bool)
    epochs = max(1, min(config.epochs // 2, ROUND_EPOCHS_CAP))  # each round fine-tunes what is not yet snapped
    for round_index in range(rounds):
        snapped_theta = -np.log(eseries.snap(np.exp(-theta), values))
        order = np.argsort(np.abs(snapped_theta - theta) + np.where(frozen, np.inf, 0.0))
        count = int(np.ceil(len(theta) * (round_index + 1) / rounds)) - int(frozen.sum())
        chosen = order[:count]
        theta[chosen] = snapped_theta[chosen]
        frozen[chosen] = True
        if frozen.all():
            break
        masked = _Frozen(tuned, frozen, theta.copy())
        loop_config = loop.LoopConfig(epochs, config.lr * 0.5, config.batch_size, None, config.seed + 2 + round_index)
        state = loop.new_state([theta.copy()], loop_config, loop.steps_per_epoch(len(split.x_train), loop_config))
        progress.stage(f"{config.e_series} round {round_index + 1}", epochs)
        loop.run(masked, state, loop_config, split.x_train, split.y_train, split.x_val, split.y_val,
                 on_epoch=progress.epoch)
        theta = (state.best_params or state.params)[0]
    theta = -np.log(eseries.snap(np.exp(-theta), values))
    return tuned.circuit([theta])


class _Frozen:
    """A CircuitProblem with some parameters held at their values (zero gradient)."""

    def __init__(self, problem: CircuitProblem, frozen: np.ndarray, values: np.ndarray):
        self.problem, self.frozen, self.values = problem, frozen, values

    def loss_and_grad(self, params, x, y):
        loss, grads = self.problem.loss_and_grad(params, x, y)
        return loss, [np.where(self.frozen, 0.0, grads[0])]

    def val_loss(self, params, x, y):
        return self.problem.val_loss(params, x, y)

    def project(self, params):
        return [np.where(self.frozen, self.values, self.problem.project(params)[0])]
