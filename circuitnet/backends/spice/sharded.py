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
# outputs on one machine or on any cluster. Their size comes from what a chunk costs: a fixed
# part (writing its inputs, ngspice's parse and load of the netlist, the first sample's Newton
# from scratch, the read-back and the limits check: about 1 s for the 784-100-10 classifier)
# and about 0.05 s per sample per worker (docs/performance.md, "A chunk's time"). From
# EFFICIENT_CHUNK samples on, the fixed part is at most a fifth of a chunk's time, so a set is
# cut into as few chunks of at least that as it takes, in an even number (2 workers, the usual
# machine, finish together), at most CHUNKS of them, each at most MAX_CHUNK long.
EFFICIENT_CHUNK = 90  # samples per chunk from which the fixed cost is at most a fifth
MIN_CHUNK = 10  # samples per chunk, at least: a set shorter than two of them is one chunk
CHUNKS = 8  # chunks a set of up to CHUNKS * MAX_CHUNK samples is cut into, at most
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
    """(start, stop) of each chunk of n samples: as few as the costs make worthwhile (see
    EFFICIENT_CHUNK), an even number of them from 2 * MIN_CHUNK samples on, contiguous, in order."""
    if n < 2 * MIN_CHUNK:
        return [(0, n)] if n else []
    count = min(CHUNKS, max(2, 2 * (n // (2 * EFFICIENT_CHUNK))))
    count = max(count, 2 * -(-n // (2 * MAX_CHUNK)))  # no chunk longer than MAX_CHUNK
    edges = [n * k // count for k in range(count + 1)]  # sizes differ by one at most
    return list(zip(edges[:-1], edges[1:], strict=True))


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
