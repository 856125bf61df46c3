"""ngspice in worker processes: isolated, replaceable, parallel.

Each worker is a fresh ``python -m circuitnet.backends.spice.workers`` process (so it inherits no
initialised library and never re-imports the caller's script), started in an empty
temporary folder with HOME pointing there before it loads libngspice, so no
``.spiceinit`` of the user's -- which can run shell commands -- is ever executed. A worker
that crashes, asks to exit or hangs past the timeout is killed; that call raises
WorkerCrashed (a SimulationError) and the next call starts a fresh worker; ``WorkerPool``
runs that netlist again on a fresh worker, a bounded number of times. ``WorkerPool`` runs
netlists on several workers at once (default: one per core). Each worker chooses the linear
solver of each netlist (by its size, KLU only where the library has it, see ``solver``) and
says which ngspice it loaded and which solver each run used (``Worker.info``,
``Worker.solvers_used``, ``WorkerPool.ngspice_info``).
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.connection import Connection

import numpy as np

from ...errors import NgspiceNotFoundError, SimulationError, SlowSolverWarning
from .solver import NgspiceInfo, requested_solver, used_by_runs

DEFAULT_TIMEOUT_S = 300.0
# libngspice leaks a little memory per run even with plots, circuits and command history
# freed (benchmarks/RESULTS.md, "10,000 consecutive simulations"); a worker is replaced after
# this many runs, which bounds its memory at the cost of one start-up per that many runs.
DEFAULT_MAX_RUNS = 10_000
_STARTUP_TIMEOUT_S = 60.0
# A netlist whose worker crashed or hung is run again on a fresh worker this many times: a
# killed or wedged process costs only its own netlist. A failure that ngspice reports in its
# own words is the netlist's, and is not retried.
DEFAULT_RETRIES = 2


class WorkerCrashed(SimulationError):
    """The worker process died, hung past its timeout or asked to exit; it was stopped."""


def _worker_main(connection: Connection, solver: str) -> None:
    """The worker process (already in its empty folder): load libngspice, choose its solver,
    serve netlists."""
    from .library import NgspiceLibrary
    try:
        library = NgspiceLibrary(solver)
    except (NgspiceNotFoundError, SimulationError) as error:
        connection.send(("fatal", str(error)))
        return
    connection.send(("ready", library.info.to_dict()))
    while True:
        try:
            netlist = connection.recv()
        except (EOFError, OSError):
            return
        if netlist is None:
            return
        try:
            vectors = library.run(netlist)
            connection.send(("ok", vectors, library.last_solver))
        except SimulationError as error:
            connection.send(("error", str(error)))
        except Exception as error:  # a bug or a cffi failure: report it, then start afresh
            connection.send(("error", f"{type(error).__name__}: {error}"))
            return
        if library.unusable:
            return


_noted: set[str] = set()


def _note_once(note: str) -> None:
    """Warn (SlowSolverWarning) that this ngspice has no KLU, once per process, not per worker."""
    if note not in _noted:
        _noted.add(note)
        warnings.warn(note, SlowSolverWarning, stacklevel=2)


class Worker:
    """One ngspice process, started on first use and replaced after any failure of its own.

    solver: "auto", "klu" or "sparse" (see ``solver``; default $CIRCUITNET_NGSPICE_SOLVER or auto).
    info: the ngspice version and solver of the last process started (None before the first).
    solvers_used: the solvers ("KLU", "Sparse") its runs used, as ngspice printed them.
    """

    def __init__(self, timeout_s: float = DEFAULT_TIMEOUT_S, max_runs: int = DEFAULT_MAX_RUNS,
                 solver: str | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_runs = max_runs
        self.solver = requested_solver(solver)
        self.info: NgspiceInfo | None = None
        self.solvers_used: set[str] = set()
        self._runs = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._connection: Connection | None = None
        self._folder: str | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def _start(self) -> None:
        self._folder = folder = tempfile.mkdtemp(prefix="circuitnet-ngspice-")
        parent, child = socket.socketpair()
        env = dict(os.environ, HOME=folder,
                   PYTHONPATH=os.pathsep.join(os.path.abspath(p or os.curdir) for p in sys.path))
        self._process = process = subprocess.Popen(
            [sys.executable, "-m", "circuitnet.backends.spice.workers", str(child.fileno()), self.solver],
            cwd=folder, env=env,
            pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child.close()
        self._connection = connection = Connection(parent.detach())
        if not connection.poll(_STARTUP_TIMEOUT_S):
            self.stop()
            raise WorkerCrashed(f"the ngspice worker did not start within {_STARTUP_TIMEOUT_S:g} s")
        try:
            status, payload = connection.recv()
        except (EOFError, OSError):
            code = process.poll()
            self.stop()
            raise WorkerCrashed(f"the ngspice worker died while loading libngspice (exit code {code})") from None
        if status == "fatal":
            self.stop()
            raise NgspiceNotFoundError(payload)
        self.info = NgspiceInfo(**payload)
        if self.info.note and self.solver != "sparse":
            _note_once(self.info.note)

    def ensure_started(self) -> NgspiceInfo:
        """Start the process if it is not running; the ngspice version and solver it uses."""
        if self._process is None or self._process.poll() is not None:
            self.stop()
            self._start()
            self._runs = 0
        assert self.info is not None  # set by every _start that returns
        return self.info

    def run(self, netlist: str) -> dict[str, np.ndarray]:
        """Run one netlist; its vectors, or SimulationError (the worker is replaced if it failed)."""
        if self._runs >= self.max_runs:
            self.stop()
        self.ensure_started()
        self._runs += 1
        connection, process = self._connection, self._process
        assert connection is not None and process is not None  # ensure_started just started them
        try:
            connection.send(netlist)
            if not connection.poll(self.timeout_s):
                self.stop()
                raise WorkerCrashed(f"ngspice did not finish within {self.timeout_s:g} s; the worker was "
                                    f"stopped and will be replaced")
            status, payload, *solver = connection.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = process.wait(timeout=5.0)
            self.stop()
            raise WorkerCrashed(f"the ngspice worker crashed (exit code {code}); it will be replaced") from None
        if status == "ok":
            self.solvers_used.update(solver)
            return payload
        if process.poll() is not None or status != "error":
            self.stop()
        raise SimulationError(payload)

    def stop(self) -> None:
        """End the process (politely, then by force) and remove its folder. Safe to call from
        two threads at once (a Ctrl-C handler and a running call): each takes the process,
        connection and folder out of the worker before it touches them."""
        process, connection, folder = self._process, self._connection, self._folder
        self._process = self._connection = self._folder = None
        if process is not None:
            if process.poll() is None and connection is not None:
                try:
                    connection.send(None)
                    process.wait(timeout=1.0)
                except (OSError, ValueError, subprocess.TimeoutExpired):
                    pass
            if process.poll() is None:
                process.kill()
                process.wait(timeout=5.0)
        if connection is not None:
            connection.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class WorkerPool:
    """Several workers; ``run`` takes an idle one, ``map`` keeps all of them busy.

    workers: number of processes (default: one per core). solver: see ``Worker``.
    """

    def __init__(self, workers: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                 retries: int = DEFAULT_RETRIES, solver: str | None = None) -> None:
        count = workers or os.cpu_count() or 1
        if count < 1:
            raise ValueError(f"workers = {workers}; need at least 1")
        self.retries = retries
        self.retried = 0  # netlists run again because their worker crashed or hung
        self._retried_lock = threading.Lock()
        self.workers = [Worker(timeout_s, solver=solver) for _ in range(count)]
        # Last in, first out: a lone caller gets the worker it just used, already started, instead
        # of starting another process (``circuitnet simulate`` runs two netlists one after another).
        self._idle: queue.LifoQueue[Worker] = queue.LifoQueue()
        for worker in self.workers:
            self._idle.put(worker)

    @property
    def size(self) -> int:
        return len(self.workers)

    def run(self, netlist: str) -> dict[str, np.ndarray]:
        """Run one netlist on an idle worker; if that worker crashes or hangs, again on a fresh
        one, at most ``retries`` more times."""
        for attempt in range(self.retries + 1):
            worker = self._idle.get()
            try:
                return worker.run(netlist)
            except WorkerCrashed as error:
                if attempt == self.retries:
                    raise WorkerCrashed(f"{error} (the netlist was tried {attempt + 1} times)") from None
                with self._retried_lock:
                    self.retried += 1
            finally:
                self._idle.put(worker)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def ngspice_info(self) -> NgspiceInfo:
        """The ngspice version this pool's workers loaded (every worker loads the same library
        with the same request) and the linear solvers their runs used (``solver.used_by_runs``);
        starts one worker if none has started yet."""
        used = set().union(*(worker.solvers_used for worker in self.workers))
        requested = self.workers[0].solver
        for worker in self.workers:
            if worker.info is not None:
                return used_by_runs(worker.info, used, requested)
        worker = self._idle.get()
        try:
            return used_by_runs(worker.ensure_started(), used, requested)
        finally:
            self._idle.put(worker)

    def map(self, netlists: list[str]) -> list[dict[str, np.ndarray]]:
        """Run every netlist, in parallel; results in order. The first failure is raised
        (after the others finish), naming which netlist failed."""
        def run_one(item):
            index, netlist = item
            try:
                return self.run(netlist)
            except SimulationError as error:
                raise SimulationError(f"netlist {index}: {error}") from None
        with ThreadPoolExecutor(max_workers=self.size) as executor:
            futures = [executor.submit(run_one, item) for item in enumerate(netlists)]
            return [future.result() for future in futures]

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_task_pool: WorkerPool | None = None
_task_lock = threading.Lock()


def task_process_pool() -> WorkerPool:
    """The pool of a process that runs tasks sent to it (a Dask worker, a spawned executor
    process): the backends of those tasks arrive without their pool (a pool's processes
    belong to the process that started them), and share this one, started on first use and
    closed when this process exits. That process is the pool's owner: its tasks are a few
    seconds each, and a pool per task would start a worker (about half a second) for each.
    Code that made its own backend never uses it (``SpiceBackend``)."""
    global _task_pool
    with _task_lock:
        if _task_pool is None:
            _task_pool = WorkerPool()
            atexit.register(_task_pool.close)
        return _task_pool


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])), sys.argv[2] if len(sys.argv) > 2 else "auto")
