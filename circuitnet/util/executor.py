"""One executor for parallel work (Monte Carlo, hyperparameter search, temperatures).

``LocalExecutor`` runs tasks on this machine: from threads by default, for tasks that spend
their time in ngspice (which already runs in isolated worker processes, one per core, so
threads keep every core busy without re-importing the caller's script), or in spawned
processes for CPU-bound Python tasks such as training runs. ``DaskExecutor`` runs the same
tasks on a Dask distributed cluster
(``--scheduler tcp://HOST:PORT``) when one machine is not enough. A task is a module-level
function and picklable arguments; results come back in order.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor, as_completed

from ..errors import CircuitnetError


class LocalExecutor:
    """workers: tasks at once (default: one per core). processes: run them in spawned
    processes (the calling script then needs an ``if __name__ == "__main__":`` guard)."""

    def __init__(self, workers: int | None = None, processes: bool = False):
        self.workers = workers or os.cpu_count() or 1
        self.processes = processes

    def map(self, function: Callable, items: Iterable, on_done: Callable[[int], None] | None = None) -> list:
        """[function(item) for item in items], in order; on_done(index) as each one finishes."""
        items = list(items)
        if self.workers == 1 or len(items) <= 1:
            results = []
            for index, item in enumerate(items):
                results.append(function(item))
                if on_done is not None:
                    on_done(index)
            return results
        count = min(self.workers, len(items))
        pool: Executor
        if self.processes:
            pool = ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("spawn"))
        else:
            pool = ThreadPoolExecutor(max_workers=count)
        with pool:
            futures = {pool.submit(function, item): index for index, item in enumerate(items)}
            for future in as_completed(futures):
                future.result()  # a failed task raises here, at once
                if on_done is not None:
                    on_done(futures[future])
            return [future.result() for future in futures]


class DaskExecutor:
    """address: a Dask scheduler (``tcp://HOST:PORT``), or an existing ``distributed.Client``."""

    def __init__(self, address):
        try:
            from distributed import Client
        except ImportError:
            raise CircuitnetError(
                "the Dask backend needs dask.distributed: pip install 'circuitnet[cluster]'") from None
        self.client = address if isinstance(address, Client) else Client(address)
        self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))

    def map(self, function: Callable, items: Iterable, on_done: Callable[[int], None] | None = None) -> list:
        """[function(item) for item in items] on the cluster, in order; on_done(index) as each
        one finishes. A task whose worker dies is rescheduled by Dask on another worker."""
        from distributed import as_completed as dask_completed
        items = list(items)
        futures = self.client.map(function, items, pure=False)
        if on_done is not None:
            index = {future.key: position for position, future in enumerate(futures)}
            for future in dask_completed(futures):
                on_done(index[future.key])
        return self.client.gather(futures)


def executor_for(scheduler: str | None = None, workers: int | None = None):
    """A DaskExecutor when a scheduler address is given, else a LocalExecutor of ``workers``
    threads (tasks that wait on ngspice's worker processes need no processes of their own)."""
    return DaskExecutor(scheduler) if scheduler else LocalExecutor(workers)

