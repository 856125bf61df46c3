"""``fit``: from a train / validation / test split to a SPICE-verified circuit.

1. Train an ideal ReLU network (ridge on the weights), choosing the best epoch on
   validation data. In ``ideal`` mode this is the training.
2. Realise it in the topology; a weight too small to realise beside the others in its
   summer is set to 0 (reported as ``pruned``).
3. ``surrogate`` / ``spice-loop`` modes: train the weight resistors' log-conductances from
   there (see CircuitProblem), again keeping the best epoch on validation data.
4. Optionally snap every resistor to an E-series and fine-tune the rest, freezing
   snapped ones in four rounds.
5. Measure: train / validation / test RMSE of ngspice simulating the board (by default the
   nominal circuit at 27 C), and test RMSE of the read-back ideal network and of the
   surrogate. The test split is used here and nowhere else.

Runs are deterministic for a seed and can be resumed from their checkpoint.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..backends.surrogate import SurrogateBackend
from ..errors import CircuitnetError, RealisationError
from ..model.board import Board
from ..model.circuit import Circuit, map_resistors
from ..model.network import ReLUNet
from ..topologies import RealisationOptions, read_back, realise
from ..util.atomic import write_text_atomically
from . import eseries, loop
from .circuit_problem import TRAINED_FIELDS, CircuitProblem
from .data import Split
from .ideal import IdealProblem, initial_params, params_to_network

MODES = ("ideal", "surrogate", "spice-loop")
CHECKPOINT = "checkpoint.json"


@dataclass
class FitConfig:
    """Hyperparameters and settings of one fit (all recorded in the report).

    epochs: passes over the training data in the mode's own stage (the ideal pretraining of
    the circuit modes runs ``pretrain_epochs``). lam: ridge strength (on weights in the ideal
    stage, on conductances in mS in the circuit stage). lr: Adam's initial rate (cosine decay).
    batch_size: None for full-batch gradient descent. patience: early stopping, in epochs.
    """

    topology: str = "diode"
    hidden: list = field(default_factory=lambda: [16])
    mode: str = "surrogate"
    epochs: int | None = None
    pretrain_epochs: int = 4000
    lr: float = 0.01
    pretrain_lr: float = 0.01
    lam: float = 1e-6
    batch_size: int | None = None
    patience: int | None = None
    seed: int = 0
    e_series: str | None = None
    diode: str = "1N4148"
    board: dict | None = None  # Board fields; None: the nominal circuit at 27 C

    def __post_init__(self):
        if self.mode not in MODES:
            raise CircuitnetError(f"mode = {self.mode!r}; choose one of {', '.join(MODES)}")
        if self.epochs is None:
            self.epochs = {"ideal": 4000, "surrogate": 1000, "spice-loop": 400}[self.mode]
        for name in ("epochs", "pretrain_epochs"):
            if int(getattr(self, name)) < 1:
                raise CircuitnetError(f"{name} = {getattr(self, name)}; give at least 1")
        if not (self.lr > 0 and self.pretrain_lr > 0 and self.lam >= 0):
            raise CircuitnetError(f"lr = {self.lr}, lam = {self.lam}: need lr > 0 and lam >= 0")
        self.hidden = [int(h) for h in self.hidden]
        if not self.hidden or min(self.hidden) < 1:
            raise CircuitnetError(f"hidden = {self.hidden}; give one or more layer widths >= 1")

    def board_model(self) -> Board:
        return Board(**self.board) if self.board else Board()


@dataclass
class FitResult:
    circuit: Circuit
    report: dict
    history: dict  # stage -> {"train": [...], "val": [...]} mean squared errors per epoch
    interrupted: bool = False


class Progress:
    """Per-epoch callbacks; the CLI's shows a progress bar, the default says nothing."""

    def stage(self, name: str, total: int, done: int = 0) -> None: ...

    def epoch(self, state) -> None: ...

    def close(self) -> None: ...


