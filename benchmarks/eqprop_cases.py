"""Benchmarks of the resistive topology and equilibrium propagation (issue #21).

- eqprop: the same resistive circuit (the same pretrained start, seed 0, 200 training points,
  full batch, Adam at lr 0.05 for 200 epochs in every mode) trained in
  ``surrogate``, ``spice-loop`` and ``eqprop`` mode, on the nominal circuit at 27 C and on a
  board with 1 % resistors at 60 C: ngspice test RMSE of sin(pi x) (16 hidden), wall time,
  and the sample equilibria ngspice solved (training and measuring). Target: eqprop's test
  RMSE within 2x of surrogate mode's.
- eqprop-digits: scikit-learn's 8x8 digits, 32 hidden, ``surrogate`` and ``eqprop``: ngspice
  test accuracy, wall time, solves. Targets: eqprop >= 95.0 % in <= 30 min on 2 cores;
  surrogate >= 96.0 %.

``CIRCUITNET_EQPROP_EPOCHS`` caps every run's circuit epochs (the machine may be shared: the
epochs run are in the table).
"""

from __future__ import annotations

import os
import re
import time

from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.training.classes import load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.run import FitRun

_SAMPLES = re.compile(r"(\d+) samples")
BOARD = {"tolerance": 0.01, "seed": 1, "temperature_c": 60.0}


class CountingPool:
    """A worker pool, counting the sample equilibria of every netlist it runs (each
    sample set's first line says how many samples it holds; a sweep counts as one)."""

    def __init__(self, pool) -> None:
        self.pool = pool
        self.solves = 0

    def _count(self, netlist: str) -> None:
        found = _SAMPLES.search(netlist.split("\n", 1)[0])
        self.solves += int(found.group(1)) if found else 1

    def run(self, netlist: str):
        self._count(netlist)
        return self.pool.run(netlist)

    def map(self, netlists):
        for netlist in netlists:
            self._count(netlist)
        return self.pool.map(netlists)

    def __getattr__(self, name):
        return getattr(self.pool, name)


def _epochs(default: int) -> int:
    return int(os.environ.get("CIRCUITNET_EQPROP_EPOCHS", default))


def _run(split, config: FitConfig):
    with WorkerPool() as workers:  # this run's own, its workers started before the clock
        for worker in workers.workers:
            worker.ensure_started()
        pool = CountingPool(workers)
        started = time.monotonic()
        result = FitRun(split, config, spice=SpiceBackend(pool)).run()
        return result, time.monotonic() - started, pool.solves


def eqprop_case(quick: bool = False) -> list[str]:
    split = target_split("sine", 200, seed=0)
    # the same optimiser, steps and start in every mode: only where the gradient comes from differs
    epochs = _epochs(30 if quick else 200)
    epochs = {"surrogate": epochs, "spice-loop": epochs, "eqprop": epochs}
    rows = ["| board | mode | test RMSE (ngspice) | vs surrogate | epochs | seconds | ngspice sample solves |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for board in (None, BOARD):
        surrogate_rmse = None
        for mode in ("surrogate", "spice-loop", "eqprop"):
            config = FitConfig(topology="resistive", hidden=[16], mode=mode, epochs=epochs[mode], lr=0.05,
                               seed=0, board=board, patience=None, pretrain_epochs=300 if quick else 2000)
            result, seconds, solves = _run(split, config)
            rmse = result.report["test_rmse_spice"]
            surrogate_rmse = rmse if mode == "surrogate" else surrogate_rmse
            where = "nominal, 27 C" if board is None else "1 % resistors, 60 C"
            rows.append(f"| {where} | `{mode}` | {rmse:.4f} | {rmse / surrogate_rmse:.2f}x | "
                        f"{result.report['epochs_run'].get('circuit', 0)} | {seconds:.0f} | {solves:,} |")
    rows.append("")
    rows.append("Target: eqprop's test RMSE within 2x of surrogate mode's on the same circuit.")
    return rows


def digits_case(quick: bool = False) -> list[str]:
    data = load_dataset("digits")
    split = stratified_split(data, 0)
    rows = ["| mode | test accuracy (ngspice) | epochs | seconds | ngspice sample solves | target |",
            "| --- | --- | --- | --- | --- | --- |"]
    for mode, target in (("surrogate", 96.0), ("eqprop", 95.0)):
        config = FitConfig(topology="resistive", hidden=[32], mode=mode, task="classify",
                           classes=[int(c) for c in data.classes], seed=0, lr=0.05, batch_size=128,
                           epochs=_epochs(3 if quick else 60), patience=None, pretrain_epochs=300)
        result, seconds, solves = _run(split, config)
        accuracy = 100 * result.report["test_accuracy_spice"]
        rows.append(f"| `{mode}` | {accuracy:.2f} % | {result.report['epochs_run'].get('circuit', 0)} | "
                    f"{seconds:.0f} | {solves:,} | >= {target} % {'met' if accuracy >= target else 'missed'} |")
    return rows


