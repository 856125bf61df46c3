"""Benchmarks of the SPICE layer (issue: in-process ngspice).

- sweep: a 1,000-point ``.dc`` of 8-, 32- and 128-neuron networks, in-process (a warm
  worker) against stock ``ngspice -b`` on the same exported netlist; the ratio is measured
  in the same run. Target: <= 1.2 at 32 neurons.
- memory: 10,000 consecutive small simulations; the worker's and this process's RSS
  before and after. Target: growth <= 20 MB.
- samples: 2-input sample sets on a 16-neuron network, points per second. Target >= 5,000.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from circuitnet import ReLUNet, Sweep, netlist_text, realise
from circuitnet.backends.spice.backend import SpiceBackend, sweep_netlist
from circuitnet.backends.spice.workers import WorkerPool


def network(n_inputs: int, width: int, seed: int = 0) -> ReLUNet:
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.3, 1.5, (width, n_inputs)) * rng.choice([-1, 1], (width, n_inputs))
    b = rng.uniform(0.05, 0.8, width) * rng.choice([-1, 1], width)
    out = rng.uniform(0.2, 1.0, (1, width)) * rng.choice([-1, 1], (1, width))
    return ReLUNet.from_arrays([(w, b), (out / np.sqrt(width), [0.1])])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def sweep_case(repeats: int) -> list[str]:
    rows = ["| neurons | points | in-process (ms) | ngspice -b (ms) | ratio in-process / -b | target |",
            "| --- | --- | --- | --- | --- | --- |"]
    sweep = Sweep(-1.0, 1.0, 1000)
    with WorkerPool(workers=1) as pool, tempfile.TemporaryDirectory() as folder:
        backend = SpiceBackend(pool)
        for width in (8, 32, 128):
            circuit = realise(network(1, width), "diode")
            backend.sweep(circuit, sweep)  # warm the worker
            inside = median_seconds(lambda: backend.sweep(circuit, sweep), repeats)
            path = Path(folder, f"n{width}.cir")
            path.write_text(netlist_text(circuit, sweep=sweep, data_file=f"n{width}.dat"))
            env = dict(os.environ, HOME=folder)
            batch = median_seconds(lambda: subprocess.run(["ngspice", "-b", path.name], cwd=folder, env=env,
                                                          capture_output=True, check=True), repeats)
            target = "<= 1.2" if width == 32 else ""
            rows.append(f"| {width} | 1000 | {inside * 1e3:.1f} | {batch * 1e3:.1f} | {inside / batch:.2f} | {target} |")
            print(rows[-1], flush=True)
    return rows


def memory_case(runs: int) -> list[str]:
    """RSS of one worker over ``runs`` simulations (recycling off, to see libngspice itself),
    and the largest worker RSS seen with the default recycling over the same runs."""
    circuit = realise(network(1, 8), "diode")
    netlist = sweep_netlist(circuit, Sweep(-1.0, 1.0, 11))
    rows = ["| simulations | worker recycling | worker RSS first -> last (MB) | growth (MB) | "
            "this process RSS growth (MB) | per simulation (ms) | target |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    for recycle in (False, True):
        with WorkerPool(workers=1) as pool:
            worker = pool.workers[0]
            if not recycle:
                worker.max_runs = runs + 1
            pool.run(netlist)
            first, own_before, largest = rss_mb(worker.pid), rss_mb(os.getpid()), 0.0
            start = time.perf_counter()
            for i in range(runs):
                pool.run(netlist)
                if i % 500 == 0:
                    largest = max(largest, rss_mb(worker.pid))
            seconds = time.perf_counter() - start
            last, own_after = rss_mb(worker.pid), rss_mb(os.getpid())
        largest = max(largest, last)
        label = f"every {worker.max_runs} runs" if recycle else "off"
        rows.append(f"| {runs} (8 neurons, 11 points) | {label} | {first:.1f} -> {last:.1f} (peak {largest:.1f}) | "
                    f"{largest - first:.1f} | {own_after - own_before:.1f} | {seconds / runs * 1e3:.2f} | <= 20 MB |")
        print(rows[-1], flush=True)
    return rows


def samples_case(repeats: int) -> list[str]:
    rows = ["| inputs | neurons | samples per set | points/s | target |", "| --- | --- | --- | --- | --- |"]
    circuit = realise(network(2, 16), "diode")
    x = np.random.default_rng(1).uniform(-1, 1, (10_000, 2))
    with WorkerPool(workers=1) as pool:
        backend = SpiceBackend(pool)
        backend.simulate(circuit, x[:100])
        seconds = median_seconds(lambda: backend.simulate(circuit, x), repeats)
    rows.append(f"| 2 | 16 | {len(x)} | {len(x) / seconds:,.0f} | >= 5,000 |")
    print(rows[-1], flush=True)
    return rows
