"""Benchmarks of ngspice's solver, Newton iterations and the command line's start-up (issue #19).

- solver: the digits28 test split (784-100-10 diode circuit, trained as the digits28 suite
  trains it) in ngspice on 2 workers, in one run: Sparse 1.3 in the caller's order in 8
  chunks (the path before issue #19), KLU in neighbour order of the inputs in 8 chunks (the
  default before the chunks were sized from their costs), and the same in the chunks
  ``sharded.chunk_bounds`` cuts now (2 for the 359 samples). Every row writes its netlists
  from the circuit's template (``sample_set``), so the 8-chunk rows are faster than they were
  before it. Samples per second, the ratio to the first, the largest output difference from
  it and from the default before (volts) and the class changes. Target: >= 4x the samples
  per second, the same outputs.
- iterations: Newton iterations per sample and where the analysis time goes (ngspice's
  ``rusage``), stock ``ngspice -b`` on the first chunk of each design (its first 45 or 179
  test samples).
- large: 10,000 samples of that circuit (the digits shifted by up to one pixel each way, drawn
  with seed 0) on 2 local workers and on a Dask LocalCluster of two workers. Target: <= 7 min
  on 2 cores.
- startup: ``circuitnet --help`` and ``circuitnet simulate netlists/eight_diode.json --x
  -1:1:5`` against ``python -c pass`` (medians of 5, interleaved; wall and CPU time), the
  simulation's own time measured inside a fresh process. Target: each within 0.3 s of Python
  plus the simulation.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from circuitnet import load_model
from circuitnet.backends.result import circuit_inputs
from circuitnet.backends.spice.backend import SpiceBackend, samples_netlist
from circuitnet.backends.spice.ordering import inverse, neighbour_order
from circuitnet.backends.spice.sharded import chunk_bounds, simulate_sharded
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.training.classes import load_dataset, stratified_split

from .classify_cases import _classifier

ROOT = Path(__file__).resolve().parent.parent


def eight_chunks(n: int) -> list[tuple[int, int]]:
    """The chunks before they were sized from their costs: 8, of 10 to 250 samples each."""
    size = min(250, max(10, -(-n // 8)))
    return [(start, min(start + size, n)) for start in range(0, n, size)]


# (title, solver, order of each chunk's samples: see chunk_order, how the set is cut into chunks)
DESIGNS = (("Sparse 1.3, caller's order, 8 chunks (before #19)", "sparse", "caller", eight_chunks),
           ("KLU, neighbour order, 8 chunks (the default before)", "klu", "inputs", eight_chunks),
           ("KLU, neighbour order, chunks from their costs (now)", "klu", "inputs", chunk_bounds))
BEFORE = 1  # the row of DESIGNS that was the default before the chunks were sized from their costs
RUSAGE = {"iterations": "Total iterations", "analysis": r"Total analysis time \(seconds\)",
          "load": "Matrix load time", "factor": "Matrix factor time", "solve": "Matrix solve time",
          "parse": "Netlist parsing time", "loading": "Netlist loading time"}


def chunk_order(circuit, x: np.ndarray, order: str) -> np.ndarray:
    """The order (indices into x, data units) in which a chunk's samples are simulated:
    "caller" as given; "inputs" the backend's default (``ordering.neighbour_order`` of the
    circuit's inputs); "hidden" the neighbour order of the first hidden stage's summer outputs
    as the surrogate predicts them, (n, width) volts: neighbours there share most diode states."""
    if order == "caller":
        return np.arange(len(x))
    if order == "inputs":
        return neighbour_order(circuit_inputs(circuit, x))
    from circuitnet.backends.surrogate import SurrogateBackend
    from circuitnet.model import nodes
    predicted = SurrogateBackend().simulate(circuit, x).nodes
    summed = np.column_stack([predicted[nodes.neuron(0, unit, "a")] for unit in range(circuit.stages[0].n_out)])
    return neighbour_order(summed)


def sharded_outputs(circuit, x: np.ndarray, solver: str, order: str, bounds=chunk_bounds,
                    workers: int = 2) -> tuple[np.ndarray, float]:
    """The outputs of x in the chunks ``bounds(n)`` cuts (default: those ``simulate_sharded``
    uses), each chunk simulated in ``order`` (``chunk_order``), on a fresh pool of ``workers``
    with this solver, and the seconds it took (workers started and the circuit's template
    built beforehand; the ordering is timed too)."""
    with WorkerPool(workers=workers, solver=solver, timeout_s=3600) as pool:  # Sparse on a busy machine is slow
        backend = SpiceBackend(pool, order_samples=False)
        backend.simulate(circuit, x[:2])  # start the workers
        for worker in pool.workers:
            worker.ensure_started()

        def chunk(bounds):
            part = x[bounds[0]:bounds[1]]
            walk = chunk_order(circuit, part, order)
            return backend.simulate_checked(circuit, part[walk])[0].y[inverse(walk)]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as threads:
            parts = list(threads.map(chunk, bounds(len(x))))
        return np.vstack(parts), time.monotonic() - started


def rusage(circuit, x: np.ndarray, solver: str, order: str) -> dict[str, float]:
    """ngspice -b's rusage figures for one sample-set netlist of x (data units), its samples
    in ``order`` (``chunk_order``)."""
    x = x[chunk_order(circuit, x, order)]
    text = samples_netlist(circuit, circuit_inputs(circuit, x), 27.0).rstrip("\n").split("\n")[:-1]
    text += [f".options {solver}", ".control", "run", "rusage everything", "quit 0", ".endc", ".end"]
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "c.cir").write_text("\n".join(text) + "\n")
        started = time.monotonic()
        done = subprocess.run(["ngspice", "-b", "-n", "c.cir"], cwd=folder, capture_output=True, text=True,
                              env=dict(os.environ, HOME=folder), timeout=600)
        wall = time.monotonic() - started
    found = {"wall": wall}
    for key, label in RUSAGE.items():
        match = re.search(label + r"\s*=\s*([0-9.eE+-]+)", done.stdout + done.stderr)
        found[key] = float(match.group(1)) if match else float("nan")
    return found


def solver_case(circuit, x: np.ndarray) -> list[str]:
    rows = ["| design | test samples | chunks | samples/s (2 workers) | ratio to Sparse | max abs output difference "
            "from Sparse (V) | from the default before (V) | class changes | target |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    outputs, base = [], None
    for index, (title, solver, order, bounds) in enumerate(DESIGNS):
        y, seconds = sharded_outputs(circuit, x, solver, order, bounds)
        outputs.append(y)
        rate = len(x) / seconds
        base = base or rate
        volts = [f"{float(np.max(np.abs(y - outputs[k]))) * circuit.volts_per_unit:.2e}" if k < len(outputs) else ""
                 for k in (0, BEFORE)]
        changes = int(np.sum(np.argmax(y, axis=1) != np.argmax(outputs[0], axis=1)))
        rows.append(f"| {title} | {len(x)} | {len(bounds(len(x)))} | {rate:.2f} | {rate / base:.2f}x | {volts[0]} | "
                    f"{volts[1] if index >= BEFORE else ''} | {changes} | >= 4x, 0 changes |")
        print(rows[-1], flush=True)
    return rows


def iterations_case(circuit, x: np.ndarray) -> list[str]:
    rows = ["| design | samples | Newton iterations per sample | analysis (s) | matrix load / factor / solve (s) | "
            "netlist parse + load (s) | ngspice -b wall (s) |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for title, solver, order, bounds in DESIGNS:
        start, stop = bounds(len(x))[0]
        r = rusage(circuit, x[start:stop], solver, order)
        rows.append(f"| {title} | {stop - start} | {r['iterations'] / (stop - start):.2f} | {r['analysis']:.2f} | "
                    f"{r['load']:.2f} / {r['factor']:.2f} / {r['solve']:.2f} | {r['parse'] + r['loading']:.2f} | "
                    f"{r['wall']:.2f} |")
        print(rows[-1], flush=True)
    return rows


def shifted_digits(n: int = 10_000, seed: int = 0) -> np.ndarray:
    """n digits28 images, each shifted by -1, 0 or 1 pixel in each direction (zero fill),
    drawn with ``seed``: shape (n, 784)."""
    images = load_dataset("digits28").x.reshape(-1, 28, 28)
    rng = np.random.default_rng(seed)
    picks, shifts = rng.integers(0, len(images), n), rng.integers(-1, 2, (n, 2))
    out = np.zeros((n, 28, 28))
    for k, (index, (dy, dx)) in enumerate(zip(picks, shifts)):
        shifted = np.roll(images[index], (dy, dx), axis=(0, 1))
        if dy:
            shifted[(0 if dy > 0 else -1), :] = 0.0
        if dx:
            shifted[:, (0 if dx > 0 else -1)] = 0.0
        out[k] = shifted
    return out.reshape(n, -1)


def large_case(circuit, n: int = 10_000) -> list[str]:
    from distributed import Client, LocalCluster

    from circuitnet.util.executor import DaskExecutor, LocalExecutor
    x = shifted_digits(n)
    simulate_sharded(circuit, x[:20], 27.0, LocalExecutor(2))  # start the ngspice workers
    local = simulate_sharded(circuit, x, 27.0, LocalExecutor(2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = simulate_sharded(circuit, x, 27.0, DaskExecutor(client))
    same = bool(np.array_equal(local.y, remote.y))
    rows = ["| circuit | samples | chunks | 2 local workers (s) | samples/s | Dask LocalCluster, 2 workers (s) | "
            "identical outputs | target |", "| --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| 784-100-10 diode, digits28 shifted by <= 1 pixel | {n} | {local.chunks} | {local.seconds:.0f} | "
            f"{local.samples_per_second:.1f} | {remote.seconds:.0f} | {'yes' if same else 'NO'} | <= 420 s |"]
    print(rows[-1], flush=True)
    return rows


# The simulate command's ngspice work, timed inside a fresh process after its imports.
_SIMULATION = """
import time
from circuitnet.backends.registry import simulate_sweep
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.formats.modelfile import load
from circuitnet.model.sweep import parse_sweep
circuit = load({model!r})
started, cpu = time.perf_counter(), time.process_time()
result = simulate_sweep(circuit, parse_sweep("-1:1:5"), backend="spice")
SpiceBackend().violations(circuit, result.x)
print(time.perf_counter() - started, cpu)
"""


def _timed(command: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process itself, stdout) of one run of ``command``."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT,
                               text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError(f"{command} failed (status {status})")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime, output


def startup_case(repeats: int = 5) -> list[str]:
    """Medians of interleaved runs, wall and CPU: on a shared machine the CPU time of the
    command's own process is the figure a busy neighbour does not inflate. Bytecode is cached
    (in a temporary folder) as an installed package's would be; a first run fills the cache.
    A process's CPU time includes its ngspice workers' (waited-for children)."""
    python, model = sys.executable, str(ROOT / "netlists" / "eight_diode.json")
    commands = {"python -c pass": [python, "-c", "pass"],
                "circuitnet --help": [python, "-m", "circuitnet", "--help"],
                "circuitnet simulate netlists/eight_diode.json --x -1:1:5":
                    [python, "-m", "circuitnet", "simulate", model, "--x", "-1:1:5"],
                "the simulation itself": [python, "-c", _SIMULATION.format(model=model)]}
    with tempfile.TemporaryDirectory(prefix="circuitnet-pycache-") as cache:
        env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
        env.update(PYTHONPYCACHEPREFIX=cache, PYTHONPATH=os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]))
        for command in commands.values():
            _timed(command, env)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(repeats):  # interleaved, so a busy moment of the machine touches each alike
            for name, command in commands.items():
                wall, cpu, output = _timed(command, env)
                if name == "the simulation itself":  # the part after the imports, its workers' CPU included
                    simulated, imports_cpu = (float(v) for v in output.split())
                    wall, cpu = simulated, cpu - imports_cpu
                runs[name].append((wall, cpu))
    median = {name: tuple(statistics.median(v[k] for v in values) for k in (0, 1)) for name, values in runs.items()}
    python_cpu = median["python -c pass"][1]
    simulation = median["the simulation itself"]
    rows = ["| command | wall, median (s) | CPU, median (s) | CPU over `python -c pass` (s) | CPU over Python plus "
            "the simulation (s) | target |", "| --- | --- | --- | --- | --- | --- |"]
    for name, (wall, cpu) in median.items():
        over = cpu - python_cpu - (simulation[1] if name.startswith("circuitnet simulate") else 0.0)
        target = "<= 0.3 s" if name.startswith("circuitnet") else ""
        rows.append(f"| `{name}` | {wall:.3f} | {cpu:.3f} | {cpu - python_cpu:.3f} | "
                    f"{over:.3f} | {target} |" if name != "the simulation itself" else
                    f"| {name} (inside its process) | {wall:.3f} | {cpu:.3f} | | | |")
        print(rows[-1], flush=True)
    return rows


def digits28_circuit():
    """The digits28 circuit: the model file $CIRCUITNET_DIGITS28_MODEL names (e.g. the model.json
    of ``circuitnet fit --dataset digits28 --hidden 100 --topology diode --mode surrogate``), or
    trained here with exactly those settings."""
    model_path = os.environ.get("CIRCUITNET_DIGITS28_MODEL")
    if model_path:
        return load_model(model_path)
    return _classifier("digits28", 100, topology="diode", mode="surrogate")[0].circuit


def solver_suite() -> list[tuple[str, list[str]]]:
    """The solver designs on the digits28 test split (its first $CIRCUITNET_BENCH_TEST_SAMPLES
    samples when that is set: Sparse takes long on a busy machine), and their Newton
    iterations on the first chunk of each design."""
    circuit = digits28_circuit()
    x = stratified_split(load_dataset("digits28"), 0).x_test
    n = int(os.environ.get("CIRCUITNET_BENCH_TEST_SAMPLES", len(x)))
    return [("Solver: the digits28 test split in ngspice, Sparse vs KLU in neighbour order, 8 chunks vs chunks from "
             "their costs, 2 workers", solver_case(circuit, x[:n])),
            ("Solver: Newton iterations per sample and ngspice's rusage, the first chunk of each design",
             iterations_case(circuit, x[:n]))]


def large_suite() -> list[tuple[str, list[str]]]:
    return [("Solver: 10,000 digits28 samples (shifted by <= 1 pixel), 2 workers and Dask",
             large_case(digits28_circuit()))]