def fit(split: Split, config: FitConfig, checkpoint_dir: str | Path | None = None, resume: bool = False,
        spice=None, progress: Progress | None = None, data_description: dict | None = None) -> FitResult:
    """Train a circuit on ``split``; see the module docstring.

    checkpoint_dir: where ``checkpoint.json`` is kept (written atomically every few seconds
    and on Ctrl-C). resume: continue from it (its settings replace ``config``).
    spice: a SpiceBackend (default: one on the shared worker pool).
    """
    from ..backends.spice.backend import SpiceBackend
    started = time.monotonic()
    spice = spice or SpiceBackend()
    progress = progress or Progress()
    saved = _load_checkpoint(checkpoint_dir) if resume else None
    if saved is not None:
        config = FitConfig(**saved["config"])
    board = config.board_model()
    history: dict = {}
    state_box: dict = {}

    def save(stage: str, snapshot: dict, extra: dict | None = None) -> None:
        if checkpoint_dir is None:
            return
        document = {"config": asdict(config), "stage": stage, "state": snapshot, "history": history,
                    **(extra or {})}
        write_text_atomically(Path(checkpoint_dir) / CHECKPOINT, json.dumps(document))

    interrupted = False
    try:
        # 1. the ideal network
        if saved is not None and saved["stage"] != "pretrain":
            net = ReLUNet.from_arrays([(np.array(w), np.array(b)) for w, b in saved["ideal_network"]])
            history.update(saved["history"])
        else:
            net = _train_ideal(split, config, saved, save, progress, history, state_box)
        # 2. the circuit
        circuit, pruned = realise_pruned(net, config.topology, RealisationOptions(diode=config.diode))
        network_pairs = [(layer.weights.tolist(), layer.biases.tolist()) for layer in net.layers]
        if config.mode != "ideal":
            problem = CircuitProblem(circuit, config.lam, config.mode, board, spice)
            circuit = _train_circuit(problem, split, config, saved, save, progress, history, state_box,
                                     network_pairs)
        else:
            problem = CircuitProblem(circuit, config.lam, "surrogate", board, spice)
    except KeyboardInterrupt:
        interrupted = True
        circuit, pruned, problem = _best_so_far(config, state_box, board, spice)
    progress.close()
    before_snapping = None
    if config.e_series and not interrupted:
        before_snapping = rmse(spice.simulate(board.apply(circuit), split.x_test, board.temperature_c).y,
                               split.y_test)
        circuit = snap_and_tune(circuit, problem, split, config, progress)
    report = measure(circuit, split, board, spice)
    report.update({
        "seconds": round(time.monotonic() - started, 3),
        "hyperparameters": asdict(config),
        "pruned": pruned,
        "interrupted": interrupted,
        "epochs_run": {stage: len(h["val"]) for stage, h in history.items()},
        "board": board.describe(),
    })
    if data_description:
        report["data"] = data_description
    if config.e_series:
        report["e_series"] = {"series": config.e_series, "test_rmse_spice_before": before_snapping,
                              "test_rmse_spice_after": report["test_rmse_spice"]}
    return FitResult(circuit, report, history, interrupted)


def _train_ideal(split, config, saved, save, progress, history, state_box) -> ReLUNet:
    problem = IdealProblem(config.lam)
    loop_config = loop.LoopConfig(config.pretrain_epochs if config.mode != "ideal" else config.epochs,
                                  config.pretrain_lr if config.mode != "ideal" else config.lr,
                                  config.batch_size, config.patience, config.seed)
    per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
    rng = np.random.default_rng(config.seed)
    params = initial_params(split.x_train, config.hidden, 1, rng)
    state = loop.new_state(params, loop_config, per_epoch)
    if saved is not None:
        state = loop.LoopState.from_dict(saved["state"], state.optimizer)
    state_box["ideal"] = state
    progress.stage("ideal network", loop_config.epochs, state.epoch)
    history["ideal"] = state.history
    loop.run(problem, state, loop_config, split.x_train, split.y_train, split.x_val, split.y_val,
             on_epoch=progress.epoch, checkpoint=lambda snapshot: save("pretrain", snapshot))
    return params_to_network(state.best_params or state.params)


