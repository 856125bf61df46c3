"""Held-out samples a circuit is judged against besides its own nominal self: the data it
should fit, which the model file does not hold (compare reads them from a fit's folder or
from ``--data``), and whether they are held out at all.

Rows given with ``--data`` may be the fit's own: a figure on rows that trained or validated
the model looks better than the circuit is. The model file keeps a digest of each of those
rows (``model.fit_rows``), so the figure is labelled for what it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeldOutData:
    """x: (m, n_inputs), y: (m, n_outputs), data units; source: what they are, in words,
    for the report (e.g. "the test split of out/fit/data.csv").

    fit_rows: how many of the m rows trained or validated the model (0: held out), None
    when that is not known (a model file without the digests). advice: how to get a
    held-out figure instead, for data that are not known to be held out ("" otherwise)."""

    x: np.ndarray
    y: np.ndarray
    source: str
    fit_rows: int | None = 0
    advice: str = ""

    def rmse(self, y: np.ndarray) -> float:
        """RMSE of outputs y (m, n_outputs) against the data, over every output."""
        return float(np.sqrt(np.mean((np.asarray(y) - self.y) ** 2)))

    @property
    def held_out(self) -> bool | None:
        """True when no row trained or validated the model, False when some did, None when
        not known."""
        return None if self.fit_rows is None else self.fit_rows == 0

    @property
    def heading(self) -> str:
        """What the data are, for the summary and the report: "held-out data (every row of
        t.csv, 60 samples)", or the fit's own data or data not known to be held out."""
        samples = len(self.x)
        if self.fit_rows:
            return (f"the fit's own data: {self.fit_rows} of its {samples} rows trained or validated the model "
                    f"({self.source})")
        return f"{data_kind(self.held_out)} ({self.source}, {samples} samples)"

    def describe(self) -> dict:
        """compare.json's words for the data: source, samples, held_out, fit_rows, heading,
        advice."""
        return {"source": self.source, "samples": int(len(self.x)), "held_out": self.held_out,
                "fit_rows": self.fit_rows, "heading": self.heading, "advice": self.advice}


def data_kind(held_out: bool | None) -> str:
    """What data are, in a few words, from whether they are held out (None: not known):
    the report's title and the figures' legends say it the same way."""
    if held_out is None:
        return "data not known to be held out"
    return "held-out data" if held_out else "the fit's own data"
