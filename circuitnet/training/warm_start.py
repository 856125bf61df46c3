"""Continuing to train a circuit that is already trained: a warm start (``fit --start-from MODEL``,
``FitConfig.start_from``).

The circuit stage starts from the model file's resistor values instead of pretraining an ideal
network and realising it. With a board (``--board-*``) and ``spice-loop`` mode, that is
chip-in-the-loop calibration: the trained circuit fine-tuned against one built board, whose
resistor errors and op-amp offsets ngspice simulates (on a real bench, the board itself would
be measured). What it wins is that board's: every other board has errors of its own.

What a calibration trains toward: a classifier's labels (the run's own task), or the design
itself. ``toward_design`` makes the split whose targets are the nominal circuit's outputs, to be
fit with ``task="regress"`` and ``scale=False``: the board trained to do what the design does on
the training inputs, labels not needed. On a classifier that already classifies every training
sample right, the labels say little about what a board's offsets moved, and the design's outputs
say all of it (benchmarks/opamp_winback_784_cases.py measured both).

The model fixes the circuit's structure (topology, widths, parts, volts per unit, resistor range),
so a started run's settings take them from it (``started_config``), and ``check_start`` refuses
a model that does not fit the run's data: other inputs or classes, another data scaling, or test
rows that trained or validated the model (its test figure would not be held out).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..backends.surrogate import SurrogateBackend
from ..errors import CircuitnetError
from ..formats import modelfile
from ..model.circuit import Circuit
from ..model.fit_rows import row_digests
from ..model.opamp_parts import opamp_model, supply_rails
from ..model.scaling import DataScaling
from .config import FitConfig, TrainingMode
from .data import Split

# The settings a started run takes from its model: what its circuit already is.
STRUCTURE_FIELDS = ("topology", "hidden", "opamp", "supply_v", "volts_per_unit", "resistor_range", "buffer_loads")


def start_circuit(config: FitConfig) -> Circuit | None:
    """The circuit ``config.start_from`` names (a model file), or None for a run that starts
    from scratch. ModelFileError names a file that can't be read."""
    if config.start_from is None:
        return None
    return modelfile.load(config.start_from)


def structure_of(circuit: Circuit) -> dict:
    """The FitConfig fields (STRUCTURE_FIELDS) of the circuit as it is built."""
    opamp, supply = None, 15.0
    part = circuit.opamp.part
    rails = supply_rails(circuit.opamp)  # a real part's model (None: the generic op-amp)
    if part is not None and rails is not None and circuit.opamp == opamp_model(part, rails[1], circuit.opamp.gain):
        opamp, supply = part, rails[1]
    return {"topology": circuit.topology, "hidden": list(circuit.hidden_sizes), "opamp": opamp, "supply_v": supply,
            "volts_per_unit": circuit.volts_per_unit, "resistor_range": [float(r) for r in circuit.resistor_range],
            "buffer_loads": circuit.buffer_loads}


def started_config(config: FitConfig) -> FitConfig:
    """``config`` with the structure of the circuit it starts from (unchanged without one)."""
    circuit = start_circuit(config)
    return config if circuit is None else replace(config, **structure_of(circuit))


def check_start(circuit: Circuit, config: FitConfig, split: Split, n_outputs: int,
                scaling: DataScaling | None) -> Circuit:
    """The circuit a started run trains: ``circuit`` without its data scaling and record (the
    run adds its own), after checking that it fits the run. split: the user's units; n_outputs:
    the run's outputs; scaling: the run's. CircuitnetError says what does not fit and how to
    mend it."""
    source = config.start_from
    if config.mode == TrainingMode.IDEAL:
        raise CircuitnetError(f"--start-from {source} continues training a circuit's resistors; mode 'ideal' trains "
                              f"no resistors: use --mode spice-loop (calibration against a board) or surrogate")
    found = structure_of(circuit)
    for name in STRUCTURE_FIELDS:
        if getattr(config, name) != found[name]:
            raise CircuitnetError(f"{name} = {getattr(config, name)!r}, but the circuit of {source} has "
                                  f"{found[name]!r}: a started run keeps its model's structure "
                                  f"(training.warm_start.started_config)")
    if (circuit.n_inputs, circuit.n_outputs) != (split.n_inputs, n_outputs):
        raise CircuitnetError(f"{source} has {circuit.n_inputs} input(s) and {circuit.n_outputs} output(s); this "
                              f"fit's data has {split.n_inputs} and {n_outputs}: start from a model fit on the same "
                              f"data")
    if _scaling_dict(circuit.data_scaling) != _scaling_dict(scaling):
        raise CircuitnetError(f"{source} maps its data onto the circuit with another scaling than this fit's data "
                              f"needs: start from a model fit on the same data (and the same --scale)")
    seen = circuit.data_record.fit_rows if circuit.data_record is not None else None
    if seen:
        shared = sum(digest in seen for digest in row_digests(split.x_test, split.y_test))
        if shared:
            raise CircuitnetError(f"{shared} of this fit's {len(split.x_test)} test rows trained or validated the "
                                  f"circuit of {source}, so its test figure would not be held out: split the data as "
                                  f"that fit did (the same --seed)")
    return replace(circuit, data_scaling=None, data_record=None)


def toward_design(circuit: Circuit, split: Split) -> Split:
    """``split``'s inputs with ``circuit``'s nominal outputs (the surrogate's, circuit units;
    shape (n, n_outputs) per part) as its targets: what a board calibrated toward the design is
    trained to reproduce. Fit it with task="regress" and scale=False."""
    surrogate = SurrogateBackend()
    outputs = {name: surrogate.simulate(circuit, x).y for name, (x, _) in split.parts().items()}
    return Split(split.x_train, outputs["train"], split.x_val, outputs["val"], split.x_test, outputs["test"])


def _scaling_dict(scaling: DataScaling | None) -> dict | None:
    if scaling is None:
        return None
    return {name: np.asarray(getattr(scaling, name)).tolist() for name in ("x_offset", "x_scale", "y_offset",
                                                                            "y_scale")}


def absolute(path: str | Path) -> str:
    """A start model's path as the run records it: absolute, so a resume from another folder finds it."""
    return str(Path(path).resolve())
