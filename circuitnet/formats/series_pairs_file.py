"""The model file's optional ``series_pairs`` key: which resistor values are two E-series parts
in series (``model.series_pairs``), read as untrusted input::

    "series_pairs": {"series": "E24", "pairs": [[20200.0, 20000.0, 200.0], ...]}

Each pair is [sum, larger part, smaller part] in ohms. On load, every part must be a value of
the series, the parts must add up to the sum, and the sum must be a resistor of the circuit.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelFileError
from ..model.circuit import Circuit, resistors
from ..model.preferred_values import SERIES, is_series_value
from ..model.series_pairs import SAME_OHMS, SeriesPairs

MAX_PAIRS = 100_000  # more than any circuit's resistors a model file can hold


def pairs_to_dict(circuit: Circuit) -> dict | None:
    """The key's document for ``circuit``: its pairs that some resistor uses; None without any."""
    if circuit.series_pairs is None:
        return None
    used = circuit.series_pairs.used_by(_values(circuit))
    return used.to_dict() if used.pairs else None


def pairs_from_dict(value, circuit: Circuit) -> SeriesPairs:
    """The SeriesPairs of a ``series_pairs`` document; ModelFileError naming the bad entry."""
    if not isinstance(value, dict) or set(value) != {"series", "pairs"}:
        raise ModelFileError("series_pairs must be an object with exactly the keys 'series' and 'pairs'")
    series, pairs = value["series"], value["pairs"]
    if series not in SERIES:
        raise ModelFileError(f"series_pairs.series = {series!r}; choose one of {', '.join(SERIES)}")
    if not isinstance(pairs, list) or len(pairs) > MAX_PAIRS:
        raise ModelFileError(f"series_pairs.pairs must be a list of at most {MAX_PAIRS} [sum, larger, smaller] "
                             f"triples")
    values = _values(circuit)
    for k, pair in enumerate(pairs):
        where = f"series_pairs.pairs[{k}]"
        if (not isinstance(pair, list) or len(pair) != 3
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and v > 0
                           for v in pair)):
            raise ModelFileError(f"{where} = {pair!r}; each pair is [sum, larger, smaller], three positive ohms")
        total, larger, smaller = (float(v) for v in pair)
        for name, part in (("larger", larger), ("smaller", smaller)):
            if not is_series_value(part, series):
                raise ModelFileError(f"{where}: its {name} part {part!r} ohm is not a value of {series}")
        if abs(larger + smaller - total) > SAME_OHMS * total:
            raise ModelFileError(f"{where}: {larger!r} + {smaller!r} ohm is not its sum {total!r} ohm; "
                                 f"the sum is the resistor the circuit has")
        if not np.any(np.abs(values - total) <= SAME_OHMS * total):
            raise ModelFileError(f"{where}: no resistor of the circuit is {total!r} ohm; remove the pair or "
                                 f"rewrite the file with circuitnet")
    return SeriesPairs(series, tuple(tuple(pair) for pair in pairs))


def _values(circuit: Circuit) -> np.ndarray:
    """Every finite resistor value of the circuit, ohms, flat."""
    found = np.concatenate([np.ravel(ohms) for _, ohms in resistors(circuit)])
    return found[np.isfinite(found)]
