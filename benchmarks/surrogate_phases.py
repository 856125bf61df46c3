"""Where the surrogate's forward pass plus full gradient spends its time, by phase (issue #19).

On the digits28 circuit at full batch (1,079 x 784-100-10), the same work as the floor case
(``classify_cases.floor_case``): ``SurrogateBackend.gradient`` with a fixed output cotangent.
The phases are timed in place: the functions that do each phase's work are wrapped for the
run (nothing in circuitnet changes) and each wrapper counts its own time less that of the
wrapped phases it calls, so the phases add up to the whole. CPU time (``time.process_time``:
a shared machine's other jobs do not count, but with two BLAS threads it counts both, spinning
included), each kernel with one BLAS thread and with OpenBLAS's default, interleaved repeat by
repeat; the plain network's forward + gradient is timed beside them as the yardstick.

Phases:
- the two large products: the first stage's x @ W (``autodiff.affine``) and its weights'
  cotangent x^T @ g (``autodiff.transposed_times``), the two the plain network also does;
- other products: the output stage's, and the small ones on conductance arrays;
- the junction solve: the fused ``solve`` kernel, or ``Junction.solve_in_series`` in NumPy;
- the coupling's fixed point: its thin products and kernels (``rectifiers._linear_coupling``
  and what the solve does around it);
- the adjoint: the rectifier's vector-Jacobian product (its kernels and thin products);
- the reverse pass's bookkeeping (``autodiff.grad``: the graph's order, the cotangents' sums
  and the Var operations' backward rules on the conductance arrays);
- the forward pass's rest (the Var operations on the conductance arrays, the reported nodes);
- outside the passes: the input check, the conductances, -G^2 dG.

``python -m benchmarks floor-phases`` (CIRCUITNET_FLOOR_MODEL=model.json, else the digits28
fit trains one first). Allocation is in the passes' own times; a second table gives the peak
of NumPy's memory in one pass (tracemalloc) and what one fresh junction-sized array costs.
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
import tracemalloc
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from circuitnet import keep_freed_memory, load_model

from .classify_cases import _floor_work, digits28_case

LARGE = 500_000  # elements: an operand of the first stage's products (1,079 x 784), not the output stage's


class PhaseClock:
    """Exclusive CPU seconds per phase: a wrapped call's time less that of the wrapped calls
    inside it, which count for their own phases."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self._inner: list[float] = []

    def wrap(self, phase, function):
        """``function`` timed as ``phase`` (a name, or a function of the call's arguments)."""
        @functools.wraps(function)
        def timed(*args, **kwargs):
            self._inner.append(0.0)
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent = time.process_time() - started
                self.seconds[phase(*args) if callable(phase) else phase] += spent - self._inner.pop()
                if self._inner:
                    self._inner[-1] += spent
        return timed


def _size(*arrays) -> int:
    return max(np.size(getattr(a, "value", a)) for a in arrays)


@contextmanager
def phases_timed(clock: PhaseClock):
    """Wrap the functions each phase runs in, for the duration of the block."""
    from circuitnet.backends import surrogate
    from circuitnet.solvers import autodiff, fused_diode, junction, rectifiers, stages

    def product(*args):
        return "the two large products" if _size(*args) >= LARGE else "other products"

    targets = [
        (stages, "affine", product), (autodiff, "transposed_times", product),
        (fused_diode, "solve", "junction solve"), (junction.Junction, "solve_in_series", "junction solve"),
        (fused_diode, "solve_diode_rectifier", "coupling fixed point"),
        (rectifiers, "_solve_diode_rectifier", "coupling fixed point"),
        (fused_diode, "diode_adjoint", "adjoint"), (rectifiers, "custom", None),
        (surrogate, "forward", "forward pass: the rest"), (surrogate, "grad", "reverse pass: bookkeeping, Var rules"),
        (surrogate.SurrogateBackend, "gradient", "outside the passes: input check, conductances, -G^2"),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in targets]
    try:
        for owner, name, phase in targets:
            original = getattr(owner, name)
            if phase is None:  # the NumPy path's adjoint is the vjp the custom operation is given
                setattr(owner, name, lambda value, inputs, vjp, _custom=original: _custom(
                    value, inputs, clock.wrap("adjoint", vjp)))
            else:
                setattr(owner, name, clock.wrap(phase, original))
        yield clock
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)


