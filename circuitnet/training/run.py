"""A fit run: from a train / validation / test split to a SPICE-verified circuit.

The stages (``fit_stages``: pretrain, realise, train the circuit, snap, measure) are
functions of the run's context and state (``fit_state``); the task (``task``: regression or
classification) owns what differs between them. ``FitRun`` calls the stages in order and
makes the typed report (``results.FitReport``). Measure: for a regressor, train / validation
/ test RMSE of ngspice simulating the board (by default the nominal circuit at 27 C), and
test RMSE of the read-back ideal network and of the surrogate; for a classifier, accuracies
on the whole test split, sharded over an executor. The test split is used there and nowhere
else.

Runs are deterministic for a seed; a run with a folder writes its data and a checkpoint
there and ``FitRun.resume(folder)`` continues it exactly where it stopped (``session``
drives a whole ``circuitnet fit``, with its search, for the CLI).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..backends.opamp_summary import opamp_summary
from ..backends.spice.backend import SpiceBackend, spice_for_call
from ..errors import CircuitnetError
from ..model.circuit import Circuit
from . import fit_stages, run_folder
from .circuit_problem import CircuitProblem
from .config import FitConfig, TrainingMode
from .data import Split
from .fit_state import CIRCUIT, DONE, MEASURE, PRETRAIN, SNAP, FitContext, FitState
from .progress import Progress
from .results import Figures, FitReport, SnappingFigures
from .run_folder_checks import restored_network
from .snap_pairs import pair_count
from .task import SWING_SHARE

__all__ = ["CIRCUIT", "DONE", "MEASURE", "PRETRAIN", "SNAP", "SWING_SHARE", "FitResult", "FitRun", "fit", "run_of"]


@dataclass
class FitResult:
    """circuit: the trained circuit (with its data scaling and record); summary: its report;
    history: stage -> {"train": [...], "val": [...]} losses per epoch (and "val_accuracy" for
    classifiers); details: classifiers' test outputs of each backend (see measure_classifier)."""

    circuit: Circuit
    summary: FitReport
    history: dict
    interrupted: bool = False
    details: dict | None = None

    @property
    def report(self) -> dict:
        """report.json's document (``summary.to_dict()``)."""
        return self.summary.to_dict()


