"""The stages of a fit, as functions of its context (what it was given) and its state (what is
done so far; see ``fit_state``). FitRun calls them in order; none asks which task it fits
(the task, ``context.task``, says what differs).

1. ``pretrain``: train an ideal ReLU network (ridge on the weights), choosing the best epoch
   on validation data. In ``ideal`` mode this is the training.
2. ``realise`` it in the topology; a weight too small to realise beside the others in its
   summer is set to 0 (reported as ``pruned``).
3. ``train_circuit`` (``surrogate`` / ``spice-loop`` modes): train the weight resistors'
   log-conductances from there (see CircuitProblem), again keeping the best epoch on
   validation data.
4. ``snap``: optionally every resistor to an E-series, fine-tuning the rest, freezing snapped
   ones in four rounds.
5. ``measure``: the task's figures of the circuit in ngspice on the board (the test split is
   used here and nowhere else).
"""

from __future__ import annotations

import numpy as np

from ..model.circuit import Circuit
from ..model.network import ReLUNet
from ..topologies import get_topology
from . import eseries, loop, run_folder
from .circuit_problem import CircuitProblem
from .config import TrainingMode
from .eqprop import EqPropSettings
from .fit_state import CIRCUIT, PRETRAIN, FitContext, FitState
from .ideal_problem import IdealProblem, initial_params, params_to_network
from .pruning import realise_pruned
from .results import Figures
from .run_folder_checks import checked_loop_state
from .snapping import snap_and_tune
from .task import Measuring


def pretrain(context: FitContext, state: FitState) -> ReLUNet:
    """The ideal network, best on validation (continued from a checkpoint's loop state)."""
    config, split, task = context.config, context.inside, context.task
    ideal_mode = config.mode == TrainingMode.IDEAL
    loop_config = loop.LoopConfig(config.stage_epochs() if ideal_mode else config.pretrain_epochs,
                                  config.lr if ideal_mode else config.pretrain_lr,
                                  config.batch_size, config.patience, config.seed)
    per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
    params = initial_params(split.x_train, config.hidden, context.n_outputs, np.random.default_rng(config.seed))
    projection = task.projection(context.options().resistor_range)
    if projection is not None:
        params = projection(params)
    loop_state = _restored(context, state, PRETRAIN, loop.new_state(params, loop_config, per_epoch))
    state.ideal_state = loop_state
    state.history["ideal"] = loop_state.history
    context.progress.stage("ideal network", loop_config.epochs, loop_state.epoch)
    try:
        problem = IdealProblem(config.lam, context.loss, projection, context.hidden_swing())
        loop.run(problem, loop_state, loop_config, (split.x_train, split.y_train), (split.x_val, split.y_val),
                 on_epoch=context.progress.epoch,
                 checkpoint=lambda snapshot: context.save(state, PRETRAIN, snapshot), metrics=task.metrics(problem))
    finally:
        state.stopped["ideal"] = loop.stop_reason(loop_state, loop_config)
    return params_to_network(loop_state.best_params or loop_state.params)


def realise(context: FitContext, state: FitState, network: ReLUNet) -> None:
    """The circuit of ``network`` (pruned where it must be) and the problem that trains it."""
    config = context.config
    state.zero_weights = context.task.zero_weights(network)
    state.circuit, state.pruned = realise_pruned(network, config.topology, context.options())
    state.problem = _problem(context, state.circuit)


def start_from(context: FitContext, state: FitState, circuit: Circuit) -> None:
    """A warm start (``warm_start``): ``circuit``, already trained, is the circuit stage's
    starting point and the problem trains it; its read-back network stands for the pretrained
    one (the checkpoint keeps it; nothing was pruned by this run)."""
    state.network = get_topology(circuit.topology).read_back(circuit)
    state.circuit = circuit
    state.problem = _problem(context, circuit)


def _problem(context: FitContext, circuit: Circuit) -> CircuitProblem:
    """The problem that trains ``circuit``'s weight resistors in the run's mode."""
    config = context.config
    # ideal mode: E-series tuning uses the surrogate
    mode = TrainingMode.SURROGATE.value if config.mode == TrainingMode.IDEAL else config.mode
    return CircuitProblem(circuit, config.lam, mode, context.board, context.spice, loss=context.loss,
                          eqprop=EqPropSettings(config.beta, config.centered)
                          ).bounded(context.swing_volts()).on_known_board(config.surrogate_board)


