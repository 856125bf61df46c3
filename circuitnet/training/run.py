"""A fit run: from a train / validation / test split to a SPICE-verified circuit.

1. ``pretrain``: train an ideal ReLU network (ridge on the weights), choosing the best epoch
   on validation data. In ``ideal`` mode this is the training.
2. Realise it in the topology; a weight too small to realise beside the others in its
   summer is set to 0 (reported as ``pruned``).
3. ``circuit`` (``surrogate`` / ``spice-loop`` modes): train the weight resistors'
   log-conductances from there (see CircuitProblem), again keeping the best epoch on
   validation data.
4. Optionally snap every resistor to an E-series and fine-tune the rest, freezing snapped
   ones in four rounds.
5. Measure: train / validation / test RMSE of ngspice simulating the board (by default the
   nominal circuit at 27 C), and test RMSE of the read-back ideal network and of the
   surrogate. The test split is used here and nowhere else.

A classifier (``task="classify"``) has one output per class and trains on softmax
cross-entropy. Its ideal stage keeps every summer's weights within the resistor range's
ratio after every step (``realisable``). Every stage pays for summer outputs beyond
SWING_SHARE of the rails (``losses.RailBounded``), and after training and after snapping
the output summers are scaled down until none passes that swing at any input of the data
(``output_swing``: the argmax, the prediction, is kept). Its measure simulates the whole
test split in ngspice, sharded over an executor (``measure.measure_classifier``), and
reports accuracies.

A FitRun holds its state in plain attributes (the stage it is in, the loop states, the
network, the circuit, what was pruned), so the CLI and the estimator drive the same object.
Runs are deterministic for a seed; a run with a folder writes its data and a checkpoint
there and ``FitRun.resume(folder)`` continues it exactly where it stopped.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from ..backends.spice.backend import SpiceBackend
from ..errors import CircuitnetError, OperatingLimitError
from ..model.circuit import Circuit
from ..model.network import ReLUNet
from ..model.scaling import DataScaling
from ..topologies import RealisationOptions, get_topology
from . import eseries, loop, run_folder
from .circuit_problem import CircuitProblem
from .config import FitConfig
from .data import Split
from .data_record_of import data_record_of
from .eqprop import EqPropSettings
from .ideal_problem import IdealProblem, initial_params, params_to_network
from .losses import accuracy, loss_for
from .measure import measure, measure_classifier, rmse
from .output_swing import keep_outputs_within
from .progress import Progress
from .pruning import realise_pruned
from .realisable import RowRatioProjection, zero_weights
from .run_folder_checks import checked_loop_state, restored_network
from .snapping import snap_and_tune

SWING_SHARE = 0.6  # a classifier's summers are trained to stay within this share of the op-amp rails
# The stages of a run, in order; a checkpoint names one of the first two.
PRETRAIN, CIRCUIT, SNAP, MEASURE, DONE = "pretrain", "circuit", "e-series", "measure", "done"


@dataclass
class FitResult:
    circuit: Circuit
    report: dict
    history: dict  # stage -> {"train": [...], "val": [...]} losses per epoch (and "val_accuracy" for classifiers)
    interrupted: bool = False
    details: dict | None = None  # classifiers: the test outputs of each backend (see measure_classifier)


class FitRun:
    """One training run. ``run()`` does every stage not yet done and returns a FitResult.

    split: the data; config: the settings. folder: where the checkpoint is kept (None: no
    checkpoints). spice: a SpiceBackend (default: one on the shared worker pool).
    progress: per-stage and per-epoch callbacks. data_description: where the data came from,
    copied into the report. executor: where a classifier's test split is simulated in
    ngspice (default: local threads, one per core).
    """

    def __init__(self, split: Split, config: FitConfig, folder: str | Path | None = None, spice=None,
                 progress: Progress | None = None, data_description: dict | None = None, executor=None):
        if config.topology == "auto":
            raise CircuitnetError("topology 'auto' is a choice between fits, not one fit: use training.run.fit or "
                                  "training.topology_choice.TopologyChoice")
        self.split = split  # the user's units: what the report measures
        self.config = config
        self.classify = config.task == "classify"
        self.n_outputs = len(config.class_labels()) if self.classify else split.y_train.shape[1]
        self.loss = loss_for(config.task, config.score_gain, self._swing())
        # data beyond the circuits' window is trained in circuit units (see model.scaling); class
        # scores are never rescaled
        targets = np.zeros((1, self.n_outputs)) if self.classify else split.y_train
        self.scaling = DataScaling.for_data(split.x_train, targets) if config.scale else None
        self.executor = executor
        self.inside = split if self.scaling is None else _scaled(split, self.scaling)
        self.folder = Path(folder) if folder is not None else None
        self.spice = spice or SpiceBackend()
        self.progress = progress or Progress()
        self.data_description = data_description
        # what the circuit remembers of its data (names, labels, ranges), stored with it
        self.data_record = data_record_of(split, data_description or {}, config.classes if self.classify else None)
        self.board = config.board_model()
        # the state: the stage under way, what is done, and the loop states
        self.stage = PRETRAIN
        self.history: dict = {}
        self.stopped: dict = {}  # stage -> why it ended (loop.stop_reason)
        self.network: ReLUNet | None = None  # the pretrained ideal network, once pretraining is done
        self.ideal_state: loop.LoopState | None = None
        self.circuit_state: loop.LoopState | None = None
        self.problem: CircuitProblem | None = None
        self.circuit: Circuit | None = None
        self.pruned: list[str] = []
        self.zero_weights = 0  # weights the realisability projection left at 0 (classifiers)
        self.output_scalings: list[dict] = []  # classifiers: what keeping the outputs inside the swing did
        self.details: dict | None = None
        self.interrupted = False
        self._restored: dict | None = None  # a checkpoint's loop state for the stage it names

    @classmethod
    def start(cls, split: Split, config: FitConfig, folder: str | Path, data_description: dict,
              **settings) -> FitRun:
        """A run that keeps its data and checkpoints in ``folder`` (created if missing)."""
        run_folder.write_data(Path(folder), split, data_description)
        return cls(split, config, folder, data_description=data_description, **settings)

    @classmethod
    def resume(cls, folder: str | Path, **settings) -> FitRun:
        """The run stopped in ``folder``, ready to continue from its checkpoint (its settings
        replace any others)."""
        folder = Path(folder)
        split, description = run_folder.read_data(folder)
        saved, config = run_folder.read_checkpoint(folder)
        run = cls(split, config, folder, data_description=description, **settings)
        run.history.update(saved["history"])
        run.stopped.update(saved.get("stopped", {}))
        if saved["stage"] == PRETRAIN:
            run._restored = {PRETRAIN: saved["state"]}
        else:
            run.network = restored_network(saved["ideal_network"], folder / run_folder.CHECKPOINT,
                                           [split.n_inputs, *config.hidden, run.n_outputs])
            run._restored = {CIRCUIT: saved["state"]}
            run.stage = CIRCUIT
        return run

    # -- the stages ---------------------------------------------------------------------
    def run(self) -> FitResult:
        started = time.monotonic()
        config = self.config
        try:
            if self.network is None:
                self.network = self._pretrain()
            self.stage = CIRCUIT
            self._realise(self.network)
            if config.mode != "ideal":
                self.circuit = self._train_circuit()
        except KeyboardInterrupt:
            self.interrupted = True
            if not self.keep_best_so_far():
                raise
        self.progress.close()
        self.circuit = self._outputs_inside("training")
        before_snapping = None
        if config.e_series and not self.interrupted:
            self.stage = SNAP
            circuit, problem = self._realised()
            board_circuit = self._scaled_circuit(self.board.apply(circuit))
            before = self.spice.simulate(board_circuit, self.split.x_test, self.board.temperature_c).y
            before_snapping = accuracy(before, self.split.y_test) if self.classify else rmse(before, self.split.y_test)
            self.circuit = snap_and_tune(circuit, problem, self.inside, config, self.progress)
            self.circuit = self._outputs_inside(config.e_series, eseries.series_values(
                config.e_series, *self.circuit.resistor_range))
        self.stage = MEASURE
        self.circuit = self._scaled_circuit(self._realised()[0])
        if self.classify:
            report = self._measure_classifier()
        else:
            self._check_operating_limits()
            report = measure(self.circuit, self.split, self.board, self.spice)
        report.update({
            "seconds": round(time.monotonic() - started, 3),
            "hyperparameters": asdict(config),
            "pruned": self.pruned,
            "interrupted": self.interrupted,
            "epochs_run": {stage: len(h["val"]) for stage, h in self.history.items()},
            "stopped": self.stopped,
            "board": self.board.describe(),
        })
        if self.data_description:
            report["data"] = self.data_description
        if "ngspice" not in report:  # a classifier's comes from the workers that simulated its test split
            report["ngspice"] = self.spice.ngspice_info().to_dict()
        if config.e_series:
            figure = "test_accuracy_spice" if self.classify else "test_rmse_spice"
            report["e_series"] = {"series": config.e_series, f"{figure}_before": before_snapping,
                                  f"{figure}_after": report[figure]}
        self.stage = DONE
        return FitResult(self.circuit, report, self.history, self.interrupted, self.details)

    def _measure_classifier(self) -> dict:
        """measure_classifier, refusing a circuit outside its operating limits at a test sample."""
        from ..util.executor import executor_for
        figures, self.details = measure_classifier(self._realised()[0], self.split, self.board,
                                                   self.executor or executor_for(), self.progress.samples(), self.loss)
        found = self.details["violations"]
        if found:
            raise OperatingLimitError(
                f"the trained circuit leaves its parts' safe operating area at {len(found)} part(s); the worst: "
                f"{found[0].message()}. Train with a larger --lam (smaller class scores), or use parts with "
                f"wider limits", found)
        figures["pruned_weights"] = self.zero_weights + len(self.pruned)
        figures["output_swing"] = self.output_scalings
        figures["classes"] = list(self.config.class_labels())
        return figures

    def _pretrain(self) -> ReLUNet:
        config, split = self.config, self.inside
        ideal_mode = config.mode == "ideal"
        loop_config = loop.LoopConfig(config.stage_epochs() if ideal_mode else config.pretrain_epochs,
                                      config.lr if ideal_mode else config.pretrain_lr,
                                      config.batch_size, config.patience, config.seed)
        per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
        params = initial_params(split.x_train, config.hidden, self.n_outputs, np.random.default_rng(config.seed))
        projection = RowRatioProjection(self._resistor_range()) if self.classify else None
        if projection is not None:
            params = projection(params)
        state = loop.new_state(params, loop_config, per_epoch)
        if self._restored and PRETRAIN in self._restored:
            state = checked_loop_state(self._restored[PRETRAIN], state, self.folder / run_folder.CHECKPOINT, "state")
        self.ideal_state = state
        self.history["ideal"] = state.history
        self.progress.stage("ideal network", loop_config.epochs, state.epoch)
        try:
            problem = IdealProblem(config.lam, self.loss, projection, self._swing())
            loop.run(problem, state, loop_config, split.x_train, split.y_train, split.x_val,
                     split.y_val, on_epoch=self.progress.epoch,
                     checkpoint=lambda snapshot: self._save(PRETRAIN, snapshot), metrics=self._metrics(problem))
        finally:
            self.stopped["ideal"] = loop.stop_reason(state, loop_config)
        return params_to_network(state.best_params or state.params)

    def _realise(self, network: ReLUNet) -> None:
        """The circuit of ``network`` (pruned where it must be) and the problem that trains it."""
        config = self.config
        self.zero_weights = zero_weights(network) if self.classify else 0
        self.circuit, self.pruned = realise_pruned(network, config.topology, self._options())
        mode = "surrogate" if config.mode == "ideal" else config.mode  # ideal mode: E-series tuning uses the surrogate
        self.problem = CircuitProblem(self.circuit, config.lam, mode, self.board, self.spice, loss=self.loss,
                                      eqprop=EqPropSettings(config.beta, config.centered))

    def _realised(self) -> tuple[Circuit, CircuitProblem]:
        """(circuit, problem) for the stages after ``_realise`` made them, where neither is None."""
        assert self.circuit is not None and self.problem is not None, "the circuit is realised first"
        return self.circuit, self.problem

    def _options(self) -> RealisationOptions:
        return RealisationOptions(diode=self.config.diode, volts_per_unit=self.config.volts_per_unit)

    def _swing_volts(self) -> float | None:
        """A classifier's summers must stay well inside the op-amp rails (see IdealProblem and
        losses.RailBounded): SWING_SHARE of the nearer rail, volts; None for regression."""
        if not self.classify:
            return None
        opamp = self._options().opamp or get_topology(self.config.topology).default_opamp
        return SWING_SHARE * min(opamp.v_pos, -opamp.v_neg)

    def _swing(self) -> float | None:
        """The swing in circuit units (see _swing_volts)."""
        volts = self._swing_volts()
        return None if volts is None else volts / self.config.volts_per_unit

    def _outputs_inside(self, after: str, series: np.ndarray | None = None) -> Circuit | None:
        """A classifier's circuit with its output summers scaled down until none passes the
        swing at any input of the data (train, validation and test inputs, no labels; see
        output_swing). ``after``: the stage just done, for the report; series: the E-series
        values the resistors keep to. Regressors: unchanged."""
        if not self.classify or self.circuit is None or not get_topology(self.circuit.topology).outputs_are_summers:
            return self.circuit  # (a resistive network's outputs are node pairs inside its rails: nothing to scale)
        inside = self.inside
        swing = self._swing_volts()
        assert swing is not None  # a classifier's
        circuit, scaling = keep_outputs_within(self.circuit, np.vstack([inside.x_train, inside.x_val, inside.x_test]),
                                               swing, self.board, series)
        self.output_scalings.append({"after": after, **scaling.to_dict()})
        return circuit

    def _resistor_range(self) -> tuple[float, float]:
        return self._options().resistor_range

    def _metrics(self, problem) -> dict:
        """Validation accuracy per epoch for a classifier (history["val_accuracy"])."""
        if not self.classify:
            return {}
        return {"val_accuracy": lambda params, x, y: accuracy(problem.predict(params, x), y)}

    def _train_circuit(self) -> Circuit:
        config, split, (_, problem) = self.config, self.inside, self._realised()
        loop_config = loop.LoopConfig(config.stage_epochs(), config.lr, config.batch_size, config.patience,
                                      config.seed + 1)
        per_epoch = loop.steps_per_epoch(len(split.x_train), loop_config)
        state = loop.new_state(problem.initial_params(), loop_config, per_epoch)
        if self._restored and CIRCUIT in self._restored:
            state = checked_loop_state(self._restored[CIRCUIT], state, self.folder / run_folder.CHECKPOINT, "state")
        self.circuit_state = state
        self.history["circuit"] = state.history
        assert self.network is not None  # pretrained (or restored) before the circuit is realised
        network_pairs = [(layer.weights.tolist(), layer.biases.tolist()) for layer in self.network.layers]
        self.progress.stage(f"{config.mode} training", loop_config.epochs, state.epoch)
        try:
            loop.run(problem, state, loop_config, split.x_train, split.y_train, split.x_val, split.y_val,
                     on_epoch=self.progress.epoch,
                     checkpoint=lambda snapshot: self._save(CIRCUIT, snapshot, {"ideal_network": network_pairs}),
                     metrics=self._metrics(problem))
        finally:
            self.stopped["circuit"] = loop.stop_reason(state, loop_config)
        return problem.circuit(state.best_params or state.params)

    def keep_best_so_far(self) -> bool:
        """Make ``circuit`` the best circuit so far, for a run stopped by Ctrl-C or a failure.

        In the circuit stage that is its best epoch, in pretraining the best ideal network
        realised (the pruned list of that realisation kept either way). After training,
        ``circuit`` is already the trained one. Returns False when there is none yet.
        """
        if self.stage == CIRCUIT and self.circuit_state is not None:
            self.circuit = self._realised()[1].circuit(self.circuit_state.best_params or self.circuit_state.params)
        elif self.stage in (PRETRAIN, CIRCUIT):
            if self.network is None and self.ideal_state is not None:
                self.network = params_to_network(self.ideal_state.best_params or self.ideal_state.params)
            if self.network is not None:
                self._realise(self.network)
        if self.circuit is not None:
            self.circuit = self._scaled_circuit(self.circuit)
        return self.circuit is not None

    def _scaled_circuit(self, circuit: Circuit) -> Circuit:
        """The circuit with this run's data scaling, which it is trained without, and its data
        record."""
        return replace(circuit, data_scaling=self.scaling, data_record=self.data_record)

    def _check_operating_limits(self) -> None:
        """No figures for a circuit that could not be built: every part of the board must stay
        in its safe operating area at every input of the data (see ``model.limits``)."""
        x = np.vstack([self.split.x_train, self.split.x_val, self.split.x_test])
        found = self.spice.violations(self.board.apply(self._realised()[0]), x, self.board.temperature_c)
        if found:
            raise OperatingLimitError(
                f"the trained circuit leaves its parts' safe operating area at {len(found)} part(s); the worst: "
                f"{found[0].message()}. Scale the data to about +-1 (inputs and target), or use parts with "
                f"wider limits", found)

    def _save(self, stage: str, snapshot: dict, extra: dict | None = None) -> None:
        if self.folder is None:
            return
        run_folder.write_checkpoint(self.folder, {"config": asdict(self.config), "stage": stage, "state": snapshot,
                                                  "history": self.history, "stopped": self.stopped,
                                                  **(extra or {})})


def _scaled(split: Split, scaling: DataScaling) -> Split:
    """The split in circuit units."""
    return Split(*(part for x, y in split.parts().values()
                   for part in (scaling.to_circuit(x), scaling.target_to_circuit(y))))


def fit(split: Split, config: FitConfig, spice=None, progress: Progress | None = None,
        data_description: dict | None = None) -> FitResult:
    """Train a circuit on ``split`` without checkpoints: ``FitRun(split, config).run()``; for
    ``topology="auto"``, one run per allowed topology and the best on validation (see
    ``topology_choice``). data_description: where the data came from (its columns and
    classes, for the circuit's data record), as FitRun takes it."""
    def start(settings: FitConfig) -> FitRun:
        return FitRun(split, settings, spice=spice, progress=progress, data_description=data_description)

    if config.topology == "auto":
        from .topology_choice import TopologyChoice, candidate_configs
        return TopologyChoice(*candidate_configs(config), start).run()
    return start(config).run()


__all__ = ["FitResult", "FitRun", "fit"]
