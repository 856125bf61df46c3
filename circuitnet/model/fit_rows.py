"""Which rows a fit learnt from, remembered without keeping the data: one short digest per
training or validation row, so ``compare --data FILE.csv`` can tell whether the rows it is
given trained the model (the fit's own data) or were held out.

A row is its inputs then its targets, data units, each rounded to ROW_DIGITS significant
digits before it is digested: the same sample read back from a CSV written with fewer digits
than a float's 17 (or parsed by another program) still matches, and -0 is 0.
"""

from __future__ import annotations

import hashlib

import numpy as np

ROW_DIGITS = 9  # significant digits a value is rounded to before digesting
DIGEST_CHARS = 16  # hex characters kept of each row's SHA-256: 64 bits, no chance collisions among 20,000 rows
MAX_RECORDED_ROWS = 20_000  # beyond this a model file records no digests (20,000 x 19 bytes ~ 0.4 MB of JSON)


def row_digests(x: np.ndarray, y: np.ndarray) -> list[str]:
    """x: (n, n_inputs), y: (n, n_outputs), data units -> n hex digests, one per row."""
    x, y = np.atleast_2d(np.asarray(x, dtype=float)), np.asarray(y, dtype=float).reshape(len(x), -1)
    rows = np.hstack([x, y]) + 0.0  # + 0.0 turns -0.0 into 0.0, so a row's sign of zero does not matter
    return [hashlib.sha256(",".join(f"{v:.{ROW_DIGITS}g}" for v in row).encode()).hexdigest()[:DIGEST_CHARS]
            for row in rows]


def recorded_digests(x: np.ndarray, y: np.ndarray) -> frozenset[str] | None:
    """The digests a model file keeps of the rows that trained or validated it, or None when
    there are more than MAX_RECORDED_ROWS (the file would grow by megabytes)."""
    if len(x) > MAX_RECORDED_ROWS:
        return None
    return frozenset(row_digests(x, y))


def is_digest(text) -> bool:
    """A digest as ``row_digests`` makes them: DIGEST_CHARS lower-case hex characters."""
    return (isinstance(text, str) and len(text) == DIGEST_CHARS
            and all(c in "0123456789abcdef" for c in text))
