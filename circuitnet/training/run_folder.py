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

from ..errors import CircuitnetError, RunFolderError
from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .config import FitConfig
from .data import Split
from .run_folder_checks import checked_checkpoint, checked_description, checked_search, parsed_json

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
    different widths, a split with no rows) raises RunFolderError naming the file and line.
    """
    parts: dict[str, tuple[list, list]] = {"train": ([], []), "val": ([], []), "test": ([], [])}
    with open(path, newline="") as stream:
        rows = list(csv.reader(stream))
    width = len(rows[0]) if rows else 0
    if width < 3:
        raise RunFolderError(f"{path}: no header of split, inputs and y; the run folder is damaged: start the run "
                              f"afresh with --out")
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != width or row[0] not in parts:
            raise RunFolderError(f"{path}: line {line} is not a row of {width} cells starting with train, val or "
                                  f"test; the run folder is damaged: start the run afresh with --out")
        try:
            values = [float(v) for v in row[1:]]
        except ValueError:
            values = [float("nan")]
        if not np.all(np.isfinite(values)):
            raise RunFolderError(f"{path}: line {line} holds a cell that is not a finite number; the run folder is "
                                  f"damaged: start the run afresh with --out")
        parts[row[0]][0].append(values[:-1])
        parts[row[0]][1].append(values[-1:])
    empty = [name for name, (x, _) in parts.items() if not x]
    if empty:
        raise RunFolderError(f"{path}: no {empty[0]} rows; a run needs train, val and test rows: start the run "
                              f"afresh with --out")
    arrays = [np.array(values, dtype=float) for name in ("train", "val", "test") for values in parts[name]]
    return Split(*arrays)


def remove_earlier_results(folder: Path) -> None:
    """Delete the files of EARLIER_RESULTS in ``folder`` (none of the user's other files)."""
    for name in EARLIER_RESULTS:
        (folder / name).unlink(missing_ok=True)


def remove_run(folder: Path, resumed: bool) -> None:
    """Undo a run that can't succeed (its network can't be realised): a new run's files all go
    (and ``folder`` itself when nothing else is in it); a resumed run loses its checkpoint and
    search, so that no --resume fails the same way again."""
    remove_earlier_results(folder)
    if not resumed:
        for name in (DATA_DESCRIPTION, DATA_TABLE):
            (folder / name).unlink(missing_ok=True)
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def read_report(folder: Path) -> dict:
    """The report.json of the run in ``folder``."""
    try:
        return json.loads((folder / REPORT).read_text())
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{folder / REPORT}: can't read the report ({error})") from None


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
    """(split, description) of the run in ``folder``; a malformed file raises RunFolderError
    naming it and the field (see run_folder_checks)."""
    if not (folder / DATA_TABLE).exists() or not (folder / DATA_DESCRIPTION).exists():
        raise RunFolderError(f"{folder} holds no stopped run (no {DATA_TABLE} / {DATA_DESCRIPTION}); resume the "
                              f"folder a 'circuitnet fit ... --out DIR' run wrote")
    description = parsed_json(folder / DATA_DESCRIPTION, "data description")
    split = read_data_csv(folder / DATA_TABLE)
    return split, checked_description(description, folder / DATA_DESCRIPTION, split)


def write_checkpoint(folder: Path, document: dict) -> None:
    write_text_atomically(folder / CHECKPOINT, json_text(document))


def read_checkpoint(folder: Path) -> tuple[dict, FitConfig]:
    """(checkpoint, its FitConfig) of the run in ``folder``, every field FitRun.resume uses
    checked (see run_folder_checks)."""
    path = folder / CHECKPOINT
    if not path.exists():
        raise RunFolderError(f"{path} does not exist: nothing to resume (was the run started with --out there?)")
    return checked_checkpoint(parsed_json(path, "checkpoint", "delete it to start afresh"), path)


def has_checkpoint(folder: Path) -> bool:
    return (folder / CHECKPOINT).exists()


def write_search(folder: Path, document: dict) -> None:
    write_text_atomically(folder / SEARCH, json_text(document))


def read_search(folder: Path) -> dict | None:
    """The search recorded in ``folder``, or None when there is none."""
    path = folder / SEARCH
    if not path.exists():
        return None
    return checked_search(parsed_json(path, "search", "delete it to search afresh"), path)
