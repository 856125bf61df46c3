"""A finished fit's files, by task: each task's writer in one table, so ``command_fit``
writes any fit the same way and a new task adds one entry."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..training.data import Split
from ..training.run import FitResult


def _write_regressor(folder: Path, result: FitResult, split: Split, described: dict, command: str, spice) -> dict:
    """model.json, circuit.cir, report.json, data.csv, bom.csv, fit.png and loss.png (the
    figure simulated on ``spice``, or on a backend of its own when None)."""
    from ..backends.spice.backend import spice_for_call
    from ..training.data import get_target
    from .fit_outputs import write_outputs
    target = get_target(described["target"]) if described.get("target") else None
    with spice_for_call(spice) as chosen:
        return write_outputs(folder, result, split, chosen, target, command)


def _write_classifier(folder: Path, result: FitResult, split: Split, described: dict, command: str,
                      spice) -> dict:
    """As a regressor's, with confusion.png, misclassified.png and curves.png for the plots."""
    from .classifier_outputs import write_classifier_outputs
    return write_classifier_outputs(folder, result, split, described.get("image_shape"), command)


# task name (FitConfig.task) -> its writer(folder, result, split, data description, command, spice)
WRITERS: dict[str, Callable[[Path, FitResult, Split, dict, str, Any], dict]] = {
    "regress": _write_regressor, "classify": _write_classifier}


def write_fit_outputs(folder: Path, result: FitResult, split: Split, data_description: dict | None,
                      command: str, spice=None) -> dict:
    """Every file of a finished fit in ``folder``: {name: path}. spice: the SpiceBackend its
    figures are simulated on (None: one of their own, closed after)."""
    return WRITERS[result.summary.task](folder, result, split, data_description or {}, command, spice)
