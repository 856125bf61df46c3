"""The JSON files of a run folder, read back as untrusted input: data.json and checkpoint.json.

A folder may have been edited, half-copied or written by another version. Every field a
resumed run uses is checked for its type (and, where the data table fixes it, its length or
shape) before any work, so damage is one sentence naming the file and the field
(``RunFolderError``), never a KeyError or a NumPy error minutes later.
"""

from __future__ import annotations

import json
import math
import typing
from dataclasses import fields
from pathlib import Path

import numpy as np

from ..errors import CircuitnetError, RunFolderError
from ..model.board import Board
from .config import FitConfig
from .data import Split

DAMAGED = "the run folder is damaged: start the run afresh with --out"
# data.json names where the data came from by one of these keys (see interface/fit_data.py)
DATA_SOURCES = ("target", "file", "dataset", "images")
MAX_DEPTH = 4  # the deepest array of a checkpoint: a list of matrices


def parsed_json(path: Path, what: str, fix: str = DAMAGED):
    """The JSON document in ``path``; NaN and infinities (which circuitnet never writes) refused."""
    def refuse(constant: str):
        raise RunFolderError(f"{path}: holds {constant}, which circuitnet never writes; {fix}")
    try:
        return json.loads(path.read_text(), parse_constant=refuse)
    except (OSError, ValueError) as error:
        raise RunFolderError(f"{path}: can't read the {what} ({error}); {fix}") from None


