"""The one summary of static power over a set of operating points (the test samples of a
classifier, the test inputs of a regressor), shared by the fit report, ``compare`` of a
classifier and the topology choice, so that every file names the same figures the same way."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np


def power_summary(total_w: np.ndarray, parts_w: Mapping[str, np.ndarray] | None = None) -> dict:
    """Median, mean, least and most of the power delivered by every source at each operating
    point, watts: {"median_w", "mean_w", "min_w", "max_w"}.

    total_w: (n,) watts, one per operating point (``static_power``'s "total"). parts_w: where
    that power goes or comes from, part name -> (n,) watts (e.g. ``static_power``'s
    "resistors", "diodes", "opamps"); each is summarised the same way under "by_part".
    """
    summary: dict = _four(total_w)
    if parts_w:
        summary["by_part"] = {name: _four(watts) for name, watts in parts_w.items()}
    return summary


def _four(watts: np.ndarray) -> dict[str, float]:
    watts = np.asarray(watts, dtype=float)
    return {"median_w": float(np.median(watts)), "mean_w": float(np.mean(watts)),
            "min_w": float(np.min(watts)), "max_w": float(np.max(watts))}
