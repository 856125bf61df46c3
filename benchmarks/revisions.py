"""Two checkouts of circuitnet, timed in turns in one run: did a change make anything slower?

    python -m benchmarks.revisions BEFORE_DIR AFTER_DIR [--rounds 3]

Each round runs every case once in the BEFORE checkout and once in the AFTER one, each in a
fresh process (with PYTHONPATH set to its checkout, so its own ngspice workers start too), so
the two see the same machine load. Cases: building the sweep and sample-set netlists of a
128-neuron circuit; an in-process ngspice sweep at 8, 32 and 128 neurons; the surrogate's
forward + gradient at 32 neurons x 1,000 points; a surrogate-mode fit of sin(pi x) (16
neurons, precision). Module paths of older layouts are tried where the current one is missing.

The sweeps are also given in CPU time, this process's and its worker's (from /proc), averaged
over the runs: on a machine shared with other jobs the wall times of the two checkouts can
differ by several times between rounds, their CPU times much less. ``--sweeps-only`` leaves
out the netlist writers, the surrogate and the fit (a quicker check of the ngspice path).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

CASES = r'''
import importlib, statistics, sys, time
import numpy as np

import os
import circuitnet as cn
HOME = os.path.dirname(cn.__file__)

def first(*names):
    """The first of these modules that this checkout has (an editable install of another
    checkout may offer the others)."""
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if module.__file__.startswith(HOME):
            return module
    raise ImportError(names)

spice_backend = first("circuitnet.backends.spice.backend", "circuitnet.spice.backend")
workers = first("circuitnet.backends.spice.workers", "circuitnet.spice.workers")
surrogate = first("circuitnet.backends.surrogate", "circuitnet.surrogate.model")
config = first("circuitnet.training.config", "circuitnet.training.fit")
run = first("circuitnet.training.run", "circuitnet.training.fit")
data = first("circuitnet.training.data", "circuitnet.data")
if hasattr(cn, "keep_freed_memory"):
    cn.keep_freed_memory()  # older layouts did this inside SurrogateBackend
from benchmarks.spice_cases import network

def median_ms(action, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter(); action(); times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3

def worker_cpu_s(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def mean_cpu_ms(action, repeats, pid):
    """CPU of this process and the worker ``pid`` per run, over ``repeats`` runs."""
    start, worker = time.process_time(), worker_cpu_s(pid)
    for _ in range(repeats):
        action()
    return ((time.process_time() - start) + (worker_cpu_s(pid) - worker)) / repeats * 1e3

found = {}
big = cn.realise(network(1, 128), "diode")
x = np.linspace(-1, 1, 1000)[:, None]
SWEEPS_ONLY = os.environ.get("REVISIONS_SWEEPS_ONLY") == "1"
if not SWEEPS_ONLY:
    found["sweep netlist, 128 neurons (ms)"] = median_ms(lambda: spice_backend.sweep_netlist(big, cn.Sweep(-1, 1, 1000)), 20)
    found["sample-set netlist, 128 neurons (ms)"] = median_ms(lambda: spice_backend.samples_netlist(big, x), 5)
with workers.WorkerPool(workers=1) as pool:
    spice = spice_backend.SpiceBackend(pool)
    for width in (8, 32, 128):
        circuit = cn.realise(network(1, width), "diode")
        spice.sweep(circuit, cn.Sweep(-1, 1, 1000))
        found[f"in-process sweep, {width} neurons (ms)"] = median_ms(lambda: spice.sweep(circuit, cn.Sweep(-1, 1, 1000)), 9)
        found[f"in-process sweep, {width} neurons, CPU with the worker's (ms)"] = mean_cpu_ms(
            lambda: spice.sweep(circuit, cn.Sweep(-1, 1, 1000)), 18, pool.workers[0].pid)
if SWEEPS_ONLY:
    print(repr(found)); sys.exit(0)
backend = surrogate.SurrogateBackend()
for topology in ("passive", "diode", "precision"):
    circuit = cn.realise(network(1, 32), topology)
    found[f"surrogate forward + gradient, {topology} (ms)"] = median_ms(lambda: backend.vjp(circuit, x, np.ones((1000, 1))), 30)
split = data.target_split("sine", 500, seed=0)
start = time.perf_counter()
run.fit(split, config.FitConfig(topology="precision", hidden=[16], seed=0, mode="surrogate"))
found["fit sin(pi x), precision, surrogate (s)"] = time.perf_counter() - start
print(repr(found))
'''


def measure(checkout: str, sweeps_only: bool = False) -> dict:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(checkout), REVISIONS_SWEEPS_ONLY="1" if sweeps_only else "0")
    done = subprocess.run([sys.executable, "-c", CASES], cwd=checkout, env=env, capture_output=True, text=True,
                          timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: the cases failed:\n{done.stderr[-3000:]}")
    return eval(done.stdout.strip().splitlines()[-1], {})  # our own dict of floats, printed by CASES


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.revisions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("before", help="checkout of the earlier revision")
    parser.add_argument("after", help="checkout of the later revision")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of before, after")
    parser.add_argument("--sweeps-only", action="store_true", help="only the in-process ngspice sweeps")
    args = parser.parse_args()
    rounds = []
    for index in range(args.rounds):
        rounds.append((measure(args.before, args.sweeps_only), measure(args.after, args.sweeps_only)))
        print(f"round {index + 1} of {args.rounds} done", file=sys.stderr, flush=True)
    print("| case | before, each round | after, each round |")
    print("| --- | --- | --- |")
    for case in rounds[0][0]:
        before = " / ".join(f"{r[0][case]:.2f}" for r in rounds)
        after = " / ".join(f"{r[1][case]:.2f}" for r in rounds)
        print(f"| {case} | {before} | {after} |")


if __name__ == "__main__":
    main()
