"""The held-out data ``circuitnet compare`` judges a regression circuit against, besides its
nominal self: ``--data FILE.csv``, or the test split ``fit`` wrote beside the model.

Also which kind of comparison a model gets: a classifier's (accuracy on labelled data) or a
regressor's (sweep, boards and temperatures against the nominal circuit, RMSE on data).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..analysis.held_out import HeldOutData
from ..errors import CircuitnetError, DataFileError
from ..formats.datafile import column_index, numbers, read_table
from ..model.circuit import Circuit
from ..training import run_folder


def is_classifier(circuit: Circuit) -> bool:
    """What the model records; without a record, two or more outputs (a classifier has one
    output per class, so a one-output circuit is a regressor)."""
    if circuit.data_record is not None:
        return circuit.data_record.is_classifier
    return circuit.n_outputs >= 2


def held_out_data(model: str, circuit: Circuit, data: str | None, y_column: str | None) -> HeldOutData | None:
    """A regressor's held-out data: every row of ``data`` (a fit's data.csv: its test rows),
    else the test split of the fit folder the model is in, else None."""
    if circuit.n_outputs != 1:
        if data:
            raise CircuitnetError(f"{model} has {circuit.n_outputs} outputs; compare --data judges a regressor with "
                                  f"one output against one target column")
        return None
    if data:
        return _fit_table(Path(data), circuit) or table_data(Path(data), circuit, y_column)
    return _fit_folder_data(Path(model).parent / run_folder.DATA_TABLE, circuit)


def table_data(path: Path, circuit: Circuit, y_column: str | None) -> HeldOutData:
    """Every row of a CSV of samples: the inputs by the model's recorded column names (or
    x1..xn, or the first columns of a file without a header), the target from --y-column,
    else the recorded target name, ``y``, or the one column after the inputs."""
    header, rows = read_table(path)
    width = len(header) if header is not None else len(rows[0])
    record = circuit.data_record
    generic = [f"x{k + 1}" for k in range(circuit.n_inputs)]
    if header is None:
        inputs = list(range(circuit.n_inputs))
    else:
        names = next((list(choice) for choice in ((record.input_names if record else None), generic)
                      if choice is not None and all(name in header for name in choice)), None)
        if names is None:
            wanted = ", ".join(record.input_names if record else generic)
            raise DataFileError(f"{path}: the header does not name this model's inputs ({wanted}); name those "
                                f"columns, or leave the header out and give the inputs first")
        inputs = [header.index(name) for name in names]
    target = _target_column(path, header, width, inputs, circuit, y_column)
    values = numbers(path, header, rows, inputs + [target])
    return HeldOutData(values[:, :-1], values[:, -1:], f"every row of {path}")


def _target_column(path: Path, header, width: int, inputs: list[int], circuit: Circuit, y_column: str | None) -> int:
    if y_column is not None:
        return column_index(path, header, width, y_column)
    record = circuit.data_record
    for name in ((record.output_names[0],) if record else ()) + ("y",):
        if header is not None and name in header:
            return header.index(name)
    rest = [k for k in range(width) if k not in inputs]
    if len(rest) == 1:
        return rest[0]
    raise DataFileError(f"{path}: {len(rest)} columns besides the inputs; name the target with --y-column")


def _fit_table(path: Path, circuit: Circuit) -> HeldOutData | None:
    """The test rows of a fit's data.csv (first column ``split``), or None for another table."""
    header, _ = read_table(path)
    if header is None or header[0] != "split":
        return None
    return _fit_folder_data(path, circuit, required=True)


def _fit_folder_data(path: Path, circuit: Circuit, required: bool = False) -> HeldOutData | None:
    """The test split of a fit's data.csv, if the file is there and fits the model; a file
    that does not fit is an error when asked for (``required``), else noted and skipped."""
    if not path.exists() and not required:
        return None
    try:
        split = run_folder.read_data_csv(path)
        problem = None
        if split.x_test.shape[1:] != (circuit.n_inputs,) or split.y_test.shape[1:] != (1,):
            problem = (f"its samples have {split.x_test.shape[1]} input(s); the model has {circuit.n_inputs}")
    except (OSError, ValueError, KeyError, IndexError) as error:
        problem = f"it is not a fit's data table ({error})"
    if problem is None:
        return HeldOutData(split.x_test, split.y_test, f"the test split of {path}")
    if required:
        raise DataFileError(f"{path}: {problem}; give the data the model was fit on")
    print(f"circuitnet compare: note: not comparing with {path}: {problem}", file=sys.stderr)
    return None