def _train_circuit(problem, split, config, saved, save, progress, history, state_box, network_pairs) -> Circuit:
    loop_config = loop.LoopConfig(config.epochs, config.lr, config.batch_size, config.patience, config.seed + 1)
    per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
    state = loop.new_state(problem.initial_params(), loop_config, per_epoch)
    if saved is not None and saved["stage"] == "circuit":
        state = loop.LoopState.from_dict(saved["state"], state.optimizer)
    state_box["circuit"] = (state, problem)
    progress.stage(f"{config.mode} training", loop_config.epochs, state.epoch)
    history["circuit"] = state.history
    loop.run(problem, state, loop_config, split.x_train, split.y_train, split.x_val, split.y_val,
             on_epoch=progress.epoch,
             checkpoint=lambda snapshot: save("circuit", snapshot, {"ideal_network": network_pairs}))
    return problem.circuit(state.best_params or state.params)


def _best_so_far(config, state_box, board, spice):
    """After Ctrl-C: the best circuit so far (from the circuit stage, else the ideal one)."""
    if "circuit" in state_box:
        state, problem = state_box["circuit"]
        return problem.circuit(state.best_params or state.params), [], problem
    state = state_box.get("ideal")
    if state is None:
        raise KeyboardInterrupt
    net = params_to_network(state.best_params or state.params)
    circuit, pruned = realise_pruned(net, config.topology, RealisationOptions(diode=config.diode))
    return circuit, pruned, CircuitProblem(circuit, config.lam, "surrogate", board, spice)


def realise_pruned(net: ReLUNet, topology: str, options: RealisationOptions,
                   max_pruned: int = 1000) -> tuple[Circuit, list]:
    """Realise ``net``, setting to 0 each weight too small to realise beside the others in
    its summer (one at a time, smallest first). Returns (circuit, [pruned weight names])."""
    pairs = [(layer.weights.copy(), layer.biases.copy()) for layer in net.layers]
    pruned = []
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


def snap_and_tune(circuit: Circuit, problem: CircuitProblem, split: Split, config: FitConfig,
                  progress: Progress, rounds: int = 4) -> Circuit:
    """Every resistor to the nearest value of the E-series; the weight resistors in
    ``rounds`` rounds, those that move least first, re-training the rest in between (with
    the fit's own mode; the surrogate in ideal mode)."""
    values = eseries.series_values(config.e_series, *circuit.resistor_range)
    # the untrained resistors are snapped at once; the trained ones round by round below
    base = map_resistors(circuit, lambda path, ohms: ohms if path[1] in TRAINED_FIELDS else eseries.snap(ohms, values))
    tuned = CircuitProblem(base, problem.lam, problem.mode, problem.board, problem.spice)
    theta = tuned.initial_params()[0]
    frozen = np.zeros(theta.shape, dtype=bool)
    epochs = max(1, config.epochs // 2)
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


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(prediction) - np.asarray(target)) ** 2)))


def measure(circuit: Circuit, split: Split, board: Board, spice) -> dict:
    """The report's figures, each recomputable from model.json, the data and the board:
    ngspice on the board for every split, and the ideal read-back and the surrogate (the
    nominal model at 27 C) on the test split."""
    built = board.apply(circuit)
    figures = {f"{name}_rmse": rmse(spice.simulate(built, x, board.temperature_c).y, y)
               for name, (x, y) in split.parts().items() if name != "test"}
    figures["test_rmse_spice"] = rmse(spice.simulate(built, split.x_test, board.temperature_c).y, split.y_test)
    figures["test_rmse_ideal"] = rmse(read_back(circuit).forward(split.x_test), split.y_test)
    figures["test_rmse_surrogate"] = rmse(SurrogateBackend().simulate(circuit, split.x_test).y, split.y_test)
    return figures


def _load_checkpoint(checkpoint_dir) -> dict:
    path = Path(checkpoint_dir or ".") / CHECKPOINT
    if not path.exists():
        raise CircuitnetError(f"{path} does not exist: nothing to resume (was the run started with --out there?)")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CircuitnetError(f"{path}: can't read the checkpoint ({error}); delete it to start afresh") from None


__all__ = ["FitConfig", "FitResult", "MODES", "Progress", "fit", "measure", "realise_pruned", "rmse", "snap_and_tune"]
