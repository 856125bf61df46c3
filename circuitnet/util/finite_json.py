"""JSON text that is JSON: NaN and the infinities, which ``json.dumps`` writes as the
non-standard ``NaN`` / ``Infinity`` by default, are refused with the place they were found.

Every report, checkpoint and printed document of the package goes through ``json_text``, so
no file holds a number another JSON reader can't parse.
"""

from __future__ import annotations

import json
import math

from ..errors import NonFiniteValueError


def json_text(document, indent: int | None = None) -> str:
    """``json.dumps(document, indent=indent)``, refusing any non-finite number.

    Raises NonFiniteValueError naming the first such value's place, e.g. ``test_rmse_spice``
    or ``history.ideal.val[3]``.
    """
    try:
        return json.dumps(document, indent=indent, allow_nan=False)
    except ValueError:
        found = first_non_finite(document)
        if found is None:
            raise
        where, value = found
        raise NonFiniteValueError(f"{where or 'the document'} is {value}, not a finite number: it is no result a "
                                  f"circuit gives, so nothing was written") from None


def first_non_finite(value, where: str = "") -> tuple[str, float] | None:
    """(its place, the value) of the first NaN or infinity in nested dicts and lists, or None."""
    if isinstance(value, float):
        return None if math.isfinite(value) else (where, value)
    if isinstance(value, dict):
        items = ((f"{where}.{key}" if where else str(key), item) for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        items = ((f"{where}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    for place, item in items:
        found = first_non_finite(item, place)
        if found is not None:
            return found
    return None
