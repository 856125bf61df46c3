"""A circuit: the component values that realise a ReLU network in one topology.

Pure data, SI units (ohms, volts). How the components are wired is the topology's
business (``circuitnet.topologies``); this module only holds and checks the values.

Signals and rails. Every weighted sum draws current from *rails*: for each input signal
``u_k`` of a stage (the circuit inputs for the first stage, the previous stage's rectifier
outputs after that) there is a plain rail ``+u_k`` and, where some weight needs it, an
inverted rail ``-u_k`` made by a unity inverter; the bias column uses the references
``+v_ref`` and ``-v_ref``. A weight is one resistor from the rail whose sign it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..errors import RealisationError
from .data_record import DataRecord
from .devices import DiodeModel, OpAmpModel
from .network import frozen_array
from .opamp_offsets import OpAmpOffsets
from .scaling import DataScaling
from .series_pairs import SeriesPairs

# Every resistor array a Stage can hold, in the order every walk over a circuit's resistors
# takes (a board's drawn tolerances depend on it), then the stage's other field.
RESISTOR_FIELDS = ("r_plain", "r_inverted", "r_feedback", "r_load", "r_ground", "r_offset")
STAGE_FIELDS = RESISTOR_FIELDS + ("activation_scale",)
# The path of the one resistor value that is not per stage: every unity inverter's.
INVERTER_PATH = ("global", "r_inverter")


@dataclass(frozen=True)
class Stage:
    """The resistors of one layer of the network, all in ohms; ``inf`` means no resistor.

    r_plain: shape (n_out, n_in + 1); from plain rail k (the last column: +v_ref) into unit j.
    r_inverted: shape (n_out, n_in + 1); from inverted rail k (the last column: -v_ref).
    r_feedback: shape (n_out,); each summer's feedback resistor, or None where the stage has
        no summer (a passive rectifier layer).
    r_load: shape (n_out,); each rectifier's load to ground, or None for the linear output stage.
    r_ground: shape (n_out,); a passive pre-activation node's resistor to ground (inf: none),
        or None where the topology has none.
    r_offset: shape (n_out,); a resistor from -v_ref into each summer that lifts its output by
        the diode drop v_on (kept apart from the bias so the two never cancel into a resistor
        beyond range), or None where the topology has none.
    activation_scale: shape (n_out,), dimensionless and positive; hidden stages only: unit j's
        rectifier output in volts is ``activation_scale[j] * volts_per_unit * relu(w_j.u + b_j)``.
        None for the output stage (scale 1).
    """

    r_plain: np.ndarray
    r_inverted: np.ndarray
    r_feedback: np.ndarray | None = None
    r_load: np.ndarray | None = None
    r_ground: np.ndarray | None = None
    r_offset: np.ndarray | None = None
    activation_scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        for name in STAGE_FIELDS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, frozen_array(value))

    @property
    def n_out(self) -> int:
        return self.r_plain.shape[0]

    @property
    def n_in(self) -> int:
        return self.r_plain.shape[1] - 1

    @property
    def is_hidden(self) -> bool:
        return self.r_load is not None

    def inverted_signals(self) -> np.ndarray:
        """Bool array of shape (n_in,): which input signals need an inverted rail."""
        return np.isfinite(self.r_inverted[:, :-1]).any(axis=0)

    def required(self, name: str) -> np.ndarray:
        """The array of field ``name`` (one of STAGE_FIELDS), for a topology whose stages always
        have it; RealisationError where this stage has none (None)."""
        value = getattr(self, name)
        if value is None:
            raise RealisationError(f"this stage has no {name}; the topology that built it needs one")
        return value

    def resistor_arrays(self) -> dict[str, np.ndarray]:
        """Every resistor array of this stage by field name (absent fields left out)."""
        return {name: getattr(self, name) for name in RESISTOR_FIELDS if getattr(self, name) is not None}


@dataclass(frozen=True)
class Circuit:
    """A ReLU network realised as a circuit.

    topology: registered topology name (``passive``, ``diode``, ``precision``).
    stages: one Stage per network layer; all but the last are hidden (rectifying) stages.
    diode, opamp: device models used by every diode and op-amp of the circuit.
    volts_per_unit: volts per data unit, for inputs, hidden activations and outputs.
    v_ref: the bias reference, volts (the circuit has +v_ref and -v_ref rails).
    v_on: the diode drop, volts, that the biases were shifted by so each elbow sits where
        the ideal ReLU has it (0 for the precision topology).
    r_inverter: the input and feedback resistor of every unity inverter, ohms.
    resistor_range: (min, max) ohms that every resistor must lie in.
    data_scaling: how the user's data maps onto the circuit's units (see ``scaling``); None:
        data units are circuit units.
    data_record: what the circuit was trained on (column names, class labels, input ranges;
        see ``data_record``); None for a circuit made from a network directly.
    series_pairs: which resistor values are built from two E-series parts in series (see
        ``series_pairs``); None: every resistor is one part.
    buffer_loads: the most resistors one op-amp output drives; an output with more (a wide
        layer's input inverter) is split over unity followers (``topologies.rail_buffers``).
        None: no followers.
    opamp_offsets: a built board's op-amp input offsets and bias currents (see
        ``opamp_offsets``, drawn by ``board.Board``); None: the nominal circuit, which has none.
    """

    topology: str
    stages: tuple[Stage, ...]
    diode: DiodeModel
    opamp: OpAmpModel
    volts_per_unit: float
    v_ref: float
    v_on: float
    r_inverter: float
    resistor_range: tuple[float, float]
    data_scaling: DataScaling | None = None
    data_record: DataRecord | None = None
    series_pairs: SeriesPairs | None = None
    buffer_loads: int | None = None
    opamp_offsets: OpAmpOffsets | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "stages", tuple(self.stages))
        object.__setattr__(self, "resistor_range", tuple(float(r) for r in self.resistor_range))

    @property
    def n_inputs(self) -> int:
        return self.stages[0].n_in

    @property
    def n_outputs(self) -> int:
        return self.stages[-1].n_out

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        return tuple(stage.n_out for stage in self.stages[:-1])

    def resistor_count(self) -> int:
        """Number of physical resistors in the weighted sums, rectifiers and inverters."""
        count = 0
        for stage in self.stages:
            for array in stage.resistor_arrays().values():
                count += int(np.isfinite(array).sum())
            count += 2 * int(stage.inverted_signals().sum())
        return count


ResistorPath = tuple  # (stage index, field name) or INVERTER_PATH


def resistors(circuit: Circuit) -> Iterator[tuple[ResistorPath, np.ndarray]]:
    """Every resistor value of a circuit, ohms (inf: no resistor), with its path: each stage's
    arrays in RESISTOR_FIELDS order, then the inverters' 0-d array at INVERTER_PATH."""
    for index, stage in enumerate(circuit.stages):
        for name, array in stage.resistor_arrays().items():
            yield (index, name), array
    yield INVERTER_PATH, np.asarray(circuit.r_inverter, dtype=float)


def map_resistors(circuit: Circuit, function: Callable[[ResistorPath, np.ndarray], np.ndarray]) -> Circuit:
    """A copy of ``circuit`` with every resistor value replaced by ``function(path, ohms)``,
    called in the order of ``resistors`` (so a function that draws random numbers draws them
    in a fixed order); it returns an array of the same shape, ohms."""
    changes: dict[int, dict] = {}
    r_inverter = circuit.r_inverter
    for path, ohms in resistors(circuit):
        new = np.asarray(function(path, ohms), dtype=float)
        if new.shape != ohms.shape:
            raise ValueError(f"map_resistors: {path} has shape {ohms.shape}; the function returned {new.shape}")
        if path == INVERTER_PATH:
            r_inverter = float(new)
        else:
            changes.setdefault(path[0], {})[path[1]] = new
    stages = tuple(replace(stage, **changes.get(index, {})) for index, stage in enumerate(circuit.stages))
    return replace(circuit, stages=stages, r_inverter=r_inverter)
