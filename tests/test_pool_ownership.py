"""Worker pools belong to whoever made them (issue #17): a CLI command makes one and stops its
workers when it ends, however it ends; a backend made without a pool owns one and stops it;
an analysis call given no backend leaves no worker behind; a bare simulate call runs on the
documented default backend (``circuitnet.default_backend()``, stopped by ``circuitnet.close()``
and at exit), never when a backend is passed; an estimator owns one lazily and is pickled
without it; code that makes its backends meets no process-wide pool. Workers are counted
as this process's live child processes running ``circuitnet.backends.spice.workers``."""

import pickle

import numpy as np
import psutil
import pytest
from test_export import NETLISTS

from circuitnet import load_model
from circuitnet.backends.spice import workers
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.errors import SimulationError
from circuitnet.interface import cli

X = np.linspace(-1.0, 1.0, 5)[:, None]


def live_workers() -> set[int]:
    """The pids of this process's ngspice worker processes that are still running."""
    found = set()
    for child in psutil.Process().children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "circuitnet.backends.spice.workers" in child.cmdline():
                found.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return found


@pytest.fixture
def elbow():
    return load_model(NETLISTS / "elbow_diode.json")


@pytest.mark.ngspice
def test_a_backend_made_without_a_pool_owns_one_and_stops_its_workers(elbow):
    before = live_workers()
    with SpiceBackend() as spice:
        assert not spice.owns_pool  # nothing started until it is needed
        spice.simulate(elbow, X)
        assert spice.owns_pool
        started = live_workers() - before
        assert len(started) == 1  # one netlist: one worker of its pool started
    assert not live_workers() & started


@pytest.mark.ngspice
def test_a_pool_passed_in_is_left_running(spice_pool, elbow):
    spice = SpiceBackend(spice_pool)
    spice.simulate(elbow, X)
    running = {worker.pid for worker in spice_pool.workers} - {None}
    spice.close()
    assert running and running <= live_workers() and not spice.owns_pool


@pytest.mark.ngspice
def test_analysis_calls_given_no_backend_leave_no_worker_behind(elbow):
    from circuitnet.analysis.compare import compare_circuit
    from circuitnet.backends.spice.transient import transient
    from circuitnet.model.sweep import Sweep
    before = live_workers()
    numbers, _ = compare_circuit(elbow, Sweep(-1.0, 1.0, 5), temperatures=(27.0, 50.0), montecarlo=2)
    assert numbers.montecarlo.instances == 2
    assert len(transient(elbow, X[:2], "TL072", step_time=20e-6).steps) == 2
    assert live_workers() <= before


@pytest.mark.ngspice
def test_bare_simulate_calls_share_the_default_backend_until_close(elbow):
    """simulate(circuit, x) with no backend runs on circuitnet.default_backend(): the second
    call starts no process (it used to start and stop a worker per call, 0.7-2 s each), and
    circuitnet.close() stops the worker."""
    import circuitnet
    circuitnet.close()
    before = live_workers()
    assert circuitnet.simulate(elbow, X).y.shape == (5, 1)
    first = live_workers() - before
    assert len(first) == 1 and circuitnet.default_backend().owns_pool
    circuitnet.simulate(elbow, X)
    circuitnet.simulate(elbow, X, backend="spice")  # the name means the default backend too
    assert live_workers() - before == first  # the same worker: no new process
    circuitnet.close()
    assert not live_workers() & first


@pytest.mark.ngspice
def test_a_backend_passed_in_is_used_and_the_default_never_made(spice_pool, elbow):
    import circuitnet
    from circuitnet.backends import default_backend
    from tests.conftest import CountingPool
    circuitnet.close()
    counting = CountingPool(spice_pool)
    before = live_workers()
    circuitnet.simulate(elbow, X, backend=SpiceBackend(counting))
    assert counting.netlists == 1
    assert default_backend._backend is None  # no default backend was made
    assert live_workers() - before <= {worker.pid for worker in spice_pool.workers}


