"""A power as a person reads it: mW below a watt, W from a watt up (``1.04 W``, not the
``1.04e+03 mW`` a fixed unit with ``:.3g`` gives a digits-sized circuit)."""

from __future__ import annotations


def power_text(watts: float) -> str:
    """``watts`` (W) to three significant figures in mW (below 1 W) or W: '674 mW', '6.23 W'."""
    if abs(watts) >= 1.0:
        return f"{watts:.3g} W"
    return f"{1e3 * watts:.3g} mW"
