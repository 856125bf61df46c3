"""Simulating a large sample set in ngspice in chunks spread over an executor, with the
operating-limits check and the static power per sample on the way.

A set of samples is cut into chunks; each chunk is one sample-set netlist (see ``backend``),
simulated by a task on any executor: local threads driving this machine's ngspice workers,
or a Dask cluster, where each worker process drives its own. Each task keeps every node and
sends back only the chunk's outputs and the parts outside their operating limits, so a chunk
of a 784-input circuit costs a few kilobytes on the wire. A chunk whose ngspice worker is
killed is run again on a fresh one (``workers.WorkerPool``), and a Dask task whose worker
dies is rescheduled: a fault costs that chunk, never the set.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...model.circuit import Circuit
from ...model.limits import DEFAULT_LIMITS, OperatingLimits, Violation
from .backend import SpiceBackend, owns_spice_for_call, spice_for_call

# The chunks depend on the sample count only, never on the executor: each chunk's first sample
# starts Newton afresh and the rest from their neighbour, so the same chunks give bit-identical
# outputs on one machine or on any cluster. Eight chunks keep 2-8 workers busy; each chunk
# parses the netlist once (seconds for a large classifier: docs/performance.md), which bounds
# how small they get.
CHUNKS = 8
MIN_CHUNK = 10  # samples per chunk, at least
MAX_CHUNK = 250  # samples per chunk, at most: bounds a task's time and its saved vectors


@dataclass(frozen=True)
class ShardedRun:
    """y: (n, n_outputs) data units; violations: worst first, one per part and quantity;
    power_w: (n,) static power drawn from every source at each sample (per inference), watts;
    seconds: wall time of the whole set; chunks: how many tasks it took; ngspice: the version
    and solver that simulated them (``NgspiceInfo.to_dict``; from the first chunk's worker)."""

    y: np.ndarray
    violations: list[Violation]
    power_w: np.ndarray
    seconds: float
    chunks: int
    ngspice: dict

    @property
    def samples_per_second(self) -> float:
        return len(self.y) / self.seconds if self.seconds > 0 else float("inf")


def chunk_bounds(n: int) -> list[tuple[int, int]]:
    """(start, stop) of each chunk of n samples."""
    size = min(MAX_CHUNK, max(MIN_CHUNK, -(-n // CHUNKS)))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


def simulate_chunk(job) -> tuple[np.ndarray, list[Violation], np.ndarray, dict]:
    """An executor task: (circuit, x of shape (m, n_inputs) data units, temperature in C,
    limits, spice: the caller's SpiceBackend or None) -> (outputs (m, n_outputs), violations,
    power (m,) watts, the ngspice version and solver of the worker that ran it). Module-level
    so it pickles; a backend sent to another process arrives without its pool and uses that
    process's (``SpiceBackend.__getstate__``)."""
    circuit, x, temperature_c, limits, given = job
    with spice_for_call(given) as spice:
        result, found, power = spice.simulate_checked(circuit, x, temperature_c, limits)
        return result.y, found, power, spice.ngspice_info().to_dict()


@owns_spice_for_call
def simulate_sharded(circuit: Circuit, x: np.ndarray, temperature_c: float, executor,
                     progress: Callable[[int, int], None] | None = None,
                     limits: OperatingLimits = DEFAULT_LIMITS, spice: SpiceBackend | None = None) -> ShardedRun:
    """Every row of x simulated in ngspice over ``executor``, with the operating-limits check.

    progress(samples done, total) as chunks finish (e.g. a progress bar counting samples).
    spice: the backend every chunk runs on (default: one made for this call, closed after).
    """
    x = np.asarray(x, dtype=float)
    bounds = chunk_bounds(len(x))
    done = [0]

    def finished(index: int) -> None:
        start, stop = bounds[index]
        done[0] += stop - start
        if progress is not None:
            progress(done[0], len(x))

    started = time.monotonic()
    results = executor.map(simulate_chunk, [(circuit, x[a:b], temperature_c, limits, spice) for a, b in bounds],
                           on_done=finished)
    seconds = time.monotonic() - started
    return ShardedRun(np.vstack([y for y, _, _, _ in results]),
                      worst_per_part([v for _, found, _, _ in results for v in found]),
                      np.concatenate([power for _, _, power, _ in results]), seconds, len(bounds), results[0][3])


def worst_per_part(found: list[Violation]) -> list[Violation]:
    """One violation per (part, quantity): the worst over every chunk, worst first."""
    worst: dict[tuple[str, str], Violation] = {}
    for violation in found:
        key = (violation.element, violation.quantity)
        if key not in worst or abs(violation.value) > abs(worst[key].value):
            worst[key] = violation
    return sorted(worst.values(), key=lambda v: -abs(v.value / v.limit) if v.limit else -np.inf)
