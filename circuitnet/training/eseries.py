"""Snapping to IEC 60063 preferred resistor values (the lists are ``model.preferred_values``)."""

from __future__ import annotations

import numpy as np

from ..errors import UnknownNameError
from ..model.preferred_values import SERIES, TOLERANCE  # noqa: F401 (read from here too)


def series_values(name: str, low: float, high: float) -> np.ndarray:
    """Every value of a series from ``low`` to ``high`` ohms, ascending."""
    key = str(name).upper()
    if key not in SERIES:
        raise UnknownNameError(f"unknown E-series {name!r}; choose one of {', '.join(SERIES)}")
    decades = range(int(np.floor(np.log10(low))) - 1, int(np.ceil(np.log10(high))) + 1)
    values = np.array(sorted(m * 10.0 ** d for d in decades for m in SERIES[key]))
    return values[(values >= low * (1 - 1e-9)) & (values <= high * (1 + 1e-9))]


def snap(resistance: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each resistance moved to the nearest value in log scale (inf, no resistor, stays inf)."""
    resistance = np.asarray(resistance, dtype=float)
    finite = np.isfinite(resistance)
    logs = np.log(values)
    target = np.log(np.where(finite, resistance, 1.0))
    index = np.clip(np.searchsorted(logs, target), 1, len(values) - 1)
    lower, upper = logs[index - 1], logs[index]
    nearest = np.where(target - lower <= upper - target, values[index - 1], values[index])
    return np.where(finite, nearest, np.inf)


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
