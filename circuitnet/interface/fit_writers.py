"""A finished fit's files, by task: each task's writer in one table, so ``command_fit``
writes any fit the same way and a new task adds one entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..training.data import Split
from ..training.run import FitResult


def _write_regressor(folder: Path, result: FitResult, split: Split, described: dict, command: str) -> dict:
    """model.json, circuit.cir, report.json, data.csv, bom.csv, fit.png and loss.png."""
    from ..backends.spice.backend import SpiceBackend
    from ..training.data import get_target
    from .fit_outputs import write_outputs
    target = get_target(described["target"]) if described.get("target") else None
    return write_outputs(folder, result, split, SpiceBackend(), target, command)


def _write_classifier(folder: Path, result: FitResult, split: Split, described: dict, command: str) -> dict:
    """As a regressor's, with confusion.png, misclassified.png and curves.png for the plots."""
    from .classifier_outputs import write_classifier_outputs
    return write_classifier_outputs(folder, result, split, described.get("image_shape"), command)


# task name (FitConfig.task) -> its writer(folder, result, split, data description, command)
WRITERS: dict[str, Callable[[Path, FitResult, Split, dict, str], dict]] = {
    "regress": _write_regressor, "classify": _write_classifier}


def write_fit_outputs(folder: Path, result: FitResult, split: Split, data_description: dict | None,
                      command: str) -> dict:
    """Every file of a finished fit in ``folder``: {name: path}."""
    return WRITERS[result.summary.task](folder, result, split, data_description or {}, command)
