"""Input sweeps: ``START:STOP:N`` in data units, N evenly spaced points, both ends included."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..errors import InputShapeError

if TYPE_CHECKING:
    import numpy as np

# NumPy is imported where a sweep's values are made, not here: the command line parses
# START:STOP:N flags before it knows whether the command needs NumPy (``circuitnet --help``).

MAX_POINTS = 1_000_000
# circuit units (data units for a circuit without data scaling): an input or sweep end beyond
# this is no signal a circuit of these parts can take
INPUT_LIMIT = 1e3


@dataclass(frozen=True)
class Sweep:
    """N evenly spaced values of input 1 from start to stop (both included), data units.

    held: the value of each other input (inputs 2..n, data units) while input 1 is swept;
    empty: every other input at 0."""

    start: float
    stop: float
    n: int
    held: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise InputShapeError(f"sweep {self}: start and stop must be finite numbers")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not (2 <= self.n <= MAX_POINTS):
            raise InputShapeError(f"sweep has N = {self.n} points; N must be a whole number from 2 to {MAX_POINTS}")
        if self.start == self.stop:
            raise InputShapeError(f"sweep start and stop are both {self.start}; give two different values")
        object.__setattr__(self, "held", tuple(float(v) for v in self.held))
        if not all(math.isfinite(v) for v in self.held):
            raise InputShapeError(f"sweep {self}: the held inputs {list(self.held)} must be finite numbers")

    @property
    def step(self) -> float:
        return (self.stop - self.start) / (self.n - 1)

    def values(self) -> np.ndarray:
        """The points, shape (n,), data units."""
        import numpy as np
        return np.linspace(self.start, self.stop, self.n)

    def held_values(self, n_inputs: int) -> np.ndarray:
        """Every input's value while input 1 is swept, shape (n_inputs,), data units: the
        others at ``held`` (0 when the sweep holds none); input 1's entry is 0 (the ``.dc``
        analysis sets it, so a netlist's source line does not change with the sweep)."""
        import numpy as np
        if self.held and len(self.held) != n_inputs - 1:
            raise InputShapeError(f"sweep {self} holds {len(self.held)} other input(s); the circuit has "
                                  f"{n_inputs - 1}")
        values = np.zeros(n_inputs)
        values[1:] = self.held or 0.0
        return values

    def inputs(self, n_inputs: int) -> np.ndarray:
        """Input samples of shape (n, n_inputs): input 1 swept, the others at ``held``."""
        import numpy as np
        x = np.tile(self.held_values(n_inputs), (self.n, 1))
        x[:, 0] = self.values()
        return x

    def __str__(self) -> str:
        return f"{self.start:g}:{self.stop:g}:{self.n}"


def parse_sweep(text: str) -> Sweep:
    """``"-1:1:201"`` -> Sweep(-1.0, 1.0, 201), with an error that shows the expected form."""
    parts = str(text).split(":")
    try:
        if len(parts) != 3:
            raise ValueError
        start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        raise InputShapeError(
            f"sweep {text!r} is not START:STOP:N (for example -1:1:201: 201 points from -1 to 1)"
        ) from None
    return Sweep(start, stop, n)


DEFAULT_SWEEP_POINTS = 201
UNRECORDED_SWEEP = (-1.0, 1.0)  # data units: a circuit that records no data range is swept here


def default_sweep(record, n: int = DEFAULT_SWEEP_POINTS) -> Sweep:
    """The sweep of input 1 that compare, export and ``simulate --x`` use when none is given:
    the training data's range of input 1 (``record``: a DataRecord, or None), so a model is
    pictured where it was trained rather than where it extrapolates; -1..1 when the circuit
    records no range, or when input 1 held a single value. The other inputs are held as
    ``held_inputs`` says."""
    if record is not None and record.input_high[0] > record.input_low[0]:
        return Sweep(float(record.input_low[0]), float(record.input_high[0]), n, held_inputs(record))
    return Sweep(*UNRECORDED_SWEEP, n, held_inputs(record))


def held_values(record, n_inputs: int) -> np.ndarray:
    """The one definition of "the held value" of each input, shape (n_inputs,), data units:
    the middle of its training range (``record``: a DataRecord), so whatever holds an input
    still (compare's and export's sweeps, fit.png's other inputs, ``export --op``) holds it
    where the model was fit; 0 for a circuit that records no range."""
    import numpy as np
    if record is None:
        return np.zeros(n_inputs)
    return (np.asarray(record.input_low, dtype=float) + np.asarray(record.input_high, dtype=float)) / 2


def held_inputs(record) -> tuple[float, ...]:
    """Where inputs 2..n stay while input 1 is swept, data units: their ``held_values``;
    () (every other input at 0) for a circuit that records no range."""
    if record is None:
        return ()
    return tuple(float(v) for v in held_values(record, record.n_inputs)[1:])


def sweep_for(record, given: Sweep | None) -> Sweep:
    """The sweep a command uses: ``given`` (a --x / --sweep flag) with the other inputs held
    as ``held_inputs`` says, else ``default_sweep(record)``; compare and export agree."""
    if given is None:
        return default_sweep(record)
    return replace(given, held=held_inputs(record))
