"""Comparing losses so that rounding can't decide: the E-series snapping search's tie rule.

The snapping search (``snapping``, ``rounding``) makes discrete choices by comparing losses:
keep a trial point if its loss is lower, take the candidate with the least loss. Two losses
that differ only by the surrogate's rounding (~1e-15 of a loss; ~1e-11 of a predicted error,
whose Jacobian is a forward difference) are the same loss, and which one "wins" must not
depend on the last bits: a move of a resistor whose neuron is off changes the loss by no more
than that, and taking it would send the search down another path.

So a loss is better only when it is lower by more than SAME_LOSS of the one it is compared
with, and of candidates within SAME_LOSS of the least, the first is taken (the callers list
them in a deterministic order: the linear model's ranking, the order the search found them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Relative. Far above the surrogate's rounding, far below any change the search cares about
# (an E24 step moves a loss by percents)
SAME_LOSS = 1e-9


def better(loss: float, than: float) -> bool:
    """Whether ``loss`` is lower than ``than`` by more than SAME_LOSS of ``than`` (both >= 0)."""
    return loss < than - SAME_LOSS * abs(than)


def first_least(losses: Sequence[float]) -> int:
    """The index of the first of ``losses`` within SAME_LOSS of their least."""
    values = np.asarray(losses, dtype=float)
    least = float(np.min(values))
    return int(np.flatnonzero(values <= least + SAME_LOSS * abs(least))[0])