class FitRun:
    """One training run. ``run()`` does every stage not yet done and returns a FitResult.

    split: the data; config: the settings. folder: where the checkpoint is kept (None: no
    checkpoints). spice: a SpiceBackend, the caller's, left open (default: one of the run's
    own, whose workers ``close()`` stops, as does the end of ``with FitRun(...) as run:``).
    progress: per-stage and per-epoch callbacks. data_description: where the data came from,
    copied into the report. executor: where a classifier's test split is simulated in
    ngspice (default: local threads, one per core). ``context`` and ``state`` hold the rest.
    """

    resumable = True  # a run with a folder continues from its checkpoint (a TopologyChoice does not)

    def __init__(self, split: Split, config: FitConfig, folder: str | Path | None = None, spice=None,
                 progress: Progress | None = None, data_description: dict | None = None, executor=None):
        if config.topology == "auto":
            raise CircuitnetError("topology 'auto' is a choice between fits, not one fit: use training.run.fit or "
                                  "training.topology_choice.TopologyChoice")
        self._own_spice = None if spice is not None else SpiceBackend()  # the backend this run made, and closes
        self.context = FitContext.of(split, config, spice or self._own_spice, progress, data_description, folder,
                                     executor)
        self.state = FitState()

    def close(self) -> None:
        """Stop the workers of the backend this run made (a backend passed in is left open)."""
        if self._own_spice is not None:
            self._own_spice.close()

    def __enter__(self) -> FitRun:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

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
        state = run.state
        state.history.update(saved["history"])
        state.stopped.update(saved.get("stopped", {}))
        if saved["stage"] == PRETRAIN:
            state.restored = {PRETRAIN: saved["state"]}
        else:
            state.network = restored_network(saved["ideal_network"], folder / run_folder.CHECKPOINT,
                                             [split.n_inputs, *config.hidden, run.context.n_outputs])
            state.restored = {CIRCUIT: saved["state"]}
            state.stage = CIRCUIT
        return run

    def run(self) -> FitResult:
        started = time.monotonic()
        context, state = self.context, self.state
        self._train()
        context.progress.close()
        fit_stages.keep_outputs_inside(context, state, "training")
        before_snapping = None
        if context.config.e_series and not state.interrupted:
            state.stage = SNAP
            before_snapping = fit_stages.snap(context, state)
        state.stage = MEASURE
        figures = fit_stages.measure(context, state)
        circuit = state.circuit
        assert circuit is not None  # measured
        report = self._report(circuit, figures, before_snapping, round(time.monotonic() - started, 3))
        state.stage = DONE
        return FitResult(circuit, report, state.history, state.interrupted, state.details)

    def _train(self) -> None:
        """Pretrain (unless restored) and realise, or take the circuit a warm start continues, and
        train the circuit; Ctrl-C keeps the best so far."""
        context, state = self.context, self.state
        try:
            if context.start is not None:  # a warm start: no pretraining, the model's circuit (warm_start)
                fit_stages.start_from(context, state, context.start)
            elif state.network is None:
                state.network = fit_stages.pretrain(context, state)
            state.stage = CIRCUIT
            if context.start is None:
                assert state.network is not None  # pretrained (or restored) above
                fit_stages.realise(context, state, state.network)
            if context.config.mode != TrainingMode.IDEAL:
                state.circuit = fit_stages.train_circuit(context, state)
        except KeyboardInterrupt:
            state.interrupted = True
            if not self.keep_best_so_far():
                raise

    def _report(self, circuit: Circuit, figures: Figures, before_snapping: float | None, seconds: float) -> FitReport:
        context, state, config = self.context, self.state, self.context.config
        snapping = (SnappingFigures(config.e_series, figures.HEADLINE, before_snapping, figures.headline,
                                    pair_count(circuit))
                    if config.e_series else None)
        return FitReport(figures, seconds, asdict(config), state.pruned, state.interrupted,
                         {stage: len(h["val"]) for stage, h in state.history.items()}, state.stopped,
                         context.board.describe(),
                         None if figures.NAMES_NGSPICE else context.spice.ngspice_info().to_dict(),
                         opamps=opamp_summary(circuit), data=context.data_description, e_series=snapping)

    def keep_best_so_far(self) -> bool:
        """Make ``circuit`` the best circuit so far, for a run stopped by Ctrl-C or a failure
        (see fit_stages.keep_best_so_far). Returns False when there is none yet."""
        return fit_stages.keep_best_so_far(self.context, self.state)

    # -- what the CLI, the topology choice and the benchmarks read ------------------------
    @property
    def split(self) -> Split:
        return self.context.split

    @property
    def inside(self) -> Split:
        return self.context.inside

    @property
    def config(self) -> FitConfig:
        return self.context.config

    @property
    def task(self) -> str:
        return self.context.task.name

    @property
    def classify(self) -> bool:
        """Whether the task is classification (``task`` names it)."""
        return self.task == "classify"

    @property
    def spice(self):
        return self.context.spice

    @property
    def board(self):
        return self.context.board

    @property
    def data_description(self) -> dict | None:
        return self.context.data_description

    @property
    def circuit(self) -> Circuit | None:
        return self.state.circuit

    @property
    def problem(self) -> CircuitProblem | None:
        return self.state.problem


def run_of(split: Split, config: FitConfig, folder: str | Path | None = None, table: list[dict] | None = None,
           tell=None, **settings):
    """The run of ``config``: a FitRun (checkpointed in ``folder`` when given), or for
    ``topology="auto"`` the TopologyChoice between the allowed topologies (see
    ``topology_choice``), each candidate with its best settings of a search's ``table`` if
    one ran; candidates keep no checkpoints. tell: receives the sentence naming the
    candidates, or None. settings: FitRun's keyword arguments (spice, progress,
    data_description, executor)."""
    if config.topology != "auto":
        return FitRun(split, config, folder, **settings)
    from .topology_choice import TopologyChoice, candidate_configs
    configs, excluded = candidate_configs(config, table)
    if tell is not None:
        tell(f"choosing the topology on validation data among {', '.join(configs)}...")
    return TopologyChoice(configs, excluded, lambda candidate: FitRun(split, candidate, None, **settings))


def fit(split: Split, config: FitConfig, spice=None, progress: Progress | None = None,
        data_description: dict | None = None) -> FitResult:
    """Train a circuit on ``split`` without checkpoints: ``FitRun(split, config).run()``; for
    ``topology="auto"``, one run per allowed topology and the best on validation (see
    ``run_of``). data_description: where the data came from (its columns and classes, for
    the circuit's data record), as FitRun takes it. spice: the SpiceBackend every ngspice run
    goes to (default: one made for this call, closed after)."""
    with spice_for_call(spice) as spice:
        return run_of(split, config, spice=spice, progress=progress, data_description=data_description).run()
