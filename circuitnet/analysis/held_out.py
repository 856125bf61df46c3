"""Held-out samples a circuit is judged against besides its own nominal self: the data it
should fit, which the model file does not hold (compare reads them from a fit's folder or
from ``--data``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeldOutData:
    """x: (m, n_inputs), y: (m, n_outputs), data units; source: what they are, in words,
    for the report (e.g. "the test split of out/fit/data.csv")."""

    x: np.ndarray
    y: np.ndarray
    source: str

    def rmse(self, y: np.ndarray) -> float:
        """RMSE of outputs y (m, n_outputs) against the data, over every output."""
        return float(np.sqrt(np.mean((np.asarray(y) - self.y) ** 2)))
