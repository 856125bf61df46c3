"""``--topology auto``: the topology as a hyperparameter, chosen on validation data.

Each topology the settings allow is trained as a fit of its own (same data, seed and
settings), and the one with the lowest ``criterion.validation_score`` is kept: the lecture's
answer to "which model class?", asked of the validation split and never of the test split.
The test split is still measured for every candidate, after the fact, so that the table
says what each circuit costs and gives: validation and test error, op-amps, resistors and
static power. A person who prefers fewer op-amps sees the price of the cheaper circuit.

"The settings allow": a topology is a candidate unless it can't realise the network the
settings ask for (``excluded_because``): the passive topology has one hidden layer at most,
so ``--hidden 16,16`` leaves it out. A candidate whose trained circuit leaves its parts' safe
operating area is no candidate: its row says why, and the others compete (a circuit that
could not be built has no error figure to compare).

With ``--search`` the topology joins width, lam and lr as a hyperparameter: the search's
trials are shared out between the candidates (``search.search``), each candidate is fitted
with its own best settings (``candidate_configs(config, table)``), and the choice is made
as without a search.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..backends.spice.power_summary import power_summary
from ..errors import CircuitnetError, OperatingLimitError
from ..topologies import TOPOLOGIES, part_counts
from .config import FitConfig
from .criterion import criterion_name, validation_figure
from .data import Split

# A FitRun and its FitResult (training.run, which imports this module for fit(topology="auto"),
# so they are not imported here).
FitRun = Any
FitResult = Any

AUTO = "auto"


def excluded_because(topology: str, config: FitConfig) -> str | None:
    """Why the settings rule ``topology`` out of an automatic choice, or None if they allow it."""
    if not TOPOLOGIES[topology].in_auto_choice:
        return f"is chosen only by name (--topology {topology}): auto compares the ReLU topologies"
    limit = TOPOLOGIES[topology].max_hidden_layers
    if limit is not None and len(config.hidden) > limit:
        return (f"realises at most {limit} hidden layer(s); --hidden {','.join(map(str, config.hidden))} asks for "
                f"{len(config.hidden)}")
    return None


def candidate_configs(config: FitConfig, search_table: list[dict] | None = None) -> tuple[dict, dict]:
    """({topology: its FitConfig}, {excluded topology: why}) for a ``topology="auto"`` config.

    search_table: a search's rows (each naming its topology); each candidate then takes the
    hidden widths, lam and lr of its best row (the table is sorted best first).
    """
    configs, excluded = {}, {}
    for name in TOPOLOGIES:
        reason = excluded_because(name, config)
        if reason:
            excluded[name] = reason
            continue
        settings = {}
        if search_table is not None:
            best = next((row for row in search_table if row["topology"] == name), None)
            if best is None:
                continue  # the search tried no settings of this topology
            settings = {"hidden": best["hidden"], "lam": best["lam"], "lr": best["lr"]}
        configs[name] = replace(config, topology=name, **settings)
    if not configs:
        reasons = "; ".join(f"{name} {why}" for name, why in excluded.items())
        raise CircuitnetError(f"topology auto: no topology can realise these settings ({reasons}); give fewer "
                              f"hidden layers or name a topology")
    return configs, excluded


def candidate_row(result: FitResult, split: Split, spice) -> dict:
    """One row of the table: a finished candidate's settings, errors, parts and power.

    Validation and test figures are the fit report's (test: ngspice on the board). Static
    power: at the test inputs' operating points, from every source, watts (a classifier's
    report has it already; a regressor's is one more ngspice run over the test split).
    """
    report, circuit = result.summary, result.circuit
    settings = report.hyperparameters
    counts = part_counts(circuit)
    row = {"topology": circuit.topology, "hidden": settings["hidden"], "lam": settings["lam"], "lr": settings["lr"],
           "validation_score": report.validation_score, **report.figures.candidate_figures()}
    power = report.figures.static_power_w()
    if power is None:
        board = FitConfig(**settings).board_model()
        power = power_summary(spice.simulate_checked(board.apply(circuit), split.x_test, board.temperature_c)[2])
    row.update({"opamps": counts["opamp"], "resistors": circuit.resistor_count(), "diodes": counts["diode"],
                "static_power_mean_w": power["mean_w"], "static_power_max_w": power["max_w"],
                "seconds": report.seconds, "interrupted": result.interrupted})
    return row


class TopologyChoice:
    """Train every candidate and keep the best on validation; driven as a FitRun is
    (``run()``, ``keep_best_so_far()``, ``circuit``, ``split``, ``task``), so the CLI and
    the estimators treat a choice like one fit.

    configs, excluded: from ``candidate_configs``. start: makes the FitRun of one candidate's
    config (the caller's progress bars, executor and data description go there). spice: the
    backend of the regressors' power figures (default: the first run's).

    Candidates run without checkpoints: a choice stopped by Ctrl-C keeps the best of the
    candidates trained so far (the one under way with its best epoch) and is not resumable;
    run the command again to compare every candidate.
    """

    resumable = False

    def __init__(self, configs: dict[str, FitConfig], excluded: dict[str, str],
                 start: Callable[[FitConfig], FitRun], spice=None):
        self.configs, self.excluded, self.start = configs, excluded, start
        self.spice = spice
        self.current: FitRun | None = None  # the FitRun under way (after run(): the chosen one)
        self.started: list[FitRun] = []  # every candidate's run, closed by close()
        self.rows: list[dict] = []

    def close(self) -> None:
        """Stop the workers of every candidate's own backend (backends passed in are left open)."""
        for run in self.started:
            run.close()

    def __enter__(self) -> TopologyChoice:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _run(self) -> FitRun:
        if self.current is None:
            raise CircuitnetError("no candidate has started yet: call run() first")
        return self.current

    @property
    def split(self) -> Split:
        return self._run().split

    @property
    def classify(self) -> bool:
        return self._run().classify

    @property
    def task(self) -> str:
        return self._run().task

    @property
    def data_description(self):
        return self._run().data_description

    @property
    def circuit(self):
        return self._run().circuit

    def keep_best_so_far(self) -> bool:
        return self.current is not None and self.current.keep_best_so_far()

    def run(self) -> FitResult:
        """The FitResult of the candidate with the lowest validation score; its report gains
        ``topology_choice``: the criterion, the chosen topology, every candidate's row (best
        first) and the excluded topologies with the reason."""
        results: dict[str, FitResult] = {}
        runs: dict[str, FitRun] = {}
        refused: OperatingLimitError | None = None
        started = time.monotonic()
        for name, config in self.configs.items():
            self.current = runs[name] = self.start(config)
            self.started.append(self.current)
            try:
                result = self.current.run()
            except OperatingLimitError as error:
                refused = error
                self.rows.append({"topology": name, "refused": str(error)})
                continue
            results[name] = result
            self.rows.append(candidate_row(result, self.current.split, self.spice or self.current.spice))
            if result.interrupted:  # Ctrl-C: choose among the candidates trained so far
                break
        if refused is not None and not results:  # no candidate's circuit could be built
            raise refused
        ranked = sorted((row for row in self.rows if "refused" not in row), key=lambda row: row["validation_score"])
        chosen = ranked[0]["topology"]
        result, self.current = results[chosen], runs[chosen]
        task = result.summary.task
        result.summary.topology_choice = {
            "criterion": criterion_name(task), "figure": validation_figure(task), "chosen": chosen,
            "candidates": ranked + [row for row in self.rows if "refused" in row], "excluded": self.excluded,
            "untried": [name for name in self.configs if name not in {row["topology"] for row in self.rows}],
        }
        # the fit took every candidate's time, not only the chosen one's (each is in its row)
        result.summary.seconds = round(time.monotonic() - started, 3)
        return result


__all__ = ["AUTO", "TopologyChoice", "candidate_configs", "candidate_row", "excluded_because"]
