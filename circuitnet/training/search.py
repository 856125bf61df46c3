"""Hyperparameter search on validation data: hidden width, ridge strength and learning rate
(and, for ``topology="auto"``, the topology).

Random search over a grid (the lecture's nested optimisation: parameters on training data,
hyperparameters on validation data); each trial is a whole fit in the chosen mode, run in
parallel worker processes, and judged by ``FitReport.validation_score`` (see ``criterion``): the validation RMSE
measured in ngspice for a regressor, the validation cross-entropy for a classifier. The test
split is never looked at. With ``topology="auto"`` the trials are shared out as evenly as
they go between the topologies the settings allow (at least one each), each drawn from that
topology's grid; ``topology_choice.candidate_configs(config, table)`` then takes each one's
best row.
"""

from __future__ import annotations

import os
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from . import run_folder
from .config import FitConfig
from .data import Split

SCORE = "validation_score"  # the key of a row's criterion value (see FitReport.validation_score)


def grid(config: FitConfig) -> list[dict]:
    width = config.hidden[0]
    widths = sorted({max(2, width // 2), width, width * 2})
    return [{"hidden": [w] + config.hidden[1:], "lam": lam, "lr": lr}
            for w in widths for lam in (0.0, 1e-6, 1e-4) for lr in (0.003, 0.01, 0.03)]


def chosen_trials(config: FitConfig, trials: int) -> list[dict]:
    """The settings of every trial, in order: ``trials`` draws from the grid, shared out
    between the candidate topologies when ``config.topology`` is ``auto``."""
    from .topology_choice import AUTO, candidate_configs
    rng = np.random.default_rng(config.seed)
    candidates = grid(config)
    if config.topology != AUTO:
        return [dict(candidates[i]) for i in rng.choice(len(candidates), size=min(trials, len(candidates)),
                                                          replace=False)]
    topologies = list(candidate_configs(config)[0])
    chosen = []
    for index, name in enumerate(topologies):
        share = max(1, trials // len(topologies) + (index < trials % len(topologies)))
        picks = rng.choice(len(candidates), size=min(share, len(candidates)), replace=False)
        chosen += [{"topology": name, **candidates[i]} for i in picks]
    return chosen


def ranked(rows: list[dict]) -> list[dict]:
    """The trials, best first (lowest validation score)."""
    # a search.json written before the criterion had a name ranked regressors by val_rmse
    return sorted(rows, key=lambda row: row[SCORE] if SCORE in row else row["val_rmse"])


def search(split: Split, config: FitConfig, trials: int = 8, workers: int | None = None,
           executor=None, folder: Path | None = None) -> tuple[FitConfig, list]:
    """(the best configuration, the table of every trial, best first).

    Each row holds the trial's settings, its topology, ``validation_score`` and the report's
    figure that score is (``val_rmse``, or ``val_cross_entropy_surrogate`` beside
    ``val_accuracy_surrogate`` for a classifier), and its seconds. executor: where the trials
    run (default: local spawned processes, ``workers`` of them; a DaskExecutor runs them on a
    cluster). folder: record each round of finished trials in its ``search.json``, and take
    up the trials a search with the same settings finished there before (so an interrupted
    search resumes).
    """
    chosen = chosen_trials(config, trials)
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
            jobs = [(split, asdict(replace(config, e_series=None, e_series_pairs=False, **settings)))
                    for settings in batch]
            results = executor.map(_trial, jobs)
            done += [{"topology": config.topology, **settings, **result}
                     for settings, result in zip(batch, results, strict=False)]
            if folder is not None:
                run_folder.write_search(folder, {**settings_doc, "done": done})
    table = ranked(done)
    best = table[0]
    return replace(config, topology=best["topology"], hidden=best["hidden"], lam=best["lam"], lr=best["lr"]), table


def _trial(job) -> dict:
    """One trial's figures: its validation score, the figure it is, and its seconds."""
    from ..backends.spice.backend import SpiceBackend
    from ..backends.spice.workers import WorkerPool
    from .run import fit
    split, settings = job
    with WorkerPool(workers=1) as pool:
        report = fit(split, FitConfig(**settings), spice=SpiceBackend(pool)).summary
    return {SCORE: report.validation_score, **report.figures.trial_figures(), "seconds": report.seconds}
