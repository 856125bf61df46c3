"""Benchmarks of classifier circuits (issue #11: handwritten digits in SPICE).

- digits: scikit-learn's 8x8 digits, 32 hidden neurons, seed 0, in every topology: the ngspice
  test accuracy of ``surrogate`` training against the ideal network trained with the same
  settings (``ideal`` mode, its read-back network's test accuracy), after E96 snapping, and
  the test samples whose class differs between surrogate and ngspice. Targets: diode and
  precision >= 96.0 % and within 1.0 point of the ideal network; passive >= 95.0 %; after
  E96 >= 95.5 %; no sample changes class.
- digits28: the digits upsampled to 28x28 (784 inputs), 100 hidden neurons, diode,
  surrogate mode, the whole ``circuitnet fit`` command (training, then the whole test split
  in ngspice) with the peak memory of its process tree (the CLI and its ngspice workers,
  sampled every 0.2 s). Targets: >= 96.0 %; <= 15 min on 2 cores; <= 4 GB.
- floor: on the digits28 network, full batch (the 1,079 training samples), the surrogate's
  forward pass plus its full gradient (``SurrogateBackend.gradient``) against a plain NumPy
  ReLU network's forward plus its parameter gradient at the same shapes (the two matrix
  products the surrogate also does), each kernel's run paired with a run of the plain
  network just before it, the median of the paired ratios and their range; with OpenBLAS's
  default threads and with one; on the NumPy kernel and, where numba imports, the fused one,
  each one's first (compiling) call timed apart. Target: <= 3x.
  ``python -m benchmarks floor`` runs it alone (CIRCUITNET_FLOOR_MODEL=model.json skips the
  training).
- sharding: the digits28 test split in ngspice over 1 and then 2 local workers, and over a
  Dask LocalCluster of 2 threads (the same outputs). Target: 2 workers >= 1.7x faster.
- compare: 100 Monte Carlo boards of the digits circuit (diode, 32 neurons) at 1 %, each
  simulated on the whole test split. Target: <= 10 min on 2 cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from circuitnet import keep_freed_memory, load_model
from circuitnet.training.classes import load_dataset, stratified_split
from circuitnet.training.config import FitConfig
from circuitnet.training.run import FitRun

TOPOLOGIES = ("passive", "diode", "precision")


def _classifier(dataset: str, hidden: int, **settings):
    keep_freed_memory()  # as the circuitnet command does (see circuitnet/util/allocator.py)
    data = load_dataset(dataset)
    config = FitConfig(hidden=[hidden], seed=0, task="classify", classes=[int(c) for c in data.classes], **settings)
    started = time.monotonic()
    result = FitRun(stratified_split(data, 0), config).run()
    return result, time.monotonic() - started


def digits_case() -> list[str]:
    rows = ["| topology | ideal network (test accuracy) | `surrogate` (ngspice) | points below ideal | class changes "
            "surrogate vs ngspice | `surrogate` + E96 (ngspice) | pruned weights | seconds (surrogate) | targets |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for topology in TOPOLOGIES:
        ideal, _ = _classifier("digits", 32, topology=topology, mode="ideal")
        trained, seconds = _classifier("digits", 32, topology=topology, mode="surrogate")
        snapped, _ = _classifier("digits", 32, topology=topology, mode="surrogate", e_series="E96")
        reference = ideal.report["test_accuracy_ideal"]
        spice = trained.report["test_accuracy_spice"]
        target = ">= 95.0 %" if topology == "passive" else ">= 96.0 %, within 1.0 point"
        rows.append(f"| {topology} | {100 * reference:.2f} % | {100 * spice:.2f} % | {100 * (reference - spice):+.2f} | "
                    f"{trained.report['class_changes_surrogate_vs_spice']} (E96: "
                    f"{snapped.report['class_changes_surrogate_vs_spice']}) | "
                    f"{100 * snapped.report['test_accuracy_spice']:.2f} % | {trained.report['pruned_weights']} | "
                    f"{seconds:.1f} | {target}; E96 >= 95.5 %; 0 changes |")
        print(rows[-1], flush=True)
    return rows


def _tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, MB (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(pid)
            rss[pid] = int(fields[21]) * 4096  # resident pages
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack += children.get(pid, [])
    return total / 1e6


def digits28_case(folder: Path) -> list[str]:
    command = [sys.executable, "-m", "circuitnet", "fit", "--dataset", "digits28", "--hidden", "100", "--topology",
               "diode", "--mode", "surrogate", "--out", str(folder), "--json"]
    started = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = [0.0]

    def sample():
        while process.poll() is None:
            peak[0] = max(peak[0], _tree_rss_mb(process.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = process.communicate()
    sampler.join()
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"circuitnet fit failed: {stderr[-2000:]}")
    report = json.loads(stdout)
    rows = ["| run | ngspice test accuracy | surrogate | ideal read-back | class changes | test samples in ngspice | "
            "ngspice samples/s | pruned weights | whole run (s) | peak memory, process tree (MB) | targets |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| `{' '.join(['circuitnet', *command[3:-3]])}` | {100 * report['test_accuracy_spice']:.2f} % | "
            f"{100 * report['test_accuracy_surrogate']:.2f} % | {100 * report['test_accuracy_ideal']:.2f} % | "
            f"{report['class_changes_surrogate_vs_spice']} | {report['test_samples']} | "
            f"{report['spice_samples_per_second']:.2f} | {report['pruned_weights']} | {seconds:.0f} | {peak[0]:.0f} | "
            f">= 96.0 %; <= 900 s; <= 4000 MB |"]
    print(rows[-1], flush=True)
    return rows


def floor_case(model_path: Path, repeats: int = 40) -> list[str]:
    """The surrogate's forward + full gradient against the plain network's, on each kernel the
    machine has (NumPy always, numba's fused kernels when numba imports: with the fused solve
    on numba's threads, the default, and on one), with OpenBLAS's default threads and with
    one. Each repeat times the plain network right before each kernel, in an order that
    turns over from repeat to repeat, and the ratio is the median of those paired ratios: a
    machine shared with other jobs slows both runs of a pair alike, where a ratio of two
    medians divides times taken minutes apart. The first call of each kernel (numba
    compiles, or loads its cache) is timed apart."""
    from threadpoolctl import threadpool_info, threadpool_limits
    keep_freed_memory()
    plain, kernels = _floor_work(load_model(model_path))
    first = {}
    for name, action in kernels.items():
        started = time.perf_counter()
        action()
        first[name] = time.perf_counter() - started
    blas = max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)
    rows = [("| network | batch | BLAS threads | kernel | plain NumPy ReLU forward + gradient (ms), median | surrogate "
             "forward + full gradient (ms), median (quartiles) | ratio, median of paired repeats (range) | "
             "first call (s) | target |"), "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for threads in (blas, 1):
        with threadpool_limits(limits=threads, user_api="blas"):
            times = _paired_times(plain, kernels, repeats)
        for name, (floor, ours) in times.items():
            ratio, low, high = paired_ratios(floor, ours)
            quartiles = 1e3 * np.percentile(ours, [25, 75])
            rows.append(f"| 784-100-10 diode | {plain.batch} | {threads} | {name} | {1e3 * np.median(floor):.2f} | "
                        f"{1e3 * np.median(ours):.2f} ({quartiles[0]:.1f}-{quartiles[1]:.1f}) | {ratio:.2f}x "
                        f"({low:.2f}-{high:.2f}) | {first[name]:.2f} | <= 3x |")
            print(rows[-1], flush=True)
    return rows


def paired_ratios(floor: np.ndarray, ours: np.ndarray) -> tuple[float, float, float]:
    """(median, lowest, highest) of ours[i] / floor[i]: times (seconds) taken in pairs."""
    ratios = np.asarray(ours, dtype=float) / np.asarray(floor, dtype=float)
    return float(np.median(ratios)), float(np.min(ratios)), float(np.max(ratios))


class _Plain:
    """The floor: a plain NumPy ReLU network's forward pass and the gradient of every weight
    and bias (the inputs need none), at the widths and batch of the circuit it was read
    back from; the two large products are those the surrogate also does."""

    def __init__(self, x: np.ndarray, layers, cotangent: np.ndarray):
        self.x, self.cotangent, self.batch = x, cotangent, len(x)
        self.w1, self.b1, self.w2, self.b2 = (array for layer in layers for array in (layer.weights, layer.biases))

    def __call__(self):
        z = self.x @ self.w1.T + self.b1
        h = np.maximum(z, 0.0)
        y = h @ self.w2.T + self.b2
        g = self.cotangent + 0.0 * y
        grads = [g.T @ h, g.sum(0)]
        g = (g @ self.w2) * (z > 0)
        return grads + [g.T @ self.x, g.sum(0)]


def _floor_work(circuit) -> tuple[_Plain, dict]:
    """(the floor, kernel name -> the surrogate's forward + full gradient on that kernel), on
    the digits28 training split."""
    from circuitnet.backends.surrogate import SurrogateBackend
    from circuitnet.solvers import kernel_choice
    from circuitnet.topologies import read_back
    x = stratified_split(load_dataset("digits28"), 0).x_train
    cotangent = np.random.default_rng(0).normal(size=(len(x), circuit.n_outputs)) / len(x)
    surrogate = SurrogateBackend()

    def on(kernel, threads=None):  # threads: numba's for the fused solve (None: its default, one per core)
        def circuit_gradient():
            kernel_choice.use_kernel(kernel)
            if kernel == "numba":
                import numba
                numba.set_num_threads(threads or numba.config.NUMBA_NUM_THREADS)
            return surrogate.gradient(circuit, x, lambda y: cotangent)
        return circuit_gradient

    names = kernel_choice.available_kernels()
    if "numba" in names:  # the fused solve on numba's threads (the default) and on one
        names.append("numba, 1 thread")
    kernels = {name: on(name.split(",")[0], 1 if "1 thread" in name else None) for name in names}
    return _Plain(x, read_back(circuit).layers, cotangent), kernels


def _paired_times(plain, kernels: dict, repeats: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """kernel name -> (the plain network's seconds, the kernel's seconds), (repeats,) each:
    every repeat runs the plain network and then the kernel, for each kernel, starting with
    a different kernel each repeat; wall time, after three rounds of warming up."""
    from circuitnet.solvers import kernel_choice
    names = list(kernels)
    for _ in range(3):
        for name in names:
            plain()
            kernels[name]()
    times: dict[str, tuple[list, list]] = {name: ([], []) for name in names}
    for repeat in range(repeats):
        for name in names[repeat % len(names):] + names[:repeat % len(names)]:
            for action, into in ((plain, times[name][0]), (kernels[name], times[name][1])):
                started = time.perf_counter()
                action()
                into.append(time.perf_counter() - started)
    kernel_choice.use_kernel(os.environ.get(kernel_choice.ENVIRONMENT_VARIABLE, "auto"))
    if "numba" in kernel_choice.available_kernels():
        import numba
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    return {name: (np.array(floor), np.array(ours)) for name, (floor, ours) in times.items()}


def floor_suite() -> list[tuple[str, list[str]]]:
    """The floor case alone, on the model file CIRCUITNET_FLOOR_MODEL names (a digits28 circuit,
    e.g. a digits28 run's model.json), or on one the digits28 fit trains first."""
    model = os.environ.get("CIRCUITNET_FLOOR_MODEL")
    if model:
        return [("Classifier: the surrogate against its floor, 784-100-10, full batch", floor_case(Path(model)))]
    with tempfile.TemporaryDirectory(prefix="circuitnet-floor-") as folder:
        digits28_case(Path(folder) / "run")
        return [("Classifier: the surrogate against its floor, 784-100-10, full batch",
                 floor_case(Path(folder) / "run" / "model.json"))]


def sharding_case(model_path: Path) -> list[str]:
    from distributed import Client, LocalCluster

    from circuitnet.backends.spice.sharded import simulate_sharded
    from circuitnet.util.executor import DaskExecutor, LocalExecutor
    circuit = load_model(model_path)
    x = stratified_split(load_dataset("digits28"), 0).x_test
    simulate_sharded(circuit, x[:20], 27.0, LocalExecutor(2))  # start the ngspice workers
    seconds, outputs = {}, {}
    for workers in (1, 2):
        started = time.monotonic()
        outputs[workers] = simulate_sharded(circuit, x, 27.0, LocalExecutor(workers)).y
        seconds[workers] = time.monotonic() - started
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        started = time.monotonic()
        remote = simulate_sharded(circuit, x, 27.0, DaskExecutor(client)).y
        dask_seconds = time.monotonic() - started
    same = bool(np.array_equal(remote, outputs[2]) and np.array_equal(outputs[1], outputs[2]))
    rows = ["| circuit | test samples | 1 worker (s) | 2 workers (s) | speed-up | Dask LocalCluster, 2 threads (s) | "
            "identical outputs | target |", "| --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| 784-100-10 diode | {len(x)} | {seconds[1]:.1f} | {seconds[2]:.1f} | {seconds[1] / seconds[2]:.2f}x | "
            f"{dask_seconds:.1f} | {'yes' if same else 'NO'} | >= 1.7x; identical |"]
    print(rows[-1], flush=True)
    return rows


def compare_case(boards: int = 100) -> list[str]:
    from circuitnet.analysis.classifier_compare import compare_classifier
    from circuitnet.util.executor import LocalExecutor
    result, _ = _classifier("digits", 32, topology="diode", mode="surrogate")
    split = stratified_split(load_dataset("digits"), 0)
    started = time.monotonic()
    numbers, _ = compare_classifier(result.circuit, split.x_test, split.y_test[:, 0], (27.0,), boards, 0.01, 0.0, 0,
                                    0.95, LocalExecutor(2))
    seconds = time.monotonic() - started
    boards_found = numbers.accuracy_boards
    assert boards_found is not None  # boards > 0
    accuracy = boards_found.accuracy
    rows = ["| circuit | boards | tolerance | test samples per board | accuracy: median, worst | yield (>= 95 %) | "
            "static power per inference, median (mW) | seconds | target |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| digits, diode, 32 neurons | {boards} | 1 % | {len(split.x_test)} | {100 * accuracy.median:.2f} %, "
            f"{100 * accuracy.worst:.2f} % | {100 * boards_found.yield_fraction:.0f} % | "
            f"{1e3 * numbers.inference_power['median_w']:.1f} | {seconds:.0f} | <= 600 s |"]
    print(rows[-1], flush=True)
    return rows


def digits28_suite() -> list[tuple[str, list[str]]]:
    """The digits28 run, then the floor and sharding cases on the circuit it trained."""
    with tempfile.TemporaryDirectory(prefix="circuitnet-digits28-") as folder:
        run = digits28_case(Path(folder) / "run")
        model = Path(folder) / "run" / "model.json"
        return [("Classifier: digits28 (784 inputs), 100 neurons, diode, the whole fit command", run),
                ("Classifier: the surrogate against its floor, 784-100-10, full batch", floor_case(model)),
                ("Classifier: the digits28 test split in ngspice over 1 and 2 workers, and Dask",
                 sharding_case(model))]
