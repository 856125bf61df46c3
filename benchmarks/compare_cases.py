"""Benchmarks of compare (issue: simulated vs ideal): Monte Carlo throughput.

1,000 boards of a 16-neuron network (resistors within +-1 %), each a 201-point sweep,
with 1 and then 2 local workers in the same run. Targets: <= 60 s on 2 cores; 2 workers
>= 1.7x faster than 1.
"""

from __future__ import annotations

import time

from circuitnet import Sweep, realise
from circuitnet.analysis.compare import MC_BATCH, monte_carlo_instances
from circuitnet.backends.spice.backend import simulate_circuits
from circuitnet.util.executor import LocalExecutor

from .spice_cases import network


def montecarlo_case(instances: int) -> list[str]:
    circuit = realise(network(1, 16), "diode")
    x = Sweep(-1.0, 1.0, 201).inputs(circuit.n_inputs)
    boards = monte_carlo_instances(circuit, instances, 0.01, seed=0)
    batches = [(boards[i:i + MC_BATCH], x, 27.0) for i in range(0, len(boards), MC_BATCH)]
    LocalExecutor(2).map(simulate_circuits, batches[:2])  # start the ngspice workers
    rows = ["| boards | neurons | points | 1 worker (s) | 2 workers (s) | speed-up | targets |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    seconds = {}
    for workers in (1, 2):
        started = time.monotonic()
        LocalExecutor(workers).map(simulate_circuits, batches)
        seconds[workers] = time.monotonic() - started
    rows.append(f"| {instances} | 16 | 201 | {seconds[1]:.1f} | {seconds[2]:.1f} | {seconds[1] / seconds[2]:.2f}x | "
                f"<= 60 s; >= 1.7x |")
    print(rows[-1], flush=True)
    return rows
