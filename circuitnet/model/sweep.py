"""Input sweeps: ``START:STOP:N`` in data units, N evenly spaced points, both ends included."""

from __future__ import annotations

import math
from dataclasses import dataclass
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
    """N evenly spaced values from start to stop (both included), data units."""

    start: float
    stop: float
    n: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.start) and math.isfinite(self.stop)):
            raise InputShapeError(f"sweep {self}: start and stop must be finite numbers")
        if isinstance(self.n, bool) or not isinstance(self.n, int) or not (2 <= self.n <= MAX_POINTS):
            raise InputShapeError(f"sweep has N = {self.n} points; N must be a whole number from 2 to {MAX_POINTS}")
        if self.start == self.stop:
            raise InputShapeError(f"sweep start and stop are both {self.start}; give two different values")

    @property
    def step(self) -> float:
        return (self.stop - self.start) / (self.n - 1)

    def values(self) -> np.ndarray:
        """The points, shape (n,), data units."""
        import numpy as np
        return np.linspace(self.start, self.stop, self.n)

    def inputs(self, n_inputs: int) -> np.ndarray:
        """Input samples of shape (n, n_inputs): input 1 swept, the others at 0."""
        import numpy as np
        x = np.zeros((self.n, n_inputs))
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
    records no range, or when input 1 held a single value."""
    if record is not None and record.input_high[0] > record.input_low[0]:
        return Sweep(float(record.input_low[0]), float(record.input_high[0]), n)
    return Sweep(*UNRECORDED_SWEEP, n)
