"""What a circuit was trained on, in the user's own terms: column names, class labels and the
range each input covered.

Pure data. ``fit`` makes one from the training table and stores it with the circuit (model
file key ``data``); ``simulate`` maps a CSV's columns by ``input_names``, ``compare``,
``export`` and ``simulate --x`` sweep ``input_low..input_high`` by default, and plots and
reports name the columns and classes instead of "x1" or "output 3".
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .fit_rows import row_digests
from .network import frozen_array


@dataclass(frozen=True)
class DataRecord:
    """input_names: one per circuit input, in input order.
    output_names: one per circuit output (a regressor's target columns; a classifier's
        outputs are its classes, named as ``class_labels``).
    input_low, input_high: shape (n_inputs,), data units: the smallest and largest value of
        each input in the training split (finite, low <= high).
    class_labels: a classifier's labels as text, one per output in output order; None for a
        regressor.
    fit_rows: the digests of the rows that trained or validated the model (``model.fit_rows``),
        so compare can tell held-out rows from the fit's own; None when not recorded (a file
        written before they were, or a fit on more than ``MAX_RECORDED_ROWS`` rows).
    """

    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    input_low: np.ndarray
    input_high: np.ndarray
    class_labels: tuple[str, ...] | None = None
    fit_rows: frozenset[str] | None = field(default=None, repr=False)  # thousands of digests: not in a repr

    def __post_init__(self) -> None:
        object.__setattr__(self, "input_names", tuple(str(name) for name in self.input_names))
        object.__setattr__(self, "output_names", tuple(str(name) for name in self.output_names))
        if self.class_labels is not None:
            object.__setattr__(self, "class_labels", tuple(str(label) for label in self.class_labels))
        if self.fit_rows is not None:
            object.__setattr__(self, "fit_rows", frozenset(self.fit_rows))
        low = np.asarray(self.input_low, dtype=float).reshape(-1)
        high = np.asarray(self.input_high, dtype=float).reshape(-1)
        if low.shape != (len(self.input_names),) or high.shape != low.shape:
            raise ValueError(f"input_low and input_high need one value per input ({len(self.input_names)}); "
                             f"got {low.size} and {high.size}")
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high)) and np.all(low <= high)):
            raise ValueError(f"input ranges must be finite with low <= high; got {low.tolist()} .. {high.tolist()}")
        object.__setattr__(self, "input_low", frozen_array(low))
        object.__setattr__(self, "input_high", frozen_array(high))

    def rows_seen(self, x: np.ndarray, y: np.ndarray) -> int | None:
        """How many rows of (x (n, n_inputs), y (n, n_outputs)), data units, trained or
        validated the model; None when the record keeps no digests (not known)."""
        if self.fit_rows is None:
            return None
        return sum(digest in self.fit_rows for digest in row_digests(x, y))

    @property
    def is_classifier(self) -> bool:
        return self.class_labels is not None

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)
