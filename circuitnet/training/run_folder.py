"""What a fit run keeps in its folder so that it can be resumed and its report recomputed.

- ``data.json``: where the data came from (a target's name and formula, or a CSV file);
- ``data.csv``: every point with the split it belongs to (exact float reprs);
- ``checkpoint.json``: the run's settings, its stage and the training loop's state, written
  atomically every few seconds and on Ctrl-C;
- ``search.json`` (with ``--search``): the search's settings and every trial finished so far,
  written after each round of trials.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

from ..errors import CircuitnetError
from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .data import Split

DATA_DESCRIPTION = "data.json"
DATA_TABLE = "data.csv"
CHECKPOINT = "checkpoint.json"
SEARCH = "search.json"
REPORT = "report.json"
VIOLATIONS = "violations.json"
# What an earlier run in the same folder may have left: a new run removes them first, so no
# checkpoint of other data is resumed and no report, figure or violations list of another
# circuit stays beside this one's.
EARLIER_RESULTS = (CHECKPOINT, SEARCH, REPORT, VIOLATIONS, "model.json", "circuit.cir", "circuit.dat", "bom.csv",
                   "fit.png", "loss.png", "confusion.png", "misclassified.png", "curves.png")


def data_csv(split: Split) -> str:
    """The data with the split of each point: split, x1.., y (exact float reprs)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["split"] + [f"x{k + 1}" for k in range(split.n_inputs)] + ["y"])
    for name, (x, y) in split.parts().items():
        for row_x, row_y in zip(x, y, strict=False):
            writer.writerow([name] + [repr(float(v)) for v in row_x] + [repr(float(row_y[0]))])
    return stream.getvalue()


def read_data_csv(path: str | Path) -> Split:
    """The split written by ``data_csv`` (for resuming a run or recomputing its report).

    A damaged table (no data rows, an unknown split label, a cell that is no number, rows of
    different widths, a split with no rows) raises CircuitnetError naming the file and line.
    """
    parts: dict[str, tuple[list, list]] = {"train": ([], []), "val": ([], []), "test": ([], [])}
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    width = len(rows[0]) if rows else 0
    if width < 3:
        raise CircuitnetError(f"{path}: no header of split, inputs and y; the run folder is damaged: start the run "
                              f"afresh with --out")
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width or row[0] not in parts:
            raise CircuitnetError(f"{path}: line {line} is not a row of {width} cells starting with train, val or "
                                  f"test; the run folder is damaged: start the run afresh with --out")
        try:
            values = [float(v) for v in row[1:]]
        except ValueError:
            values = [float("nan")]
        if not np.all(np.isfinite(values)):
            raise CircuitnetError(f"{path}: line {line} holds a cell that is not a finite number; the run folder is "
                                  f"damaged: start the run afresh with --out")
        parts[row[0]][0].append(values[:-1])
        parts[row[0]][1].append(values[-1:])
    empty = [name for name, (x, _) in parts.items() if not x]
    if empty:
        raise CircuitnetError(f"{path}: no {empty[0]} rows; a run needs train, val and test rows: start the run "
                              f"afresh with --out")
    arrays = [np.array(values, dtype=float) for name in ("train", "val", "test") for values in parts[name]]
    return Split(*arrays)


def remove_earlier_results(folder: Path) -> None:
    """Delete the files of EARLIER_RESULTS in ``folder`` (none of the user's other files)."""
    for name in EARLIER_RESULTS:
        (folder / name).unlink(missing_ok=True)


def read_report(folder: Path) -> dict:
    """The report.json of the run in ``folder``."""
    try:
        return json.loads((folder / REPORT).read_text())
    except (OSError, ValueError) as error:
        raise CircuitnetError(f"{folder / REPORT}: can't read the report ({error})") from None


def is_finished(folder: Path) -> bool:
    """True when ``folder`` holds the report of a run that ended by itself (not by Ctrl-C):
    nothing is left to resume."""
    try:
        return read_report(folder).get("interrupted") is False
    except (CircuitnetError, AttributeError):
        return False


def write_data(folder: Path, split: Split, description: dict) -> None:
    """Record the data of a run that starts in ``folder`` (created if missing), removing
    the results of any earlier run there."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_earlier_results(folder)
    write_text_atomically(folder / DATA_DESCRIPTION, json_text(description) + "\n")
    write_text_atomically(folder / DATA_TABLE, data_csv(split))


def read_data(folder: Path) -> tuple[Split, dict]:
    """(split, description) of the run in ``folder``."""
    if not (folder / DATA_TABLE).exists() or not (folder / DATA_DESCRIPTION).exists():
        raise CircuitnetError(f"{folder} holds no stopped run (no {DATA_TABLE} / {DATA_DESCRIPTION}); resume the "
                              f"folder a 'circuitnet fit ... --out DIR' run wrote")
    try:
        description = json.loads((folder / DATA_DESCRIPTION).read_text())
    except ValueError as error:
        raise CircuitnetError(f"{folder / DATA_DESCRIPTION}: not valid JSON ({error}); the run folder is damaged: "
                              f"start the run afresh with --out") from None
    return read_data_csv(folder / DATA_TABLE), description


def write_checkpoint(folder: Path, document: dict) -> None:
    write_text_atomically(folder / CHECKPOINT, json_text(document))


def read_checkpoint(folder: Path) -> dict:
    path = folder / CHECKPOINT
    if not path.exists():
        raise CircuitnetError(f"{path} does not exist: nothing to resume (was the run started with --out there?)")
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CircuitnetError(f"{path}: can't read the checkpoint ({error}); delete it to start afresh") from None


def has_checkpoint(folder: Path) -> bool:
    return (folder / CHECKPOINT).exists()


def write_search(folder: Path, document: dict) -> None:
    write_text_atomically(folder / SEARCH, json_text(document))


def read_search(folder: Path) -> dict | None:
    """The search recorded in ``folder``, or None when there is none."""
    path = folder / SEARCH
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CircuitnetError(f"{path}: can't read the search ({error}); delete it to search afresh") from None