def train_circuit(context: FitContext, state: FitState) -> Circuit:
    """The realised circuit trained in its mode, its best epoch on validation."""
    config, split, (_, problem) = context.config, context.inside, state.realised()
    loop_config = loop.LoopConfig(config.stage_epochs(), config.lr, config.batch_size, config.patience,
                                  config.seed + 1)
    per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
    loop_state = _restored(context, state, CIRCUIT, loop.new_state(problem.initial_params(), loop_config, per_epoch))
    state.circuit_state = loop_state
    state.history["circuit"] = loop_state.history
    assert state.network is not None  # pretrained (or restored) before the circuit is realised
    network_pairs = [(layer.weights.tolist(), layer.biases.tolist()) for layer in state.network.layers]
    context.progress.stage(f"{config.mode} training", loop_config.epochs, loop_state.epoch)
    try:
        loop.run(problem, loop_state, loop_config, (split.x_train, split.y_train), (split.x_val, split.y_val),
                 on_epoch=context.progress.epoch,
                 checkpoint=lambda snapshot: context.save(state, CIRCUIT, snapshot, {"ideal_network": network_pairs}),
                 metrics=context.task.metrics(problem))
    finally:
        state.stopped["circuit"] = loop.stop_reason(loop_state, loop_config)
    return problem.circuit(loop_state.best_params or loop_state.params)


def _restored(context: FitContext, state: FitState, stage: str, fresh: loop.LoopState) -> loop.LoopState:
    """``fresh``, or the checkpoint's loop state of ``stage`` checked against it."""
    if stage not in state.restored:
        return fresh
    assert context.folder is not None  # a restored state comes from a run folder
    return checked_loop_state(state.restored[stage], fresh, context.folder / run_folder.CHECKPOINT, "state")


def keep_outputs_inside(context: FitContext, state: FitState, after: str, series: np.ndarray | None = None) -> None:
    """The task's bound on the circuit's outputs, kept after stage ``after`` (what it did is
    recorded for the report); series: the E-series values the resistors keep to."""
    if state.circuit is None:
        return
    state.circuit, scaling = context.task.outputs_inside(state.circuit, context.inside.all_inputs(),
                                                         context.swing_volts(), context.board, series)
    if scaling is not None:
        state.output_scalings.append({"after": after, **scaling})


def snap(context: FitContext, state: FitState) -> float:
    """Every resistor snapped to ``config.e_series`` and the rest fine-tuned; returns the task's
    headline test figure in ngspice before snapping (measure gives the one after)."""
    config, split, board = context.config, context.split, context.board
    assert config.e_series is not None  # a run snaps only with a series
    circuit, problem = state.realised()
    built = context.scaled_circuit(board.apply(circuit))
    before = context.task.score(context.spice.simulate(built, split.x_test, board.temperature_c).y, split.y_test)
    state.circuit = snap_and_tune(circuit, problem, context.inside, config, context.progress)
    keep_outputs_inside(context, state, config.e_series,
                        eseries.series_values(config.e_series, *state.circuit.resistor_range))
    return before


def measure(context: FitContext, state: FitState) -> Figures:
    """The task's figures of the finished circuit (with its data scaling) on the board."""
    state.circuit = context.scaled_circuit(state.realised()[0])
    given = Measuring(context.split, context.board, context.spice, context.loss, context.executor,
                      context.progress.samples(), state.zero_weights + len(state.pruned), state.output_scalings,
                      list(context.config.classes or []))
    figures, state.details = context.task.measure(state.circuit, given)
    return figures


def keep_best_so_far(context: FitContext, state: FitState) -> bool:
    """Make ``state.circuit`` the best circuit so far, for a run stopped by Ctrl-C or a failure.

    In the circuit stage that is its best epoch, in pretraining the best ideal network
    realised (the pruned list of that realisation kept either way). After training, the
    circuit is already the trained one. Returns False when there is none yet.
    """
    if state.stage == CIRCUIT and state.circuit_state is not None:
        best = state.circuit_state.best_params or state.circuit_state.params
        state.circuit = state.realised()[1].circuit(best)
    elif context.start is not None:  # a warm start stopped before its first epoch: the circuit it started from
        state.circuit = state.circuit or context.start
    elif state.stage in (PRETRAIN, CIRCUIT):
        if state.network is None and state.ideal_state is not None:
            state.network = params_to_network(state.ideal_state.best_params or state.ideal_state.params)
        if state.network is not None:
            realise(context, state, state.network)
    if state.circuit is not None:
        state.circuit = context.scaled_circuit(state.circuit)
    return state.circuit is not None


__all__ = ["keep_best_so_far", "keep_outputs_inside", "measure", "pretrain", "realise", "snap", "start_from",
           "train_circuit"]
