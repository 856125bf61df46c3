"""Reading CSV files of samples: untrusted input, checked cell by cell.

A file may start with a header row of column names; without one, columns are taken by
position. Every problem (no rows, too few columns, a missing named column, text or NaN in
a number column) raises DataFileError naming the file, row and column.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from ..errors import DataFileError

MAX_BYTES = 512 * 1024 * 1024


def read_inputs_csv(path: str | os.PathLike, n_inputs: int, names: tuple[str, ...] | None = None) -> np.ndarray:
    """Input samples of shape (n_samples, n_inputs), data units.

    names: the column names the model was trained on, in input order (its data record), or
    None. A header row that holds any of them maps them by name, in any order, and every
    other column (the target, an id) is ignored. Otherwise a header must name exactly the
    inputs ``x1``..``xN``, each once, in any order; a file without one gives the inputs as
    its first ``n_inputs`` columns. A missing or repeated name is refused: a column is
    never mapped to an input by guesswork.
    """
    header, rows = read_table(path)
    generic = [f"x{k + 1}" for k in range(n_inputs)]
    if header is None:
        return numbers(path, header, rows, list(range(n_inputs)))
    if names is not None and set(names) & set(header):
        return _columns_by_name(path, header, rows, list(names), f"{', '.join(names)} (the columns it was trained on)",
                                others_allowed=True)
    expected = ", ".join(generic) + (f", or the columns it was trained on: {', '.join(names)}" if names else "")
    return _columns_by_name(path, header, rows, generic, expected, others_allowed=False)


def _columns_by_name(path, header: list[str], rows, names: list[str], expected: str,
                     others_allowed: bool) -> np.ndarray:
    """The columns ``names`` of the table, in that order; ``expected`` says what the model's
    inputs are, for the messages. others_allowed: ignore columns that are not inputs."""
    repeated = sorted({name for name in header if header.count(name) > 1 and (name in names or not others_allowed)})
    if repeated:
        raise DataFileError(f"{path}: the header names {repeated[0]!r} {header.count(repeated[0])} times; name each "
                            f"input once ({expected})")
    unknown = [name for name in header if name not in names]
    if unknown and not others_allowed:
        raise DataFileError(f"{path}: the header names {unknown[0]!r}, which is not an input of this model; its "
                            f"inputs are {expected} (or leave the header out and give them in order)")
    missing = [name for name in names if name not in header]
    if missing:
        raise DataFileError(f"{path}: the header has no column {missing[0]!r}; this model's inputs are {expected}")
    return numbers(path, header, rows, [header.index(name) for name in names])


def column_index(path, header: list[str] | None, width: int, spec: str) -> int:
    """The 0-based index of column ``spec``: a header name, or a 1-based position."""
    if header is not None and spec in header:
        return header.index(spec)
    if spec.isdigit() and 1 <= int(spec) <= width:
        return int(spec) - 1
    known = f"columns {', '.join(header)}" if header is not None else f"{width} unnamed columns"
    raise DataFileError(f"{path}: no column {spec!r}; the file has {known} (name them, or give 1-based positions)")


def read_table(path) -> tuple[list[str] | None, list[list[str]]]:
    """(header names or None, data rows as lists of cells) of a CSV file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            raise DataFileError(f"{path}: larger than {MAX_BYTES} bytes")
        with open(path, newline="", encoding="utf-8") as stream:
            rows = [row for row in csv.reader(stream) if any(cell.strip() for cell in row)]
    except OSError as error:
        raise DataFileError(f"{path}: can't read it: {error.strerror or error}") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise DataFileError(f"{path}: not a UTF-8 CSV file ({error})") from None
    if not rows:
        raise DataFileError(f"{path}: the file has no rows")
    header = None
    if any(not _is_number(cell) for cell in rows[0]):
        header, rows = [cell.strip() for cell in rows[0]], rows[1:]
    if not rows:
        raise DataFileError(f"{path}: the file has a header but no data rows")
    return header, rows


def numbers(path, header, rows, columns) -> np.ndarray:
    """The given columns of every row as floats, shape (n_rows, len(columns))."""
    out = np.empty((len(rows), len(columns)))
    first_line = 2 if header is not None else 1
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            name = header[column] if header is not None and column < len(header) else f"column {column + 1}"
            if column >= len(row):
                raise DataFileError(f"{path}: line {first_line + i} has {len(row)} column(s); "
                                    f"{name} (column {column + 1}) is missing")
            cell = row[column].strip()
            if not _is_number(cell) or not math.isfinite(float(cell)):
                raise DataFileError(f"{path}: line {first_line + i}, {name}: {cell!r} is not a finite number")
            out[i, j] = float(cell)
    return out


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
