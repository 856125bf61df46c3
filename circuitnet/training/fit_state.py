"""The two halves of a fit run that the stages (``fit_stages``) pass along.

- ``FitContext``: what the run was given and derived from it before any stage ran (the data
  in the user's and in circuit units, the settings, the task and its loss, the board, the
  backends and callbacks). It never changes during a run.
- ``FitState``: what the stages have done so far (the stage under way, the loop states and
  histories, the pretrained network, the circuit and its problem, what was pruned). Its
  checkpointed part is what ``FitRun.resume`` restores.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from ..model.board import Board
from ..model.circuit import Circuit
from ..model.data_record import DataRecord
from ..model.network import ReLUNet
from ..model.scaling import DataScaling
from ..topologies import RealisationOptions, get_topology
from . import loop, run_folder, warm_start
from .circuit_problem import CircuitProblem
from .config import FitConfig
from .data import Split
from .data_record_of import data_record_of
from .progress import Progress
from .resistor_range import realisation_in_range
from .task import Task, task_for

# The stages of a run, in order; a checkpoint names one of the first two.
PRETRAIN, CIRCUIT, SNAP, MEASURE, DONE = "pretrain", "circuit", "e-series", "measure", "done"


@dataclass(frozen=True)
class FitContext:
    """split: the user's units, what the report measures; inside: the same split in circuit
    units (data beyond the circuits' window is trained scaled, see model.scaling); scaling:
    that DataScaling, or None. spice: a SpiceBackend; executor: where a classifier's test split
    is simulated (None: local threads); folder: where checkpoints go (None: none). start: the
    circuit the circuit stage continues (``config.start_from``'s, see ``warm_start``), or None:
    the run pretrains and realises its own."""

    split: Split
    inside: Split
    config: FitConfig
    task: Task
    loss: Any
    scaling: DataScaling | None
    board: Board
    spice: Any  # a SpiceBackend (simulate, violations, ngspice_info)
    progress: Any  # training.progress.Progress's methods
    data_record: DataRecord | None
    data_description: dict | None = None
    folder: Path | None = None
    executor: Any = None
    start: Circuit | None = None

    @classmethod
    def of(cls, split: Split, config: FitConfig, spice, progress: Progress | None = None,
           data_description: dict | None = None, folder: str | Path | None = None, executor=None) -> FitContext:
        """The context of a run of ``config`` on ``split`` (see FitRun for the arguments)."""
        task = task_for(config.task)
        scaling = DataScaling.for_data(split.x_train, task.scaling_targets(config, split)) if config.scale else None
        context = cls(split, split if scaling is None else _scaled(split, scaling), config, task, None, scaling,
                      config.board_model(), spice, progress or Progress(),
                      data_record_of(split, data_description or {}, task.record_classes(config)), data_description,
                      Path(folder) if folder is not None else None, executor)
        start = warm_start.start_circuit(config)
        if start is not None:  # checked before any training, as a bad setting is
            start = warm_start.check_start(start, config, split, context.n_outputs, scaling)
        return replace(context, loss=task.loss(config, context.swing()), start=start)

    @property
    def n_outputs(self) -> int:
        return self.task.n_outputs(self.config, self.split)

    def options(self) -> RealisationOptions:
        config = self.config
        return realisation_in_range(config.resistor_range, diode=config.diode, volts_per_unit=config.volts_per_unit,
                                    opamp=config.opamp_model(), buffer_loads=config.buffer_loads)

    def swing_volts(self) -> float | None:
        """The most a summer may output, volts, for a task that bounds it (None: no bound)."""
        opamp = self.options().opamp_model(get_topology(self.config.topology).default_opamp)
        return self.task.swing_volts(opamp.v_pos, opamp.v_neg)

    def swing(self) -> float | None:
        """The swing in circuit units (see swing_volts)."""
        volts = self.swing_volts()
        return None if volts is None else volts / self.config.volts_per_unit

    def hidden_swing(self) -> float | None:
        """The most a hidden pre-activation may be, circuit units, so that its summer's output
        stays inside the swing: the swing less what the topology lifts the summer's output by
        (the diode summer's v_on: ``a = s * z + v_on``, which reached 1.14 V against an LM358's
        1 V rail on +-3 V with pre-activations kept to the 0.6 V swing). At least a
        thousandth of the swing, so that a lift beyond the swing still leaves a bound."""
        volts = self.swing_volts()
        if volts is None:
            return None
        lift = get_topology(self.config.topology).hidden_summer_lift(self.options())
        return max(volts - lift, 1e-3 * volts) / self.config.volts_per_unit

    def scaled_circuit(self, circuit: Circuit) -> Circuit:
        """The circuit with this run's data scaling, which it is trained without, and its data
        record."""
        return replace(circuit, data_scaling=self.scaling, data_record=self.data_record)

    def save(self, state: FitState, stage: str, snapshot: dict, extra: dict | None = None) -> None:
        """The checkpoint of ``stage`` (a loop snapshot), when the run has a folder."""
        if self.folder is None:
            return
        run_folder.write_checkpoint(self.folder, {"config": asdict(self.config), "stage": stage, "state": snapshot,
                                                  "history": state.history, "stopped": state.stopped,
                                                  **(extra or {})})


@dataclass
class FitState:
    """What the stages of one run have done (see the module docstring)."""

    stage: str = PRETRAIN
    history: dict = field(default_factory=dict)  # stage -> {"train": [...], "val": [...]} per epoch
    stopped: dict = field(default_factory=dict)  # stage -> why it ended (loop.stop_reason)
    network: ReLUNet | None = None  # the pretrained ideal network, once pretraining is done
    ideal_state: loop.LoopState | None = None
    circuit_state: loop.LoopState | None = None
    problem: CircuitProblem | None = None
    circuit: Circuit | None = None
    pruned: list[str] = field(default_factory=list)
    zero_weights: int = 0  # weights the realisability projection left at 0 (classifiers)
    output_scalings: list[dict] = field(default_factory=list)  # what keeping the outputs inside the swing did
    details: dict | None = None  # classifiers: the test outputs of each backend (see measure_classifier)
    interrupted: bool = False
    restored: dict = field(default_factory=dict)  # a checkpoint's loop state for the stage it names

    def realised(self) -> tuple[Circuit, CircuitProblem]:
        """(circuit, problem) for the stages after ``realise`` made them, where neither is None."""
        assert self.circuit is not None and self.problem is not None, "the circuit is realised first"
        return self.circuit, self.problem


def _scaled(split: Split, scaling: DataScaling) -> Split:
    """The split in circuit units."""
    return Split(*(part for x, y in split.parts().values()
                   for part in (scaling.to_circuit(x), scaling.target_to_circuit(y))))


__all__ = ["CIRCUIT", "DONE", "MEASURE", "PRETRAIN", "SNAP", "FitContext", "FitState"]
