"""KLU against Sparse over circuit sizes: where ``auto``'s crossover (``KLU_FROM_ELEMENTS``) comes from.

Each case is one netlist the SPICE backend writes (a 1,000-point sweep of a 1-W-1 network, or
a sample set of an n-W-m diode network), run on two one-worker pools, one asked for KLU and one
for Sparse, in turns. What is compared is the worker's CPU time per run (its utime + stime from
/proc over a batch of runs, so that the other jobs of a shared machine, which stretch wall time,
count for little), median over the rounds. The table gives each netlist's element lines (the
size ``solver.solver_for`` reads), its nodes, and Sparse's time over KLU's: above 1 KLU is faster.
"""

from __future__ import annotations

import math
import os
import statistics
import time
from pathlib import Path

import numpy as np

from circuitnet import Sweep, realise
from circuitnet.backends.spice.backend import samples_netlist, sweep_netlist
from circuitnet.backends.spice.solver import KLU_FROM_ELEMENTS, netlist_elements
from circuitnet.backends.spice.workers import WorkerPool

from .spice_cases import network

_TICKS = os.sysconf("SC_CLK_TCK")
BATCH_S = 0.6  # CPU per batch: /proc counts in ticks of 10 ms, so a batch is many ticks long
SWEEP_WIDTHS = (4, 16, 32, 64, 128, 192, 256)
SAMPLE_SHAPES = ((2, 16, 1, 200), (4, 32, 2, 200), (8, 32, 4, 200), (16, 32, 4, 200), (2, 128, 1, 200), (8, 64, 4, 200), (16, 64, 10, 200),
                 (64, 64, 10, 100), (196, 100, 10, 40), (784, 100, 10, 10))  # inputs, hidden, outputs, samples


def worker_cpu_s(pid: int) -> float:
    """The CPU seconds (user + system) process ``pid`` has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def random_diode_circuit(rng: np.random.Generator, sizes: tuple[int, int, int]):
    """A diode circuit of an n-W-m network with weights of magnitude 0.2-2 and random signs."""
    from circuitnet import ReLUNet
    n, width, m = sizes
    layers = [(rng.uniform(0.2, 2.0, (o, i)) * rng.choice([-1.0, 1.0], (o, i)),
               rng.uniform(0.05, 1.0, o) * rng.choice([-1.0, 1.0], o)) for i, o in ((n, width), (width, m))]
    return realise(ReLUNet.from_arrays(layers), "diode")


def netlists() -> list[tuple[str, str]]:
    """(name, netlist) of every case, smallest first within each kind."""
    found = [(f"sweep, diode 1-{w}-1, 1,000 points", sweep_netlist(realise(network(1, w), "diode"),
                                                                    Sweep(-1, 1, 1000)))
             for w in SWEEP_WIDTHS]
    rng = np.random.default_rng(0)
    for n, width, m, samples in SAMPLE_SHAPES:
        circuit = random_diode_circuit(rng, (n, width, m))
        found.append((f"sample set, diode {n}-{width}-{m}, {samples} samples",
                      samples_netlist(circuit, rng.uniform(-1, 1, (samples, n)))))
    return found


def cpu_per_run(pool: WorkerPool, netlist: str, runs: int) -> float:
    """The worker's CPU seconds per run of ``netlist``, over ``runs`` runs."""
    pid = pool.workers[0].pid
    assert pid is not None  # started by the warm-up run
    start = worker_cpu_s(pid)
    for _ in range(runs):
        pool.run(netlist)
    return (worker_cpu_s(pid) - start) / runs


def size_case(rounds: int = 3) -> list[str]:
    """The table: one row per netlist, KLU and Sparse CPU per run and their ratio."""
    rows = ["| netlist | elements | nodes | KLU, worker CPU per run (ms) | Sparse (ms) | Sparse / KLU | auto's choice |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    with WorkerPool(workers=1, solver="klu") as klu, WorkerPool(workers=1, solver="sparse") as sparse:
        for name, netlist in netlists():
            began = time.perf_counter()
            times: dict[str, list[float]] = {"klu": [], "sparse": []}
            warm = time.perf_counter()
            sparse.run(netlist)
            klu.run(netlist)
            runs = max(1, math.ceil(BATCH_S / max(time.perf_counter() - warm, 1e-3) * 2))
            for _ in range(rounds):
                for label, pool in (("klu", klu), ("sparse", sparse)):
                    times[label].append(cpu_per_run(pool, netlist, runs))
            fast, slow = (statistics.median(times[k]) for k in ("klu", "sparse"))
            elements = netlist_elements(netlist)
            rows.append(f"| {name} | {elements:,} | {node_count(netlist):,} | {fast * 1e3:.1f} | {slow * 1e3:.1f} | "
                        f"{slow / fast:.2f} | {'KLU' if elements >= KLU_FROM_ELEMENTS else 'Sparse'} |")
            print(rows[-1], f"({time.perf_counter() - began:.0f} s)", flush=True)
    return rows


def node_count(netlist: str) -> int:
    """The distinct nodes the netlist's two-terminal elements and sources connect (its E lines'
    four), for the table: a rough matrix size."""
    nodes: set[str] = set()
    for line in netlist.split("\n"):
        if line[:1].isalpha():
            fields = line.split(maxsplit=5)
            nodes.update(fields[1:5] if line[0] in "EeGg" else fields[1:3])
    return len(nodes - {"0"})


def size_suite(quick: bool = False) -> list[tuple[str, list[str]]]:
    return [("Solver: KLU against Sparse over circuit sizes, worker CPU per run (auto's crossover)",
             size_case(1 if quick else 3))]
