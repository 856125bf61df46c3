"""Hyperparameter search on validation data: hidden width, ridge strength and learning rate.

Random search over a grid (the lecture's nested optimisation: parameters on training data,
hyperparameters on validation data); each trial is a whole fit in the chosen mode, run in
parallel worker processes, and judged by its validation RMSE measured in ngspice. The test
split is never looked at.
"""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from . import run_folder
from .config import FitConfig
from .data import Split


def grid(config: FitConfig) -> list[dict]:
    width = config.hidden[0]
    widths = sorted({max(2, width // 2), width, width * 2})
    return [{"hidden": [w] + config.hidden[1:], "lam": lam, "lr": lr}
            for w in widths for lam in (0.0, 1e-6, 1e-4) for lr in (0.003, 0.01, 0.03)]


def search(split: Split, config: FitConfig, trials: int = 8, workers: int | None = None,
           executor=None, folder: Path | None = None) -> tuple[FitConfig, list]:
    """(the best configuration, the table of every trial sorted by validation RMSE).

    executor: where the trials run (default: local spawned processes, ``workers`` of them;
    a DaskExecutor runs them on a cluster). folder: record each round of finished trials in
    its ``search.json``, and take up the trials a search with the same settings finished
    there before (so an interrupted search resumes).
    """
    candidates = grid(config)
    rng = np.random.default_rng(config.seed)
    chosen = [candidates[i] for i in rng.choice(len(candidates), size=min(trials, len(candidates)), replace=False)]
    settings_doc = {"config": asdict(config), "trials": trials}
    saved = run_folder.read_search(folder) if folder is not None else None
    done: list[dict] = saved["done"] if saved and {k: saved[k] for k in settings_doc} == settings_doc else []
    remaining = chosen[len(done):]
    if remaining:
        from ..util.executor import LocalExecutor
        executor = executor or LocalExecutor(workers or min(len(remaining), os.cpu_count() or 1), processes=True)
        size = max(1, int(getattr(executor, "workers", 1)))
        for first in range(0, len(remaining), size):
            batch = remaining[first:first + size]
            jobs = [(split, asdict(replace(config, e_series=None, **settings))) for settings in batch]
            results = executor.map(_trial, jobs)
            done += [{**settings, "val_rmse": result["val_rmse"], "train_rmse": result["train_rmse"],
                      "seconds": result["seconds"]} for settings, result in zip(batch, results)]
            if folder is not None:
                run_folder.write_search(folder, {**settings_doc, "done": done})
    table = sorted(done, key=lambda row: row["val_rmse"])
    best = table[0]
    return replace(config, hidden=best["hidden"], lam=best["lam"], lr=best["lr"]), table


def _trial(job) -> dict:
    from ..backends.spice.backend import SpiceBackend
    from ..backends.spice.workers import WorkerPool
    from .run import fit
    split, settings = job
    with WorkerPool(workers=1) as pool:
        report = fit(split, FitConfig(**settings), spice=SpiceBackend(pool)).report
    return {key: report[key] for key in ("val_rmse", "train_rmse", "seconds")}
