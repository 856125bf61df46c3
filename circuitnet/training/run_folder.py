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
from .data import Split

DATA_DESCRIPTION = "data.json"
DATA_TABLE = "data.csv"
CHECKPOINT = "checkpoint.json"
SEARCH = "search.json"


def data_csv(split: Split) -> str:
    """The data with the split of each point: split, x1.., y (exact float reprs)."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["split"] + [f"x{k + 1}" for k in range(split.n_inputs)] + ["y"])
    for name, (x, y) in split.parts().items():
        for row_x, row_y in zip(x, y):
            writer.writerow([name] + [repr(float(v)) for v in row_x] + [repr(float(row_y[0]))])
    return stream.getvalue()


def read_data_csv(path: str | Path) -> Split:
    """The split written by ``data_csv`` (for resuming a run or recomputing its report)."""
    parts: dict[str, tuple[list, list]] = {"train": ([], []), "val": ([], []), "test": ([], [])}
    with open(path, newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        for row in reader:
            parts[row[0]][0].append([float(v) for v in row[1:-1]])
            parts[row[0]][1].append([float(row[-1])])
    arrays = [np.array(values, dtype=float) for name in ("train", "val", "test") for values in parts[name]]
    return Split(*arrays)


def write_data(folder: Path, split: Split, description: dict) -> None:
    """Record the data of a run that starts in ``folder`` (created if missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    write_text_atomically(folder / DATA_DESCRIPTION, json.dumps(description) + "\n")
    write_text_atomically(folder / DATA_TABLE, data_csv(split))


def read_data(folder: Path) -> tuple[Split, dict]:
    """(split, description) of the run in ``folder``."""
    if not (folder / DATA_TABLE).exists() or not (folder / DATA_DESCRIPTION).exists():
        raise CircuitnetError(f"{folder} holds no stopped run (no {DATA_TABLE} / {DATA_DESCRIPTION}); resume the "
                              f"folder a 'circuitnet fit ... --out DIR' run wrote")
    return read_data_csv(folder / DATA_TABLE), json.loads((folder / DATA_DESCRIPTION).read_text())


def write_checkpoint(folder: Path, document: dict) -> None:
    write_text_atomically(folder / CHECKPOINT, json.dumps(document))


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
    write_text_atomically(folder / SEARCH, json.dumps(document))


def read_search(folder: Path) -> dict | None:
    """The search recorded in ``folder``, or None when there is none."""
    path = folder / SEARCH
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CircuitnetError(f"{path}: can't read the search ({error}); delete it to search afresh") from None
