"""The training loop every mode shares: mini-batch or full-batch steps, validation after
every epoch, early stopping on validation loss, the best parameters kept, checkpoints.

A *problem* supplies ``loss_and_grad(params, x, y) -> (loss, grads)`` (the training loss,
ridge penalty included, and its gradient), ``val_loss(params, x, y) -> float`` (the task's
loss on validation data without the ridge penalty: mean squared error for a regressor, softmax
cross-entropy for a classifier; see ``losses``) and ``project(params)`` (bounds).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .optimizer import Adam


@dataclass
class LoopConfig:
    """epochs: passes over the training data; lr: Adam's initial rate; batch_size: None for
    full-batch gradient descent; patience: epochs without a better validation loss before
    stopping (None: never); seed: shuffling; checkpoint_every_s: seconds between checkpoints."""

    epochs: int
    lr: float
    batch_size: int | None = None
    patience: int | None = None
    seed: int = 0
    checkpoint_every_s: float = 5.0


@dataclass
class LoopState:
    """Everything needed to continue a run exactly where it stopped."""

    params: list
    optimizer: Adam
    rng: np.random.Generator
    epoch: int = 0
    best_params: list | None = None
    best_val: float = float("inf")
    since_best: int = 0
    history: dict = field(default_factory=lambda: {"train": [], "val": []})
    stopped_early: bool = False

    def to_dict(self) -> dict:
        return {"params": [p.tolist() for p in self.params], "optimizer": self.optimizer.state(),
                "rng": self.rng.bit_generator.state, "epoch": self.epoch,
                "best_params": [p.tolist() for p in self.best_params] if self.best_params is not None else None,
                "best_val": self.best_val, "since_best": self.since_best,
                "history": {name: list(values) for name, values in self.history.items()},
                "stopped_early": self.stopped_early}

    @classmethod
    def from_dict(cls, data: dict, optimizer: Adam) -> LoopState:
        optimizer.restore(data["optimizer"])
        rng = np.random.default_rng()
        rng.bit_generator.state = data["rng"]
        best = data["best_params"]
        return cls(params=[np.array(p, dtype=float) for p in data["params"]], optimizer=optimizer, rng=rng,
                   epoch=int(data["epoch"]), best_params=None if best is None else [np.array(p) for p in best],
                   best_val=float(data["best_val"]), since_best=int(data["since_best"]),
                   history={k: list(v) for k, v in data["history"].items()}, stopped_early=data["stopped_early"])


def new_state(params: list, config: LoopConfig, steps_per_epoch: int) -> LoopState:
    return LoopState(params=[np.array(p, dtype=float) for p in params],
                     optimizer=Adam(config.lr, config.epochs * steps_per_epoch),
                     rng=np.random.default_rng(config.seed))


def steps_per_epoch(n_train: int, config: LoopConfig) -> int:
    return 1 if config.batch_size is None else max(1, -(-n_train // config.batch_size))


def stop_reason(state: LoopState, config: LoopConfig) -> str:
    """Why a stage ended, in words, from its state: patience, the epoch cap, or neither (an
    interruption)."""
    if state.stopped_early:
        return (f"no better validation loss for {config.patience} epochs (best at epoch "
                f"{state.epoch - state.since_best} of {state.epoch})")
    if state.epoch >= config.epochs:
        return f"reached its limit of {config.epochs} epochs (best at epoch {state.epoch - state.since_best})"
    return f"interrupted at epoch {state.epoch}"


def run(problem, state: LoopState, config: LoopConfig, train: tuple, val: tuple, *,
        on_epoch=None, checkpoint=None, metrics: dict | None = None) -> LoopState:
    """Train until ``config.epochs`` (or early stopping); returns the final state.

    train, val: (x, y) pairs, x (n, n_inputs) and y (n, n_targets).
    metrics: name -> function(params, x_val, y_val) -> float, recorded in ``state.history[name]``
    after every epoch beside the validation loss (e.g. validation accuracy); they inform, the
    validation loss alone decides.
    on_epoch(state): called after every epoch (progress bars). checkpoint(snapshot): called
    with ``state.to_dict()`` taken at the last epoch boundary, every ``config.checkpoint_every_s``
    seconds and when the loop ends or is interrupted, so a resumed run continues exactly
    as an uninterrupted one would. KeyboardInterrupt propagates after that last checkpoint;
    the state keeps the best parameters so far.
    """
    (x_train, y_train), (x_val, y_val) = train, val
    n = len(x_train)
    last_checkpoint = time.monotonic()
    snapshot = state.to_dict() if checkpoint is not None else None
    try:
        while state.epoch < config.epochs and not state.stopped_early:
            order = np.arange(n) if config.batch_size is None else state.rng.permutation(n)
            size = n if config.batch_size is None else config.batch_size
            losses = []
            for start in range(0, n, size):
                batch = order[start:start + size]
                loss, grads = problem.loss_and_grad(state.params, x_train[batch], y_train[batch])
                state.params = problem.project(state.optimizer.step(state.params, grads))
                losses.append(loss)
            val_loss = float(problem.val_loss(state.params, x_val, y_val))
            state.epoch += 1
            state.history["train"].append(float(np.mean(losses)))
            state.history["val"].append(val_loss)
            for name, metric in (metrics or {}).items():
                state.history.setdefault(name, []).append(float(metric(state.params, x_val, y_val)))
            if val_loss < state.best_val:
                state.best_val, state.best_params, state.since_best = val_loss, [p.copy() for p in state.params], 0
            else:
                state.since_best += 1
                if config.patience is not None and state.since_best >= config.patience:
                    state.stopped_early = True
            if on_epoch is not None:
                on_epoch(state)
            if checkpoint is not None:
                snapshot = state.to_dict()
                if time.monotonic() - last_checkpoint >= config.checkpoint_every_s:
                    checkpoint(snapshot)
                    last_checkpoint = time.monotonic()
    finally:
        if checkpoint is not None:
            checkpoint(snapshot)
    return state
