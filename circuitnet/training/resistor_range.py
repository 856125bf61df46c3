"""The resistor range a fit realises its circuit in, and the preferred values that go with it.

The topologies' preferred values (10 kOhm load, feedback and inverter resistors) sit at the
geometric middle of their default range, 1 kOhm .. 1 MOhm. A fit given another range keeps
them at the same place in it: scaling every resistor of a circuit by k leaves every voltage
ratio, and so the ideal transfer, as it was, and divides every current by k (which is how
the output-current limit's suggestion of a range works, ``model.limits.range_for_current``).
"""

from __future__ import annotations

import math

from ..errors import CircuitnetError
from ..topologies import RealisationOptions

DEFAULT_RANGE = RealisationOptions.resistor_range
SMALLEST_OHMS, LARGEST_OHMS = 1.0, 1e9  # what any through-hole or SMD resistor series spans


def check_resistor_range(resistor_range) -> None:
    """CircuitnetError unless ``resistor_range`` is None or [min, max] ohms with
    SMALLEST_OHMS <= min < max <= LARGEST_OHMS and max / min >= 10."""
    if resistor_range is None:
        return
    low, high = (float(r) for r in resistor_range)
    if not (SMALLEST_OHMS <= low < high <= LARGEST_OHMS and high >= 10 * low):
        raise CircuitnetError(f"resistor_range = [{low:g}, {high:g}] ohm; give min < max from {SMALLEST_OHMS:g} to "
                              f"{LARGEST_OHMS:g} ohm, max at least 10 x min")


def realisation_in_range(resistor_range, **settings) -> RealisationOptions:
    """RealisationOptions with ``settings`` and ``resistor_range`` ([min, max] ohms, or None:
    the default), its preferred load, feedback and inverter resistors scaled with the range's
    geometric middle."""
    if resistor_range is None:
        return RealisationOptions(**settings)
    low, high = (float(r) for r in resistor_range)
    scale = math.sqrt(low * high / (DEFAULT_RANGE[0] * DEFAULT_RANGE[1]))
    defaults = RealisationOptions()
    return RealisationOptions(**settings, resistor_range=(low, high), r_load=defaults.r_load * scale,
                              r_feedback=defaults.r_feedback * scale, r_inverter=defaults.r_inverter * scale)
