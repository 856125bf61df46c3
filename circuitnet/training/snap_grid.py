"""The values E-series snapping may give each resistor: one value of the series, or, where one
value is too coarse, the sum of two values of the series in series ("a series pair").

E24's steps are about 10 %; a pair ``larger + trim`` with the trim anywhere from
PAIR_TRIM_LOW up to the larger part fills them in: between 1 k and 1 M the E24 pairs are
spaced 0.06 % apart (median; 4,833 values against E24's 73). Both parts are values a hobbyist
buys; the circuit sees only their sum.

Why series and not parallel: a series pair of a value and a small trim is read at a glance
(10 k + 220), the trim's own tolerance barely matters (its share of the sum is small), and the
pairs reach every value of the range, its low end included (1 k + a trim), where parallel
pairs (which reach below their parts) would need parts above 1 Mohm at the top.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import eseries

PAIR_TRIM_LOW = 10.0  # ohms: the smallest part of a pair (hobby kits of E24 values start at 10 ohm)
SAME_SUM = 1e-9  # relative: sums closer than this are one value (float sums of the same ohms differ in ulps)


@dataclass(frozen=True)
class PairSums:
    """Every value a series pair of ``series`` values makes inside (low, high) ohms that the
    series itself lacks, ascending, with its two parts.

    ohms, larger, smaller: shape (n,), ohms; ohms == larger + smaller exactly (the float sum).
    Where several pairs make one value, the one with the largest ``larger`` part (the
    smallest trim) is kept.
    """

    series: str
    ohms: np.ndarray
    larger: np.ndarray
    smaller: np.ndarray

    @classmethod
    def of(cls, series: str, low: float, high: float) -> PairSums:
        singles = eseries.series_values(series, low, high)
        larger = eseries.series_values(series, low / 2, high)
        trims = eseries.series_values(series, PAIR_TRIM_LOW, high)
        a, b = np.meshgrid(larger, trims, indexing="ij")
        ohms = a + b
        keep = (b <= a) & (ohms >= low * (1 - 1e-12)) & (ohms <= high * (1 + 1e-12))
        ohms, a, b = ohms[keep], a[keep], b[keep]
        order = np.lexsort((-a, ohms))  # by sum, then the largest larger part first
        ohms, a, b = ohms[order], a[order], b[order]
        first = np.concatenate([[True], np.diff(ohms) > SAME_SUM * ohms[1:]])
        ohms, a, b = ohms[first], a[first], b[first]
        new = ~_on(ohms, singles)  # a pair that makes a series value is that one part
        return cls(str(series).upper(), ohms[new], a[new], b[new])

    def values_with(self, singles: np.ndarray) -> np.ndarray:
        """Ascending ohms: ``singles`` and every pair sum."""
        return np.sort(np.concatenate([singles, self.ohms]))

    def parts_of(self, ohms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(is_pair, larger, smaller) for each value of ``ohms`` (any shape): whether it is one
        of the pair sums, and its parts there (nan elsewhere)."""
        ohms = np.asarray(ohms, dtype=float)
        index = np.clip(np.searchsorted(self.ohms, ohms), 0, len(self.ohms) - 1)
        before = np.clip(index - 1, 0, len(self.ohms) - 1)
        nearest = np.where(np.abs(self.ohms[before] - ohms) < np.abs(self.ohms[index] - ohms), before, index)
        is_pair = np.isfinite(ohms) & (np.abs(self.ohms[nearest] - ohms) <= SAME_SUM * np.abs(ohms))
        return (is_pair, np.where(is_pair, self.larger[nearest], np.nan),
                np.where(is_pair, self.smaller[nearest], np.nan))


def _on(ohms: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which of ``ohms`` are (to SAME_SUM) one of the ascending ``values``."""
    index = np.clip(np.searchsorted(values, ohms), 1, len(values) - 1)
    close = np.minimum(np.abs(values[index] - ohms), np.abs(values[index - 1] - ohms))
    return close <= SAME_SUM * ohms


@dataclass(frozen=True)
class SnapGrid:
    """The values each of P resistors may take: the series' own values, or for the resistors
    ``paired`` marks, the series' values and every pair sum. The snapping search works in
    log-conductance (its parameters), so the methods take and give log-conductances.

    single, dense: ascending ohms of the two sets (dense includes single).
    paired: shape (P,), bool.
    """

    single: np.ndarray
    dense: np.ndarray
    paired: np.ndarray

    @classmethod
    def of(cls, singles: np.ndarray, pairs: PairSums | None, paired: np.ndarray) -> SnapGrid:
        """singles: ascending ohms of the series; pairs: its pair sums (None: no resistor is
        paired); paired: (P,) bool."""
        dense = singles if pairs is None else pairs.values_with(singles)
        return cls(singles, dense, np.asarray(paired, dtype=bool))

    def either_side(self, theta: np.ndarray) -> np.ndarray:
        """(P, 2): log-conductances of each resistor's grid values just below and just above
        ``theta`` (P,) in ohms, both itself where it is on its grid, the end value beyond the
        grid's ends."""
        return np.where(self.paired[:, None], _either_side(theta, self.dense), _either_side(theta, self.single))

    def steps_around(self, theta: np.ndarray) -> np.ndarray:
        """(P, 3): each resistor's grid value one step below ``theta`` (log-conductances on
        the grid, ascending), itself and one step above (itself twice at the grid's ends)."""
        return np.where(self.paired[:, None], _steps_around(theta, self.dense), _steps_around(theta, self.single))

    def steps_of(self, k: int, value: float) -> np.ndarray:
        """(3,): steps_around for resistor k alone, at log-conductance ``value``."""
        return _steps_around(np.array([value]), self.dense if self.paired[k] else self.single)[0]

    def ohms(self) -> np.ndarray:
        """Every value any resistor may take, ascending ohms."""
        return self.dense if self.paired.any() else self.single


def _either_side(theta: np.ndarray, values: np.ndarray) -> np.ndarray:
    below, above = eseries.neighbours(np.exp(-theta), values)
    return np.stack([-np.log(below), -np.log(above)], axis=1)


def _steps_around(theta: np.ndarray, values: np.ndarray) -> np.ndarray:
    grid = np.sort(-np.log(values))  # log-conductances, ascending: a larger resistor is a smaller one
    index = np.argmin(np.abs(grid[None, :] - theta[:, None]), axis=1)
    return grid[np.clip(index[:, None] + np.array([-1, 0, 1]), 0, len(grid) - 1)]
