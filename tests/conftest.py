"""Test-wide setup and helpers.

Tests that need ngspice carry the ``ngspice`` marker, so ``pytest -m "not ngspice"`` runs
the pure-NumPy tests on any machine. When any selected test needs ngspice and the ngspice
program or libngspice can't be loaded, the session fails: it never skips them. The same holds
for KiCad's kicad-cli and the ``kicad`` marker.
"""

import ctypes
import shutil

import numpy as np
import pytest


def ngspice_problems() -> list[str]:
    problems = []
    if shutil.which("ngspice") is None:
        problems.append("the ngspice program is not on PATH")
    try:
        ctypes.CDLL("libngspice.so.0")
    except OSError as error:
        problems.append(f"libngspice.so.0 can't be loaded ({error})")
    return problems


@pytest.hookimpl(trylast=True)  # after ``-m`` has deselected what it deselects
def pytest_collection_modifyitems(session, config, items):
    if any(item.get_closest_marker("ngspice") for item in items):
        problems = ngspice_problems()
        if problems:
            pytest.exit("ngspice is required by the selected tests: " + "; ".join(problems)
                        + ". Run 'make test', which installs it (apt-get install ngspice libngspice0), "
                        + "or select the others with -m 'not ngspice'.", returncode=1)
    if any(item.get_closest_marker("kicad") for item in items) and shutil.which("kicad-cli") is None:
        pytest.exit("kicad-cli (KiCad 8 or later) is required by the selected tests and is not on PATH. Run "
                    "'make system-deps' (or 'make test'), which installs it (.ci/install-kicad), or select the "
                    "others with -m 'not kicad'.", returncode=1)


@pytest.fixture(scope="session")
def spice_pool():
    """The session's one pool of ngspice workers: the process-wide pool, which code given no
    backend uses as well, so a session never runs two (it is closed at exit)."""
    from circuitnet.backends.spice.workers import shared_pool
    return shared_pool()


class CountingPool:
    """A worker pool that counts the netlists it is given and hands them to a real one: pass
    ``SpiceBackend(CountingPool(pool))`` to see that an injected pool is the one used."""

    def __init__(self, pool):
        self.pool, self.netlists = pool, 0

    def map(self, netlists):
        self.netlists += len(netlists)
        return self.pool.map(netlists)

    def run(self, netlist):
        self.netlists += 1
        return self.pool.run(netlist)

    def ngspice_info(self):
        return self.pool.ngspice_info()


class RecordingExecutor:
    """A local executor (``LocalExecutor``) that remembers how many tasks each call was given."""

    def __init__(self, workers):
        from circuitnet.util.executor import LocalExecutor
        self.executor, self.workers, self.calls = LocalExecutor(workers), workers, []

    def map(self, function, items, on_done=None):
        items = list(items)
        self.calls.append(len(items))
        return self.executor.map(function, items, on_done=on_done)


@pytest.fixture(scope="session")
def spice(spice_pool):
    from circuitnet.backends.spice.backend import SpiceBackend
    return SpiceBackend(spice_pool)


@pytest.fixture(scope="session")
def digits_classifier():
    """One ten-class digits classifier (8 hidden neurons, ideal mode, 150 epochs, seed 0 split),
    trained once per session and shared by the tests that need a realistic trained classifier
    (training.run.FitResult: .circuit, .report). Treat it as read-only."""
    from circuitnet.training.classes import load_dataset, stratified_split
    from circuitnet.training.config import FitConfig
    from circuitnet.training.run import FitRun
    split = stratified_split(load_dataset("digits"), 0)
    config = FitConfig(hidden=[8], mode="ideal", epochs=150, task="classify", classes=list(range(10)))
    return FitRun(split, config).run()


def random_network(rng: np.random.Generator, n_inputs: int, hidden: list[int], n_outputs: int,
                   zero_fraction: float = 0.1):
    """A ReLUNet whose weights have magnitudes in [0.2, 2] (some exactly 0) and random signs."""
    from circuitnet import ReLUNet

    sizes = [n_inputs, *hidden, n_outputs]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights = rng.uniform(0.2, 2.0, (n_out, n_in)) * rng.choice([-1.0, 1.0], (n_out, n_in))
        weights[rng.random((n_out, n_in)) < zero_fraction] = 0.0
        biases = rng.uniform(0.05, 1.0, n_out) * rng.choice([-1.0, 1.0], n_out)
        layers.append((weights, biases))
    return ReLUNet.from_arrays(layers)


def reference_forward(net, x):
    """An independent, loop-by-loop evaluation of the network (plain Python, no NumPy algebra)."""
    out = []
    for row in x:
        u = list(row)
        for index, layer in enumerate(net.layers):
            z = [sum(layer.weights[j][k] * u[k] for k in range(layer.n_in)) + layer.biases[j]
                 for j in range(layer.n_out)]
            u = z if index == len(net.layers) - 1 else [max(0.0, v) for v in z]
        out.append(u)
    return np.array(out)


def assert_cotangent_by_central_differences(loss, prediction, target, cotangent, abs_tolerance, step=1e-6):
    """Every entry of a loss's cotangent (d value / d prediction) against a central difference
    of ``loss.value`` with the given step; prediction, cotangent: (n_samples, n_outputs)."""
    for index in np.ndindex(prediction.shape):
        moved = prediction.copy()
        moved[index] += step
        up = loss.value(moved, target)
        moved[index] -= 2 * step
        assert cotangent[index] == pytest.approx((up - loss.value(moved, target)) / (2 * step), abs=abs_tolerance)


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)


class StopAfter:
    """A fit's progress callbacks (training.progress.Progress) that press Ctrl-C after a number
    of epochs of the named stage."""

    def __init__(self, stage_name, epochs):
        self.target, self.left, self.current = stage_name, epochs, None

    def stage(self, name, total, done=0):
        self.current = name

    def epoch(self, state):
        if self.current.startswith(self.target):
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt

    def close(self):
        pass

    def samples(self):
        return None


def series_paired(circuit, every: int = 2):
    """``circuit`` snapped as ``fit --e-series E24 --e-series-pairs`` snaps it: every
    ``every``-th resistor onto the nearest E24 series-pair sum above it (two E24 parts in
    series), the others onto their nearest E24 value, with the ``series_pairs`` record of the
    pairs: a circuit whose build places pairs."""
    from dataclasses import replace

    from circuitnet.model.circuit import map_resistors
    from circuitnet.training.eseries import series_values, snap
    from circuitnet.training.snap_grid import PairSums
    from circuitnet.training.snap_pairs import pairs_record

    sums = PairSums.of("E24", *circuit.resistor_range)
    singles = series_values("E24", *circuit.resistor_range)
    count = [0]

    def onto_pairs(_, ohms):
        moved = np.array(ohms, dtype=float)
        flat = moved.reshape(-1)
        for k, value in enumerate(flat):
            if np.isfinite(value):
                if count[0] % every == 0:
                    flat[k] = sums.ohms[min(np.searchsorted(sums.ohms, value), len(sums.ohms) - 1)]
                else:
                    flat[k] = snap(np.array([value]), singles)[0]
                count[0] += 1
        return moved

    paired = map_resistors(circuit, onto_pairs)
    return replace(paired, series_pairs=pairs_record(paired, "E24"))
