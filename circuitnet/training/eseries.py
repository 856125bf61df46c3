"""Snapping to IEC 60063 preferred resistor values (the lists are ``model.preferred_values``)."""

from __future__ import annotations

import numpy as np

from ..model.preferred_values import SERIES, TOLERANCE, series_values, snap  # noqa: F401 (read from here too)


def neighbours(resistance: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper): for each resistance the series values just below and just above it,
    ohms, both equal where it is a series value or beyond the ends of ``values`` (inf stays
    inf). ``values`` ascending, as series_values gives them."""
    resistance = np.asarray(resistance, dtype=float)
    finite = np.isfinite(resistance)
    target = np.where(finite, resistance, values[0])
    above = np.clip(np.searchsorted(values, target * (1 - 1e-12)), 0, len(values) - 1)
    below = np.clip(np.searchsorted(values, target * (1 + 1e-12), side="right") - 1, 0, len(values) - 1)
    lower = np.where(target < values[0], values[0], values[below])
    upper = np.where(target > values[-1], values[-1], values[above])
    return np.where(finite, lower, np.inf), np.where(finite, upper, np.inf)