def phases_case(model_path: Path, repeats: int = 30) -> list[str]:
    """The phase table: each phase's mean CPU ms per forward + gradient, per kernel and BLAS
    thread count, the whole and the plain network's medians, and the allocation rows."""
    from threadpoolctl import threadpool_info, threadpool_limits
    keep_freed_memory()
    plain, kernels = _floor_work(load_model(model_path))
    kernels = {name: action for name, action in kernels.items() if name != "numba, 1 thread"}
    blas = max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"), default=1)
    settings = [(name, threads) for threads in (1, blas) for name in kernels]
    clocks = {setting: PhaseClock() for setting in settings}
    wholes: dict = {setting: [] for setting in settings}
    floors: dict = {setting: [] for setting in settings}  # the plain network, run right before
    for repeat in range(repeats + 2):  # the first two rounds warm up (numba loads its cache) and are not kept
        for setting in settings:
            name, threads = setting
            clock = clocks[setting] if repeat >= 2 else PhaseClock()
            with threadpool_limits(limits=threads, user_api="blas"):
                started = time.process_time()
                plain()
                floor = time.process_time() - started
                with phases_timed(clock):
                    started = time.process_time()
                    kernels[name]()
                    whole = time.process_time() - started
            if repeat >= 2:
                floors[setting].append(floor)
                wholes[setting].append(whole)
    return _phase_rows(settings, clocks, wholes, floors, repeats) + _allocation_rows(kernels)


def _phase_rows(settings, clocks, wholes, floors, repeats) -> list[str]:
    """The table: a row per phase, largest first, then the whole, the floor and their ratio."""
    one_thread = [clock for (_, threads), clock in clocks.items() if threads == 1]
    phases = sorted({phase for clock in clocks.values() for phase in clock.seconds},
                    key=lambda phase: -sum(clock.seconds.get(phase, 0.0) for clock in one_thread))
    header = " | ".join(f"{name}, {threads} BLAS thread{'s' if threads > 1 else ''}" for name, threads in settings)
    rows = [f"| phase: CPU ms per forward + gradient, mean of {repeats} (share) | {header} |",
            "| --- |" + " --- |" * len(settings)]
    for phase in phases:
        cells = []
        for setting in settings:
            spent = clocks[setting].seconds.get(phase, 0.0)
            cells.append(f"{1e3 * spent / repeats:.2f} ({100 * spent / sum(clocks[setting].seconds.values()):.0f} %)")
        rows.append(f"| {phase} | {' | '.join(cells)} |")
    rows += ["| whole forward + gradient, median | " + " | ".join(
                 f"{1e3 * np.median(wholes[setting]):.2f}" for setting in settings) + " |",
             "| plain NumPy network's forward + gradient, median | " + " | ".join(
                 f"{1e3 * np.median(floors[setting]):.2f}" for setting in settings) + " |",
             "| ratio, median of paired repeats | " + " | ".join(
                 f"{np.median(np.array(wholes[setting]) / np.array(floors[setting])):.2f}x" for setting in settings)
             + " |"]
    for row in rows:
        print(row, flush=True)
    return rows


def _allocation_rows(kernels: dict) -> list[str]:
    """Per kernel: the peak of NumPy's memory during one forward + gradient above what was
    alive before (tracemalloc traces NumPy's data), and what a fresh (1079, 100) array, the
    size of a junction array, costs to allocate and free (with ``keep_freed_memory`` on, as
    in every row above): the allocation phase, which the passes' own times include."""
    rows = ["", "| kernel | NumPy memory at the peak of one forward + gradient (MB) | a fresh 1079 x 100 array, "
            "allocated and freed (CPU us) |", "| --- | --- | --- |"]
    started = time.process_time()
    for _ in range(1000):
        np.empty((1079, 100))
    fresh = (time.process_time() - started) / 1000
    for name, action in kernels.items():
        action()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        action()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(f"| {name} | {(peak - before) / 1e6:.1f} | {1e6 * fresh:.1f} |")
        print(rows[-1], flush=True)
    return rows


def phases_suite() -> list[tuple[str, list[str]]]:
    """The phase table on the model CIRCUITNET_FLOOR_MODEL names, or on one the digits28 fit trains."""
    title = "Surrogate: where the forward + full gradient goes, by phase, 784-100-10, full batch"
    model = os.environ.get("CIRCUITNET_FLOOR_MODEL")
    if model:
        return [(title, phases_case(Path(model)))]
    with tempfile.TemporaryDirectory(prefix="circuitnet-phases-") as folder:
        digits28_case(Path(folder) / "run")
        return [(title, phases_case(Path(folder) / "run" / "model.json"))]
