"""The default SPICE backend: what ``circuitnet.simulate(circuit, x)`` runs on when given no backend.

A bare call used to start and stop its own ngspice worker, 0.7-2 s per call, nearly all of it
the worker's start (Python, NumPy, PySpice's cffi declarations and libngspice: measured in
docs/architecture.md, "Pools and executors belong to whoever made them"), against 5-6 ms for
the same call on a running worker. So bare calls share one documented backend instead:

- ``default_backend()`` makes it on first use (a ``SpiceBackend`` owning its pool, whose
  workers start when first needed) and returns the same one afterwards;
- ``close()`` (``circuitnet.close()``) stops its workers; the next bare call makes a new one;
  it is also closed when the process exits;
- it is used only when a call is given no backend (or the name ``"spice"``): a backend or pool
  passed in is always the one used, so code that owns its workers never meets it;
- a process forked from this one starts without it (the workers belong to this process).
"""

from __future__ import annotations

import atexit
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spice.backend import SpiceBackend

_lock = threading.Lock()
_backend: SpiceBackend | None = None


def default_backend() -> SpiceBackend:
    """The SpiceBackend of calls given no backend: made on first use, the same one until ``close()``."""
    global _backend
    with _lock:
        if _backend is None:
            from .spice.backend import SpiceBackend
            _backend = SpiceBackend()
        return _backend


def close() -> None:
    """Stop the default backend's ngspice workers (nothing happens when there is none); the
    next call given no backend makes a new one."""
    global _backend
    with _lock:
        made, _backend = _backend, None
    if made is not None:
        made.close()


def _forget_in_child() -> None:
    """After a fork: the parent's workers are not this process's to use or to stop."""
    global _backend, _lock
    _backend, _lock = None, threading.Lock()


atexit.register(close)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)