@pytest.mark.ngspice
def test_the_default_backend_stops_its_worker_when_the_process_exits(tmp_path):
    """A script that never calls close(): its worker's process and folder are gone once it exits."""
    import subprocess
    import sys
    code = ("import numpy as np, circuitnet\n"
            f"c = circuitnet.load_model({str(NETLISTS / 'elbow_diode.json')!r})\n"
            "circuitnet.simulate(c, np.zeros((2, 1)))\n"
            "worker = circuitnet.default_backend().pool.workers\n"
            "print(*[(w.pid, w._folder) for w in worker if w.pid])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    pid, folder = eval(done.stdout.strip())  # the worker's (pid, folder), printed above
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    import os
    assert not os.path.exists(folder)


@pytest.mark.ngspice
@pytest.mark.parametrize("ending", ["success", "failure", "interrupt"])
def test_a_cli_command_stops_its_workers_when_it_ends(elbow, monkeypatch, capsys, ending):
    """The command's backend runs ngspice, then the command returns, fails or is interrupted:
    every worker it started is stopped when main returns, and none is left in this process."""
    seen = {}

    def command(args):
        args.spice.simulate(elbow, X)
        seen["pool"], seen["workers"] = args.spice.pool, live_workers()
        if ending == "failure":
            raise SimulationError("ngspice said no")
        if ending == "interrupt":
            raise KeyboardInterrupt
        return cli.EXIT_OK

    monkeypatch.setitem(cli.COMMANDS, "neuron", command)
    before = live_workers()
    status = cli.main(["neuron", "--topology", "diode", "--w", "1", "--b", "0"])
    assert status == {"success": cli.EXIT_OK, "failure": cli.EXIT_FAILED, "interrupt": cli.EXIT_INTERRUPTED}[ending]
    started = seen["workers"] - before
    assert started and not live_workers() & started
    assert all(worker.pid is None for worker in seen["pool"].workers)  # the command's pool is closed
    assert live_workers() <= before


@pytest.mark.ngspice
def test_the_simulate_command_leaves_no_worker_running(capsys):
    before = live_workers()
    assert cli.main(["simulate", str(NETLISTS / "elbow_diode.json"), "--x", "-1:1:5", "--json"]) == cli.EXIT_OK
    assert '"backend": "spice"' in capsys.readouterr().out
    assert live_workers() <= before


def test_there_is_no_process_wide_pool_for_code_that_makes_its_backends():
    """The caller's process never gets a hidden pool: only a backend that arrived from another
    process (a Dask task) uses the task process's pool."""
    assert not hasattr(workers, "shared_pool")
    made = SpiceBackend()
    assert made.pool is not SpiceBackend().pool  # two backends, two pools: each its own
    arrived = pickle.loads(pickle.dumps(SpiceBackend(made.pool)))
    assert arrived.pool is workers.task_process_pool() and not arrived.owns_pool


@pytest.mark.ngspice
def test_an_estimator_owns_its_workers_lazily_and_is_pickled_without_them():
    from circuitnet import CircuitRegressor
    x = np.linspace(-1.0, 1.0, 20)[:, None]
    before = live_workers()
    model = CircuitRegressor(hidden=2, mode="ideal", epochs=5).fit(x, np.abs(x[:, 0]))
    fitted = live_workers() - before
    assert fitted  # it trained and measured on its own workers
    model.predict(x)
    model.predict(x)
    assert live_workers() - before == fitted  # predicting again starts no process
    copy = pickle.loads(pickle.dumps(model))
    assert "_own_spice" not in vars(copy)
    np.testing.assert_array_equal(copy.predict(x), model.predict(x))
    copy.close()
    model.close()
    assert not live_workers() & fitted


@pytest.mark.ngspice
def test_a_fit_run_made_without_a_backend_stops_its_workers_on_close():
    """FitRun(split, config) makes its own SpiceBackend; close() (or the end of a with block)
    stops every worker it started, and so does a topology choice for all its candidates'."""
    from circuitnet.training.config import FitConfig
    from circuitnet.training.data import target_split
    from circuitnet.training.run import FitRun, run_of
    split = target_split("abs", 20, seed=0)
    before = live_workers()
    with FitRun(split, FitConfig(hidden=[2], mode="ideal", epochs=3, seed=0)) as run:
        assert run.run().circuit is not None
        started = live_workers() - before
        assert started  # it measured in ngspice on its own workers
    assert not live_workers() & started
    choice = run_of(split, FitConfig(topology="auto", hidden=[2], mode="ideal", epochs=3, seed=0))
    choice.run()
    started = live_workers() - before
    assert started
    choice.close()
    assert not live_workers() & started
