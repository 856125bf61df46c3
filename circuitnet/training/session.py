"""A fit as ``circuitnet fit`` and the estimators drive it: which run to make (one FitRun, or a
TopologyChoice for ``topology="auto"``), a hyperparameter search before it, and resuming
either from a run folder.

- ``plan``: the run of a config (the estimators' and ``training.run.fit``'s way in).
- ``start``: a new run in a folder: its data written first (so that a resume finds it), then
  the search if one is asked for (recorded in search.json round by round), then the run.
- ``resume``: a stopped run in a folder: from its checkpoint, or, when it stopped while
  searching, the search finished first.

Each returns a ``Planned`` run, whose ``fit()`` trains it and records the search's table in
the report. The CLI adds only what a person sees: progress bars, messages, exit statuses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import run_folder
from .config import FitConfig
from .data import Split
from .run import FitResult, FitRun, run_of
from .topology_choice import AUTO, TopologyChoice


def _silent(text: str) -> None:
    """The default of Driving.tell: a library run says nothing."""


@dataclass
class Driving:
    """How the runs are driven, not what they train: progress callbacks, the ngspice backend
    (None: each run's own, stopped by the run's ``close()`` or ``Planned.close()``), the
    executor of a classifier's test split (None: local threads), and ``tell``, which receives
    the sentences a person may want to read (the CLI prints them on stderr)."""

    progress: Any = None  # training.progress.Progress's methods (the CLI's bars have them)
    spice: Any = None
    executor: Any = None
    tell: Callable[[str], None] = field(default=_silent)

    def run_settings(self) -> dict:
        return {"spice": self.spice, "progress": self.progress, "executor": self.executor}


class SearchInterrupted(KeyboardInterrupt):
    """Ctrl-C while searching: the finished trials are in ``folder``/search.json, and
    ``resume(folder)`` takes the search up where it stopped."""

    def __init__(self, folder: Path):
        super().__init__(f"interrupted while searching; the finished trials are in {folder / run_folder.SEARCH}")
        self.folder = folder


@dataclass
class Planned:
    """A run ready to train: ``run`` (a FitRun or a TopologyChoice, driven alike) and the table
    of the search that chose its settings (best first), or None."""

    run: FitRun | TopologyChoice
    table: list[dict] | None = None

    def fit(self) -> FitResult:
        """Train the run; its report records the search's table."""
        result = self.run.run()
        if self.table is not None:
            result.summary.search = self.table
        return result

    def close(self) -> None:
        """Stop the workers of the backends the run made (none when Driving gave one)."""
        self.run.close()

    def __enter__(self) -> Planned:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def plan(split: Split, config: FitConfig, folder: Path | None = None, data_description: dict | None = None,
         driving: Driving | None = None, table: list[dict] | None = None) -> Planned:
    """The run of ``config`` (see ``run.run_of``: a FitRun checkpointed in ``folder`` when
    given, or for ``topology="auto"`` a TopologyChoice whose candidates take their best
    settings of the search ``table``)."""
    driving = driving or Driving()
    return Planned(run_of(split, config, folder, table, driving.tell, data_description=data_description,
                          **driving.run_settings()), table)


def start(split: Split, config: FitConfig, folder: Path, data_description: dict, search: bool = False,
          driving: Driving | None = None) -> Planned:
    """A new run in ``folder``: its data first, then (``search``) the search of hidden width,
    lam and lr on validation data, then the run. Raises SearchInterrupted on Ctrl-C while
    searching."""
    driving = driving or Driving()
    run_folder.write_data(folder, split, data_description)  # first, so that a resume finds the run
    table = None
    if search:
        config, table = _search(split, config, folder, driving)
    return plan(split, config, folder, data_description, driving, table)


def resume(folder: Path, driving: Driving | None = None) -> Planned:
    """The run stopped in ``folder``: from its checkpoint (the search's table kept for the
    report), or when it stopped while searching, the search finished first. A finished run
    has nothing to resume (see ``run_folder.is_finished``). Raises SearchInterrupted."""
    from .search import ranked
    driving = driving or Driving()
    searched = run_folder.read_search(folder)
    if run_folder.has_checkpoint(folder) or searched is None:
        run = FitRun.resume(folder, **driving.run_settings())
        return Planned(run, ranked(searched["done"]) if searched else None)
    split, description = run_folder.read_data(folder)
    config, table = _search(split, FitConfig(**searched["config"]), folder, driving, searched["trials"])
    return plan(split, config, folder, description, driving, table)


def _search(split: Split, config: FitConfig, folder: Path, driving: Driving,
            trials: int | None = None) -> tuple[FitConfig, list[dict]]:
    """(the config the search leaves to fit, its table): its best settings, or for
    ``topology="auto"`` the config itself (each candidate takes its own best row)."""
    from . import search
    also = " and the topology" if config.topology == AUTO else ""
    driving.tell(f"searching hidden width, lam, lr{also} on validation data...")
    try:
        best, table = search.search(split, config, folder=folder, **({"trials": trials} if trials else {}))
    except KeyboardInterrupt:
        raise SearchInterrupted(folder) from None
    return (config if config.topology == AUTO else best), table


__all__ = ["Driving", "Planned", "SearchInterrupted", "plan", "resume", "start"]
