"""Benchmarks of compare (issue: simulated vs ideal): Monte Carlo throughput and memory.

1,000 boards of a 16-neuron network (resistors within +-1 %), each a 201-point sweep,
streamed through ``analysis.montecarlo.monte_carlo`` as ``circuitnet compare`` runs them,
with 1 and then 2 local workers in the same run, and this process's peak RSS growth for
100 against 1,000 boards (the boards are streamed, so it should not grow with the count).
Targets: <= 60 s on 2 cores; 2 workers >= 1.7x faster than 1.
"""

from __future__ import annotations

import resource
import time

from circuitnet import Sweep, realise
from circuitnet.analysis.montecarlo import monte_carlo
from circuitnet.backends.ideal import IdealBackend
from circuitnet.util.executor import LocalExecutor

from .spice_cases import network


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def montecarlo_case(instances: int) -> list[str]:
    circuit = realise(network(1, 16), "diode")
    x = Sweep(-1.0, 1.0, 201).inputs(circuit.n_inputs)
    ideal_y = IdealBackend().simulate(circuit, x).y

    def run(count, workers):
        return monte_carlo(circuit, x, ideal_y, count, 0.01, 0, 0.0, LocalExecutor(workers))

    run(50, 2)  # start the ngspice workers
    before = _peak_rss_mb()
    run(instances // 10, 2)
    small = _peak_rss_mb() - before
    rows = ["| boards | neurons | points | 1 worker (s) | 2 workers (s) | speed-up | peak RSS growth: 1/10 the boards, "
            "then all (MB) | targets |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    seconds = {}
    for workers in (1, 2):
        started = time.monotonic()
        run(instances, workers)
        seconds[workers] = time.monotonic() - started
    large = _peak_rss_mb() - before
    rows.append(f"| {instances} | 16 | 201 | {seconds[1]:.1f} | {seconds[2]:.1f} | {seconds[1] / seconds[2]:.2f}x | "
                f"{small:.1f}, {large:.1f} | <= 60 s; >= 1.7x |")
    print(rows[-1], flush=True)
    return rows
