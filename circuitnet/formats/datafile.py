"""Reading CSV files of samples: untrusted input, checked cell by cell.

A file may start with a header row of column names; without one, columns are taken by
position. Every problem (no rows, a row with more or fewer cells than the header, a name
the header repeats, a missing named column, a column asked for twice or as both input and
target, text, NaN or a value beyond DATA_LIMIT in a number column) raises DataFileError
naming the file, row and column, before any work is done.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from ..errors import DataFileError
from ..model.sweep import INPUT_LIMIT

MAX_BYTES = 512 * 1024 * 1024
# data units: the largest magnitude a data cell may have. Training squares errors and scales
# each column by its range; beyond this a column's squared error (about 1e308 at most in
# float64) or its scaling could overflow to inf, which no report or model file can store.
DATA_LIMIT = 1e100


def read_inputs_csv(path: str | os.PathLike, n_inputs: int, names: tuple[str, ...] | None = None, *,
                    scaling=None) -> np.ndarray:
    """Input samples of shape (n_samples, n_inputs), data units.

    names: the column names the model was trained on, in input order (its data record), or
    None. A header row that holds any of them maps them by name, in any order, and every
    other column (the target, an id) is ignored. Otherwise a header must name exactly the
    inputs ``x1``..``xN``, each once, in any order; a file without one gives the inputs as
    its first ``n_inputs`` columns. A missing name is refused: a column is never mapped to an
    input by guesswork (``read_table`` refuses a header that names a column twice). Every
    value must reach the circuit within +-INPUT_LIMIT circuit units (through ``scaling``, the
    circuit's DataScaling, when it has one), as a sweep's ends must.
    """
    header, rows = read_table(path)
    generic = [f"x{k + 1}" for k in range(n_inputs)]
    if header is None:
        return _within_input_limit(path, header, rows, list(range(n_inputs)), scaling)
    if names is not None and set(names) & set(header):
        return _columns_by_name(path, header, rows, list(names), f"{', '.join(names)} (the columns it was trained on)",
                                others_allowed=True, scaling=scaling)
    expected = ", ".join(generic) + (f", or the columns it was trained on: {', '.join(names)}" if names else "")
    return _columns_by_name(path, header, rows, generic, expected, others_allowed=False, scaling=scaling)


def read_circuit_inputs(path: str | os.PathLike, circuit) -> np.ndarray:
    """``read_inputs_csv`` for a circuit: its columns mapped by the names it was trained on
    (its data record), its inputs range-checked through its data scaling. Shape
    (n_samples, circuit.n_inputs), data units."""
    record = circuit.data_record
    return read_inputs_csv(path, circuit.n_inputs, None if record is None else record.input_names,
                           scaling=circuit.data_scaling)


def _columns_by_name(path, header: list[str], rows, names: list[str], expected: str,
                     others_allowed: bool, scaling) -> np.ndarray:
    """The columns ``names`` of the table, in that order; ``expected`` says what the model's
    inputs are, for the messages. others_allowed: ignore columns that are not inputs."""
    unknown = [name for name in header if name not in names]
    if unknown and not others_allowed:
        raise DataFileError(f"{path}: the header names {unknown[0]!r}, which is not an input of this model; its "
                            f"inputs are {expected} (or leave the header out and give them in order)")
    missing = [name for name in names if name not in header]
    if missing:
        raise DataFileError(f"{path}: the header has no column {missing[0]!r}; this model's inputs are {expected}")
    return _within_input_limit(path, header, rows, [header.index(name) for name in names], scaling)


def _within_input_limit(path, header, rows, columns: list[int], scaling) -> np.ndarray:
    """``numbers`` of the input columns, each value refused when its circuit input would lie
    beyond +-INPUT_LIMIT (an input ngspice can't follow: "timestep too small")."""
    x = numbers(path, header, rows, columns)
    offset = np.zeros(len(columns)) if scaling is None else np.asarray(scaling.x_offset)
    scale = np.ones(len(columns)) if scaling is None else np.asarray(scaling.x_scale)
    outside = np.abs((x - offset) / scale) > INPUT_LIMIT
    if np.any(outside):
        i, j = (int(k) for k in np.argwhere(outside)[0])
        low, high = offset[j] - INPUT_LIMIT * scale[j], offset[j] + INPUT_LIMIT * scale[j]
        raise DataFileError(f"{path}: line {i + (2 if header is not None else 1)}, {_column_name(header, columns[j])}: "
                            f"{x[i, j]:g} is outside the {low:g} .. {high:g} data units this circuit's input "
                            f"takes; give inputs within that range")
    return x


def _column_name(header: list[str] | None, column: int) -> str:
    return header[column] if header is not None and column < len(header) else f"column {column + 1}"


def select_columns(path, header: list[str] | None, width: int, x_columns: list[str] | None,
                   y_column: str | None) -> tuple[list[int], int]:
    """(input column indices, target column index), 0-based, of a table ``width`` columns
    wide. Columns are header names or 1-based positions; by default the target is the last
    column and the inputs every other. Refused: no input, an input named twice, and the
    target among the inputs (it would be trained on itself)."""
    if width < 2 and (not x_columns or y_column is None):
        raise DataFileError(f"{path}: needs at least two columns (inputs, then the target)")
    y_index = column_index(path, header, width, y_column) if y_column is not None else width - 1
    if x_columns is not None and not x_columns:
        raise DataFileError(f"{path}: --x-columns names no column; give one or more, e.g. 1,2")
    x_indices = ([column_index(path, header, width, c) for c in x_columns] if x_columns is not None
                 else [k for k in range(width) if k != y_index])
    repeated = [k for position, k in enumerate(x_indices) if k in x_indices[:position]]
    if repeated:
        raise DataFileError(f"{path}: the input columns name {_column_name(header, repeated[0])} twice; give each "
                            f"input column once")
    if y_index in x_indices:
        raise DataFileError(f"{path}: {_column_name(header, y_index)} is the target column and also an input; "
                            f"leave it out of --x-columns (a target among its own inputs is learnt by copying it)")
    return x_indices, y_index


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
    _check_shape(path, header, rows)
    return header, rows


def _check_shape(path: Path, header: list[str] | None, rows: list[list[str]]) -> None:
    """Refuse a header that names a column twice, and a row whose width differs from the
    header's (or, without one, the first row's)."""
    if header is not None:
        repeated = [name for position, name in enumerate(header) if name in header[:position]]
        if repeated:
            raise DataFileError(f"{path}: the header names the column {repeated[0]!r} twice; give each column its "
                                f"own name")
    width = len(header) if header is not None else len(rows[0])
    for i, row in enumerate(rows):
        if len(row) != width:
            raise DataFileError(f"{path}: line {i + (2 if header is not None else 1)} has {len(row)} column(s) and "
                                f"the {'header' if header is not None else 'first line'} has {width}; give every "
                                f"row one cell per column")


def numbers(path, header, rows, columns) -> np.ndarray:
    """The given columns of every row as floats, shape (n_rows, len(columns))."""
    out = np.empty((len(rows), len(columns)))
    first_line = 2 if header is not None else 1
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            name = _column_name(header, column)
            if column >= len(row):
                raise DataFileError(f"{path}: line {first_line + i} has {len(row)} column(s); "
                                    f"{name} (column {column + 1}) is missing")
            cell = row[column].strip()
            if not _is_number(cell) or not math.isfinite(float(cell)):
                raise DataFileError(f"{path}: line {first_line + i}, {name}: {cell!r} is not a finite number")
            if abs(float(cell)) > DATA_LIMIT:
                raise DataFileError(f"{path}: line {first_line + i}, {name}: {cell} is beyond +-{DATA_LIMIT:g}, "
                                    f"more than any scaling or error of it can hold; give the column in other units")
            out[i, j] = float(cell)
    return out


def input_numbers(path, header, rows, x_indices: list[int], y_index: int, chosen: bool) -> np.ndarray:
    """``numbers`` of the input columns, shape (n_rows, len(x_indices)). chosen: the user
    named them (--x-columns); when not, a column of text became an input only by default,
    and the message says so and how to choose (a label column given as the target by
    mistake leaves the real label column among the inputs)."""
    if not chosen and header is not None:
        for i, row in enumerate(rows):  # row by row, as ``numbers`` reports, so the first bad line is named
            for index in x_indices:
                if index < len(row) and not _is_number(row[index].strip()):
                    name = header[index]
                    raise DataFileError(
                        f"{path}: line {i + 2}, {name}: {row[index].strip()!r} is not a number; {name} is "
                        f"used as an input (every column but the target {header[y_index]}, by default) and inputs "
                        f"must be numbers: give --x-columns, or --y-column {name}")
    return numbers(path, header, rows, x_indices)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
