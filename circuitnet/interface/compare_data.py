"""The held-out data ``circuitnet compare`` judges a regression circuit against, besides its
nominal self: ``--data FILE.csv``, or the test split ``fit`` wrote beside the model.

Also which kind of comparison a model gets: a classifier's (accuracy on labelled data) or a
regressor's (sweep, boards and temperatures against the nominal circuit, RMSE on data).
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

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


def judged_as_classifier(args, circuit: Circuit) -> bool:
    """compare's choice: a classifier's comparison when labelled data are given (--dataset,
    --images, or --data for a classifier), or when the model file records class labels (a
    classifier is never swept as if it were a regressor)."""
    records_classes = circuit.data_record is not None and circuit.data_record.is_classifier
    return bool(args.dataset or args.images or (args.data and is_classifier(circuit)) or records_classes)


def classifier_held_out(args, circuit: Circuit) -> tuple[np.ndarray, np.ndarray, dict]:
    """A classifier's test samples: (x (n, n_inputs) data units, class indices (n,), the split
    in words for compare.json's "test_split": data, how, seed (None when the rows are read
    as they are)).

    The fit's own held-out rows whenever they can be known: a fit's data.csv (given with
    --data, or beside the model when no data are given) is read as it is; other data are split
    with --split-seed, else with the seed the fit folder's report.json records, else with 0
    and a note that the test rows are then not known to be held out."""
    from .fit_data import classifier_test_split
    folder_table = Path(args.model).parent / run_folder.DATA_TABLE
    table = Path(args.data) if args.data else None
    if table is not None and _is_fit_table(table):
        return _fit_folder_classes(table, circuit)
    if not (args.dataset or args.images or args.data):
        if folder_table.exists():
            return _fit_folder_classes(folder_table, circuit)
        raise CircuitnetError(f"{args.model} is a classifier and no fit's {run_folder.DATA_TABLE} is beside it: give "
                              f"the labelled data to judge it on with --data FILE.csv, --dataset NAME or --images FILE")
    seed, how = _split_seed(args)
    x, truth = classifier_test_split(args, circuit, seed)
    how = _held_out_words(circuit, x, truth, how)
    return x, truth, {"data": str(args.dataset or args.images or args.data), "seed": seed,
                      "how": f"the test split made with seed {seed}: {how}"}


UNKNOWN_SPLIT = ("the default; if this model was trained on this data, its test rows are not known: give "
                 "--split-seed N (the fit's --seed)")


def _split_seed(args) -> tuple[int, str]:
    """(seed, where it came from in words) for splitting compare's classifier data."""
    if args.split_seed is not None:
        return args.split_seed, "--split-seed"
    report = Path(args.model).parent / run_folder.REPORT
    if report.exists():
        seed = run_folder.read_report(report.parent).get("hyperparameters", {}).get("seed")
        if isinstance(seed, int):
            return seed, f"the fit's seed, from {report}"
    return 0, UNKNOWN_SPLIT


def _held_out_words(circuit: Circuit, x: np.ndarray, truth: np.ndarray, how: str) -> str:
    """``how`` the split was made, with what the model's row digests (``DataRecord.rows_seen``)
    say of its test rows: none trained or validated the model, or how many did (the accuracy is
    then not held out, and a note says so). Without digests a guessed seed keeps its note."""
    record = circuit.data_record
    seen = None if record is None else record.rows_seen(x, truth.astype(float)[:, None])
    if seen is None:
        if how == UNKNOWN_SPLIT:
            print(f"circuitnet compare: note: split with seed 0; {how.split('; ', 1)[1]}", file=sys.stderr)
        return how
    if seen == 0:
        return (f"{how.split('; ', 1)[0]}; none of its {len(x)} test rows trained or validated the model (the "
                f"model's row digests)")
    words = (f"{seen} of its {len(x)} test rows trained or validated the model (the model's row digests), so "
             f"this accuracy is not held out: give --split-seed N (the fit's --seed)")
    print(f"circuitnet compare: note: {words}", file=sys.stderr)
    return f"{how.split('; ', 1)[0]}; {words}"


def _is_fit_table(path: Path) -> bool:
    """A fit's data.csv: a CSV whose first column is ``split``."""
    if path.suffix.lower() != ".csv" or not path.exists():
        return False
    header, _ = read_table(path)
    return header is not None and header[0] == "split"


def _fit_folder_classes(path: Path, circuit: Circuit) -> tuple[np.ndarray, np.ndarray, dict]:
    """The test rows of a fit's data.csv as a classifier's samples (its y column holds class
    indices), refused when they do not fit the model."""
    split = run_folder.read_data_csv(path)
    truth = split.y_test[:, 0]
    if split.x_test.shape[1] != circuit.n_inputs or not np.all((truth == np.round(truth)) & (truth >= 0)
                                                                & (truth < circuit.n_outputs)):
        raise DataFileError(f"{path}: its test rows are not samples of this classifier ({circuit.n_inputs} inputs, "
                            f"class indices 0..{circuit.n_outputs - 1}); give the data it was fit on with --data")
    return split.x_test, truth.astype(np.int64), {"data": str(path), "seed": None,
                                                   "how": "the test rows the fit held out, as its data.csv lists them"}


def held_out_data(model: str, circuit: Circuit, data: str | None, y_column: str | None) -> HeldOutData | None:
    """A regressor's data to judge it on: every row of ``data`` (a fit's data.csv: its test
    rows), labelled held out, the fit's own or not known (``HeldOutData.fit_rows``), else the
    test split of the fit folder the model is in, else None."""
    if circuit.n_outputs != 1:
        if data:
            raise CircuitnetError(f"{model} has {circuit.n_outputs} outputs; compare --data judges a regressor with "
                                  f"one output against one target column")
        return None
    if data:
        return _fit_table(Path(data), circuit) or _labelled(table_data(Path(data), circuit, y_column), model, circuit)
    return _fit_folder_data(Path(model).parent / run_folder.DATA_TABLE, circuit)


def _labelled(found: HeldOutData, model: str, circuit: Circuit) -> HeldOutData:
    """Rows of a table other than a fit's data.csv, with how many of them trained or
    validated the model (the record's row digests; None without them) and, unless they are
    known to be held out, how to get a figure that is."""
    record = circuit.data_record
    seen = None if record is None else record.rows_seen(found.x, found.y)
    if seen == 0:
        return replace(found, fit_rows=0)
    folder_table = Path(model).parent / run_folder.DATA_TABLE
    table = f"--data {folder_table}" if folder_table.exists() else f"the fit's {run_folder.DATA_TABLE} with --data"
    why = ("" if seen else "the model file records no digest of the rows it was fit on (written before they were "
           "kept, or fit on more rows than are kept), so these rows may have trained it; ")
    advice = f"{why}for a held-out figure, give {table} (compare judges on its test rows, which the fit held out)"
    return replace(found, fit_rows=seen, advice=advice)


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
        target = column_index(path, header, width, y_column)
        if target in inputs:  # as fit refuses it (datafile.select_columns): an input can't be its own target
            raise DataFileError(f"{path}: --y-column {y_column} is one of the model's inputs; name the target "
                                f"column the model was fit to")
        return target
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
