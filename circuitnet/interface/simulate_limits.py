"""Which rows of ``circuitnet simulate`` no built circuit gives: where a part leaves its safe
operating area (an op-amp output beyond its rails, a diode past breakdown, a resistor over
its rating, a real op-amp over its output current).

Project rule: a result from outside those limits is a defect to flag, never a number to
report. simulate marks each such row with the limit crossed (``beyond_limit``), gives no
numbers for its outputs and exits 1, unless ``--raw-outputs`` asks for the numbers (still
marked, exit 0).
"""

from __future__ import annotations

import math

import numpy as np

CHECK_CHUNK = 20_000  # rows per ngspice run that keeps every node: bounds the memory of a long sweep
ROWS_NAMED = 10  # rows a message names before "..."


def limits_by_row(spice, circuit, x: np.ndarray, temperature_c: float) -> tuple[list, list[str]]:
    """(the parts outside their limits, worst first, each at its worst row; for each row of x
    (n, n_inputs), data units, the worst limit crossed there in words, "" if none), checked
    in ngspice (``spice``, a SpiceBackend: the caller's workers) over every row, CHECK_CHUNK
    rows at a time."""
    found: list = []
    beyond: list[str] = []
    for start in range(0, len(x), CHECK_CHUNK):
        chunk_found, chunk_beyond = spice.limits_by_row(circuit, x[start:start + CHECK_CHUNK], temperature_c)
        found += chunk_found
        beyond += chunk_beyond
    return _worst_of_each(found), beyond


def simulated_by_row(spice, circuit, x: np.ndarray, temperature_c: float):
    """(ngspice's outputs at each row of x (n, n_inputs), data units, a SimulationResult; the
    parts outside their limits and each row's worst limit, as ``limits_by_row``), all from the
    same ngspice runs on ``spice`` (a SpiceBackend), CHECK_CHUNK rows at a time: ``simulate
    --inputs`` with the spice backend, which ran ngspice once for the outputs and again for the
    limits."""
    from ..backends.result import concatenated
    results: list = []
    found: list = []
    beyond: list[str] = []
    for start in range(0, len(x), CHECK_CHUNK):
        result, chunk_found, chunk_beyond = spice.simulate_limits_by_row(circuit, x[start:start + CHECK_CHUNK],
                                                                         temperature_c)
        results.append(result)
        found += chunk_found
        beyond += chunk_beyond
    return concatenated(results), _worst_of_each(found), beyond


def outputs_marked(spice, circuit, x: np.ndarray, temperature_c: float) -> tuple[np.ndarray, list[str]]:
    """(the outputs at each row of x (n, n_inputs), data units, shape (n, n_outputs); for each
    row the worst limit crossed there in words, "" if none), both from the same ngspice runs
    on ``spice`` (a SpiceBackend), CHECK_CHUNK rows at a time: an estimator's predict."""
    outputs: list[np.ndarray] = []
    beyond: list[str] = []
    for start in range(0, len(x), CHECK_CHUNK):
        result, chunk_beyond = spice.simulate_marked(circuit, x[start:start + CHECK_CHUNK], temperature_c)
        outputs.append(result.y)
        beyond += chunk_beyond
    return np.concatenate(outputs), beyond


def _worst_of_each(found: list) -> list:
    """One violation per part and quantity (its worst over every chunk), worst first."""
    ordered = sorted(found, key=lambda v: -abs(v.value / v.limit) if v.limit else -math.inf)
    kept: dict[tuple[str, str], object] = {}
    for violation in ordered:
        kept.setdefault((violation.element, violation.quantity), violation)
    return list(kept.values())


def rows_text(beyond: list[str]) -> str:
    """'rows 3, 7 and 9' (1-based, as a CSV's data rows count), at most ROWS_NAMED of them."""
    rows = [str(k + 1) for k, words in enumerate(beyond) if words]
    shown = rows[:ROWS_NAMED] + ([f"... ({len(rows) - ROWS_NAMED} more)"] if len(rows) > ROWS_NAMED else [])
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(shown)


def beyond_message(beyond: list[str], raw: bool) -> str:
    """simulate's stderr line for rows beyond a limit, or "" when there are none."""
    count = sum(1 for words in beyond if words)
    if not count:
        return ""
    first = next(words for words in beyond if words)
    given = ("--raw-outputs: their outputs are given, marked in beyond_limit" if raw else
             "their outputs are not given as numbers (exit status 1); --raw-outputs gives them, still marked")
    return (f"circuitnet simulate: {count} of {len(beyond)} sample(s) leave a part's safe operating area, so no "
            f"built circuit gives their outputs ({rows_text(beyond)}; the first: {first}); {given}")


def warn_beyond_limits(beyond: list[str], who: str) -> None:
    """An estimator's predict: a BeyondLimitsWarning naming the rows where a part leaves its
    safe operating area (``beyond``, from ``outputs_marked``); the numbers are still
    returned (scikit-learn expects an array), the warning says they are no built circuit's."""
    import warnings

    from ..errors import BeyondLimitsWarning
    count = sum(1 for words in beyond if words)
    if count:
        first = next(words for words in beyond if words)
        warnings.warn(f"{who}: at {count} of {len(beyond)} sample(s) a part leaves its safe operating area, so no "
                      f"built circuit gives those outputs ({rows_text(beyond)}, counted from 1; the first: {first})",
                      BeyondLimitsWarning, stacklevel=4)
