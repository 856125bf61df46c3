"""The LM4040 shunt reference every built board makes +-V_ref from, as far as its supply sees
it: which LM4040 voltage, the feed resistor from V+ and the current it draws.

The board (``build.reference``) feeds the LM4040 through one resistor from the positive supply,
sized for about ``ZENER_CURRENT_A``; the divider and the follower's input hang on the zener
node, so the supply gives the feed current whatever they take. That current, drawn from V+, is
power the board takes that no op-amp output shows: the netlist carries it as a DC current
source from ``vcc`` to ground (``topologies.opamp_supply``), so every power figure counts it.
"""

from __future__ import annotations

import numpy as np

from .preferred_values import series_values, snap

ZENER_CURRENT_A = 1e-3  # LM4040: 60 uA to 15 mA
LM4040_VOLTS = (2.048, 2.5, 3.0, 4.096, 5.0, 8.192, 10.0)
FEED_SERIES = "E24"


def lm4040_volts(v_ref: float) -> float | None:
    """The lowest LM4040 voltage at or above ``v_ref`` volts (a divider takes it down), or None
    where v_ref is above the highest."""
    return next((v for v in LM4040_VOLTS if v >= v_ref - 1e-9), None)


def feed_ohms(supply_v: float, zener_v: float) -> float:
    """The feed resistor from ``supply_v`` (V+, volts) to an LM4040 of ``zener_v`` volts: the
    E24 value nearest to what sets ``ZENER_CURRENT_A``, ohms."""
    return float(snap(np.array([(supply_v - zener_v) / ZENER_CURRENT_A]), series_values(FEED_SERIES, 100, 1e6))[0])


def can_feed(supply_v: float, zener_v: float) -> bool:
    """Whether V+ = ``supply_v`` volts is far enough above an LM4040 of ``zener_v`` volts to feed
    it through a resistor: at least the smallest feed resistor's (100 Ohm) drop at
    ``ZENER_CURRENT_A``."""
    return supply_v - zener_v >= ZENER_CURRENT_A * 100


def feed_current_a(v_ref: float, supply_v: float) -> float:
    """Amperes the reference of ``v_ref`` volts draws from V+ = ``supply_v`` volts through its
    feed resistor; ``ZENER_CURRENT_A`` where the LM4040 could not be fed from that supply (or
    no LM4040 reaches v_ref), so that the figure is never left out."""
    zener = lm4040_volts(v_ref)
    if zener is None or not can_feed(supply_v, zener):
        return ZENER_CURRENT_A
    return (supply_v - zener) / feed_ohms(supply_v, zener)
