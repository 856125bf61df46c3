"""Benchmarks of the surrogate (issue: differentiable NumPy surrogate).

- agreement: max |surrogate - ngspice| over the outputs and every reported internal node,
  for every model in netlists/ (201-point sweeps) and for generated networks (1-3 inputs,
  1-32 neurons, 1-2 hidden layers, 200 random samples) at 0, 27 and 70 C. Test bound
  10 uV; goal 1 uV.
- speed: a 32-neuron network at 1,000 points: surrogate forward, forward + full gradient,
  and one in-process ngspice sweep of the same circuit, all in this run; the surrogate both
  with keep_freed_memory (as the circuitnet command runs it) and with glibc's defaults (as a
  library caller gets it), each in a fresh process. Targets: forward + gradient >= 20x
  faster than the sweep; gradient <= 3x the forward pass.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from circuitnet import TOPOLOGIES, RealisationError, ReLUNet, Sweep, keep_freed_memory, load_model, realise
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.backends.surrogate import SurrogateBackend

from .spice_cases import median_seconds, network

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def _difference(a, b) -> float:
    return max([float(np.max(np.abs(a.y_volts - b.y_volts)))]
               + [float(np.max(np.abs(a.nodes[k] - b.nodes[k]))) for k in a.nodes])


def _generated(topology: str, rng: np.random.Generator) -> ReLUNet:
    deepest = min(TOPOLOGIES[topology].max_hidden_layers or 2, 2)
    hidden = [int(rng.integers(1, 33)) for _ in range(int(rng.integers(1, deepest + 1)))]
    n_inputs = int(rng.integers(1, 4))
    sizes = [n_inputs, *hidden, 1]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers.append((rng.uniform(0.2, 2, (n_out, n_in)) * rng.choice([-1, 1], (n_out, n_in)),
                       rng.uniform(0.05, 1, n_out) * rng.choice([-1, 1], n_out)))
    return ReLUNet.from_arrays(layers)


def agreement_case(networks_per_topology: int) -> list[str]:
    surrogate = SurrogateBackend()
    rows = ["| circuits | temperatures | worst max abs difference (uV) | median (uV) | test bound |",
            "| --- | --- | --- | --- | --- |"]
    with WorkerPool(workers=2) as pool:
        spice = SpiceBackend(pool)
        canonical = []
        for path in sorted(NETLISTS.glob("*.json")):
            circuit = load_model(path)
            x = np.zeros((201, circuit.n_inputs))
            x[:, 0] = np.linspace(-1, 1, 201)
            canonical += [_difference(spice.simulate(circuit, x, t), surrogate.simulate(circuit, x, t))
                          for t in (0.0, 27.0, 70.0)]
        rows.append(f"| every model in netlists/ ({len(canonical) // 3}) | 0, 27, 70 C | "
                    f"{max(canonical) * 1e6:.3f} | {np.median(canonical) * 1e6:.4f} | 10 |")
        print(rows[-1], flush=True)
        rng = np.random.default_rng(2026)
        for topology in TOPOLOGIES:
            found, made = [], 0
            while made < networks_per_topology:
                try:
                    circuit = realise(_generated(topology, rng), topology)
                except RealisationError:
                    continue
                made += 1
                x = rng.uniform(-1, 1, (200, circuit.n_inputs))
                found += [_difference(spice.simulate(circuit, x, t), surrogate.simulate(circuit, x, t))
                          for t in (0.0, 27.0, 70.0)]
            rows.append(f"| {made} generated `{topology}` networks | 0, 27, 70 C | {max(found) * 1e6:.3f} | "
                        f"{np.median(found) * 1e6:.4f} | 10 |")
            print(rows[-1], flush=True)
    return rows


def _surrogate_seconds(job) -> tuple[float, float]:
    """(forward, forward + gradient) median seconds of one topology's 32-neuron circuit at 1,000
    points, in a fresh process that opts into keep_freed_memory or not."""
    topology, repeats, keep_memory = job
    if keep_memory:
        keep_freed_memory()
    surrogate = SurrogateBackend()
    circuit = realise(network(1, 32), topology)
    x = np.linspace(-1, 1, 1000)[:, None]
    y_bar = np.ones((1000, 1))
    return (median_seconds(lambda: surrogate.simulate(circuit, x), repeats),
            median_seconds(lambda: surrogate.vjp(circuit, x, y_bar), repeats))


def speed_case(repeats: int) -> list[str]:
    """The surrogate with glibc's default allocator (a library caller's) and with
    keep_freed_memory (the circuitnet command's), each in its own fresh process."""
    sweep = Sweep(-1.0, 1.0, 1000)
    rows = ["| topology | ngspice sweep (ms) | forward (ms) | forward + gradient (ms) | "
            "sweep / (forward + gradient) | gradient pass / forward | default allocator: forward + gradient (ms), "
            "sweep / it | targets |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    spawn = multiprocessing.get_context("spawn")
    with WorkerPool(workers=1) as pool, ProcessPoolExecutor(1, mp_context=spawn) as kept, \
            ProcessPoolExecutor(1, mp_context=spawn) as default:
        spice = SpiceBackend(pool)
        for topology in TOPOLOGIES:
            circuit = realise(network(1, 32), topology)
            spice.sweep(circuit, sweep)
            t_spice = median_seconds(lambda: spice.sweep(circuit, sweep), repeats)
            t_forward, t_both = kept.submit(_surrogate_seconds, (topology, repeats, True)).result()
            _, t_default = default.submit(_surrogate_seconds, (topology, repeats, False)).result()
            rows.append(f"| {topology} | {t_spice * 1e3:.1f} | {t_forward * 1e3:.2f} | {t_both * 1e3:.2f} | "
                        f"{t_spice / t_both:.1f}x | {(t_both - t_forward) / t_forward:.2f} | "
                        f"{t_default * 1e3:.2f}, {t_spice / t_default:.1f}x | >= 20x; <= 3 |")
            print(rows[-1], flush=True)
    return rows
