"""Resistors built from two E-series parts in series.

Where one value of a series is too coarse (E24's steps are about 10 %), E-series snapping with
pairs (``circuitnet fit --e-series E24 --e-series-pairs``) gives a resistor the sum of two
values of the series, such as 20 k + 200. The circuit holds only the sum: it is the resistor
the surrogate, ngspice and every figure see, and the netlist writes one resistor of that value.
This record says which two parts make each such value, for the bill of materials and the
exported netlist's header; a value it does not name is one part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAME_OHMS = 1e-9  # relative: a value matches a pair's sum this closely (float sums differ in ulps)


@dataclass(frozen=True)
class SeriesPairs:
    """series: the E-series both parts come from ("E24").
    pairs: ((sum, larger, smaller), ...) in ohms, sum == larger + smaller, ascending by sum.
    """

    series: str
    pairs: tuple[tuple[float, float, float], ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "pairs", tuple(sorted((float(s), float(a), float(b)) for s, a, b in self.pairs)))

    def parts(self, ohms: float) -> tuple[float, float] | None:
        """(larger, smaller) ohms of the pair that makes ``ohms``, or None: one part."""
        for total, larger, smaller in self.pairs:
            if abs(total - ohms) <= SAME_OHMS * total:
                return larger, smaller
        return None

    def used_by(self, values: np.ndarray) -> SeriesPairs:
        """The pairs whose sum is one of ``values`` (ohms, any shape; inf ignored)."""
        finite = np.asarray(values, dtype=float)
        finite = finite[np.isfinite(finite)]
        return SeriesPairs(self.series, tuple(p for p in self.pairs
                                              if np.any(np.abs(finite - p[0]) <= SAME_OHMS * p[0])))

    def to_dict(self) -> dict:
        return {"series": self.series, "pairs": [list(pair) for pair in self.pairs]}