class Fields:
    """Checks of one document's fields; each failure names ``path`` and the field."""

    def __init__(self, path: Path):
        self.path = path

    def refuse(self, where: str, value, wanted: str) -> typing.NoReturn:
        shown = json.dumps(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise RunFolderError(f"{self.path}: {where} is {shown}, not {wanted}; {DAMAGED}")

    def object(self, value, where: str, required: tuple[str, ...] = ()) -> dict:
        if not isinstance(value, dict):
            self.refuse(where, value, "a JSON object")
        missing = [key for key in required if key not in value]
        if missing:
            raise RunFolderError(f"{self.path}: {where} has no field {missing[0]!r}; {DAMAGED}")
        return value

    def whole(self, value, where: str, low: int = 0) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.refuse(where, value, f"a whole number >= {low}")
        return value

    def number(self, value, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.refuse(where, value, "a finite number")
        return float(value)

    def texts(self, value, where: str, length: int | None = None) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.refuse(where, value, "a list of names")
        if length is not None and len(value) != length:
            self.refuse(where, value, f"a list of {length} names (one per column of data.csv)")
        return value

    def array(self, value, where: str) -> np.ndarray:
        """Nested lists of finite numbers (a vector or a matrix), as floats."""
        self._numbers(value, where, MAX_DEPTH)
        try:
            return np.array(value, dtype=float)
        except ValueError:  # ragged rows
            self.refuse(where, value, "rows of equal length")

    def arrays(self, value, where: str) -> list[np.ndarray]:
        if not isinstance(value, list):
            self.refuse(where, value, "a list of arrays")
        return [self.array(item, f"{where}[{k}]") for k, item in enumerate(value)]

    def _numbers(self, value, where: str, depth: int) -> None:
        if isinstance(value, list) and depth > 0:
            for k, item in enumerate(value):
                self._numbers(item, f"{where}[{k}]", depth - 1)
        else:
            self.number(value, where)


def checked_description(description, path: Path, split: Split) -> dict:
    """data.json of a run whose data table is ``split``: an object naming its source, with
    column names (when it has them) one per column of the table."""
    check = Fields(path)
    check.object(description, "the document")
    if not any(key in description for key in DATA_SOURCES):
        raise RunFolderError(f"{path}: names no data source (none of the fields {', '.join(DATA_SOURCES)}); "
                             f"{DAMAGED}")
    if "target" in description:
        from .data import get_target
        if not isinstance(description["target"], str):
            check.refuse("target", description["target"], "a target's name")
        try:
            get_target(description["target"])
        except CircuitnetError as error:
            raise RunFolderError(f"{path}: target: {error}; {DAMAGED}") from None
    if description.get("input_columns") is not None:
        check.texts(description["input_columns"], "input_columns", split.n_inputs)
    if description.get("output_columns") is not None:
        check.texts(description["output_columns"], "output_columns")
    if description.get("class_labels") is not None:
        labels = description["class_labels"]
        if not isinstance(labels, list) or not all(isinstance(label, (str, int, float)) for label in labels):
            check.refuse("class_labels", labels, "a list of labels")
    shape = description.get("image_shape")
    if shape is not None and (not isinstance(shape, list) or len(shape) != 2
                              or not all(isinstance(side, int) and side >= 1 for side in shape)
                              or shape[0] * shape[1] != split.n_inputs):
        check.refuse("image_shape", shape, f"[height, width] of {split.n_inputs} pixels (the inputs of data.csv)")
    return description


def checked_checkpoint(document, path: Path) -> tuple[dict, FitConfig]:
    """(checkpoint, its FitConfig): the fields FitRun.resume uses, each of the right type."""
    check = Fields(path)
    check.object(document, "the document", ("config", "stage", "state", "history"))
    config = checked_config(document["config"], check)
    if document["stage"] not in ("pretrain", "circuit"):
        check.refuse("stage", document["stage"], "\"pretrain\" or \"circuit\"")
    check.object(document["state"], "state")
    history = check.object(document["history"], "history")
    for stage, curves in history.items():
        check.object(curves, f"history.{stage}", ("train", "val"))
        for name, values in curves.items():
            check.arrays(values if isinstance(values, list) else None, f"history.{stage}.{name}")
    stopped = check.object(document.get("stopped", {}), "stopped")
    for stage, reason in stopped.items():
        if not isinstance(reason, str):
            check.refuse(f"stopped.{stage}", reason, "a sentence")
    if document["stage"] == "circuit":
        if "ideal_network" not in document:
            raise RunFolderError(f"{path}: the document has no field 'ideal_network'; {DAMAGED}")
        layers = document["ideal_network"]
        if not isinstance(layers, list) or not layers or not all(isinstance(p, list) and len(p) == 2 for p in layers):
            check.refuse("ideal_network", layers, "a list of [weights, biases] pairs")
        for k, (weights, biases) in enumerate(layers):
            check.array(weights, f"ideal_network[{k}][0]")
            check.array(biases, f"ideal_network[{k}][1]")
    return document, config


def checked_config(value, check: Fields) -> FitConfig:
    """The FitConfig of a checkpoint's ``config``: known fields of the types FitConfig declares."""
    check.object(value, "config")
    hints = typing.get_type_hints(FitConfig)
    for name, setting in value.items():
        if name not in hints:
            raise RunFolderError(f"{check.path}: config has the unknown field {name!r}; {DAMAGED}")
        if not _is_of(setting, hints[name]):
            check.refuse(f"config.{name}", setting, _type_name(hints[name]))
    for k, width in enumerate(value.get("hidden", [])):
        check.whole(width, f"config.hidden[{k}]", 1)
    board = value.get("board")
    if board is not None:
        known = {f.name for f in fields(Board)}
        unknown = [key for key in board if key not in known]
        if unknown:
            raise RunFolderError(f"{check.path}: config.board has the unknown field {unknown[0]!r}; {DAMAGED}")
    try:
        return FitConfig(**value)
    except (CircuitnetError, TypeError, ValueError) as error:
        raise RunFolderError(f"{check.path}: config: {error}; {DAMAGED}") from None


def _is_of(value, hint) -> bool:
    """Whether a JSON value has the type ``hint`` of a FitConfig field (int, float, str, bool,
    list, dict, or a union of them with None). JSON true is no number, and 2 is a float."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, _union_type()) else (hint,)
    for option in options:
        option = typing.get_origin(option) or option
        if option is type(None) and value is None:
            return True
        if option is bool and isinstance(value, bool):
            return True
        if option in (int, float) and not isinstance(value, bool) and isinstance(value, (int, float) if option is float
                                                                                   else int):
            return option is int or math.isfinite(value)
        if option in (str, list, dict) and isinstance(value, option):
            return True
    return False


def _union_type():
    import types
    return types.UnionType


def _type_name(hint) -> str:
    words = {int: "a whole number", float: "a number", str: "a text", bool: "true or false", list: "a list",
             dict: "a JSON object", type(None): "null"}
    options = typing.get_args(hint) or (hint,)
    return " or ".join(words.get(typing.get_origin(option) or option, str(option)) for option in options)


def checked_loop_state(saved, fresh, path: Path, where: str):
    """The training loop's state of a checkpoint (``where``: its field), of the shapes of
    ``fresh``, the state this run starts from; a loop.LoopState."""
    from .loop import LoopState
    check = Fields(path)
    check.object(saved, where, ("params", "optimizer", "rng", "epoch", "best_params", "best_val", "since_best",
                                "history", "stopped_early"))
    shapes = [np.shape(p) for p in fresh.params]
    _same_shapes(check, saved["params"], shapes, f"{where}.params")
    if saved["best_params"] is not None:
        _same_shapes(check, saved["best_params"], shapes, f"{where}.best_params")
    optimizer = check.object(saved["optimizer"], f"{where}.optimizer", ("step_count", "m", "v"))
    check.whole(optimizer["step_count"], f"{where}.optimizer.step_count")
    for moment in ("m", "v"):
        if optimizer[moment] != []:  # empty before the first step
            _same_shapes(check, optimizer[moment], shapes, f"{where}.optimizer.{moment}")
    for name in ("epoch", "since_best"):
        check.whole(saved[name], f"{where}.{name}")
    check.number(saved["best_val"], f"{where}.best_val")
    if not isinstance(saved["stopped_early"], bool):
        check.refuse(f"{where}.stopped_early", saved["stopped_early"], "true or false")
    curves = check.object(saved["history"], f"{where}.history", ("train", "val"))
    for name, values in curves.items():
        check.arrays(values if isinstance(values, list) else None, f"{where}.history.{name}")
    try:
        return LoopState.from_dict(saved, fresh.optimizer)
    except (KeyError, TypeError, ValueError) as error:  # the generator's state is NumPy's to check
        raise RunFolderError(f"{path}: {where}.rng is no random generator's state ({error}); {DAMAGED}") from None


def _same_shapes(check: Fields, value, shapes: list[tuple], where: str) -> None:
    arrays = check.arrays(value, where)
    found = [a.shape for a in arrays]
    if found != shapes:
        raise RunFolderError(f"{check.path}: {where} has arrays of shapes {found}; this run's network has {shapes}; "
                             f"{DAMAGED}")


def restored_network(layers: list, path: Path, widths: list[int]):
    """The ideal network of a circuit-stage checkpoint (checked by ``checked_checkpoint``), of
    ``widths``: inputs, hidden widths, outputs. A ReLUNet."""
    from ..model.network import ReLUNet
    shapes = [(n_out, n_in) for n_in, n_out in zip(widths, widths[1:], strict=False)]
    found = [np.shape(weights) for weights, _ in layers]
    if found != shapes or any(np.shape(biases) != (shape[0],)
                              for (_, biases), shape in zip(layers, shapes, strict=True)):
        raise RunFolderError(f"{path}: ideal_network has weights of shapes {found}; a network of widths {widths} "
                             f"has {shapes}; {DAMAGED}")
    try:
        return ReLUNet.from_arrays([(np.array(w, dtype=float), np.array(b, dtype=float)) for w, b in layers])
    except CircuitnetError as error:
        raise RunFolderError(f"{path}: ideal_network: {error}; {DAMAGED}") from None


def checked_search(document, path: Path) -> dict:
    """search.json: its ``config`` (as a checkpoint's), ``trials`` and the ``done`` trials."""
    check = Fields(path)
    check.object(document, "the document", ("config", "trials", "done"))
    checked_config(document["config"], check)
    check.whole(document["trials"], "trials", 1)
    if not isinstance(document["done"], list) or not all(isinstance(trial, dict) for trial in document["done"]):
        check.refuse("done", document["done"], "a list of trials")
    return document
