"""IEC 60063 preferred resistor values (E12 to E192): pure data, read by the E-series snapping
(``training.eseries``) and by the model file, which checks that a stored series pair is made
of values of its series.

E12 and E24 are the historical lists; E48, E96 and E192 are 10**(i/N) rounded to three
significant figures, except E192's 9.20 (the rounding gives 9.19).
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UnknownNameError

_E24 = [1.0, 1.1, 1.2, 1.3, 1.5, 1.6, 1.8, 2.0, 2.2, 2.4, 2.7, 3.0, 3.3, 3.6, 3.9, 4.3, 4.7, 5.1, 5.6, 6.2,
        6.8, 7.5, 8.2, 9.1]


def _rounded(n: int) -> list[float]:
    values = [round(10 ** (i / n), 2) for i in range(n)]
    return [9.20 if (n == 192 and abs(v - 9.19) < 1e-9) else v for v in values]


SERIES: dict[str, list[float]] = {
    "E12": _E24[0::2],
    "E24": _E24,
    "E48": _rounded(48),
    "E96": _rounded(96),
    "E192": _rounded(192),
}
TOLERANCE = {"E12": 0.10, "E24": 0.05, "E48": 0.02, "E96": 0.01, "E192": 0.005}


def is_series_value(ohms: float, series: str) -> bool:
    """Whether ``ohms`` (> 0, finite) is a value of ``series`` (a key of SERIES) in some decade,
    to 1e-9 relative."""
    decade = 10.0 ** math.floor(math.log10(ohms))
    mantissa = ohms / decade
    return any(abs(mantissa - m) <= 1e-9 * m or abs(mantissa - 10 * m) <= 1e-8 * m for m in SERIES[series])


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
