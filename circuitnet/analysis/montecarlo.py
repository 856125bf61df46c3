"""Monte Carlo boards: every resistor drawn uniformly within its tolerance (and, optionally, the
diodes' IS spread log-normally; and, for a circuit built with a real op-amp part, every op-amp's
input offset and bias currents), each board simulated in ngspice, streamed.

Board k is made from its own seed (seed, k), so any task can build any board, and the same
seed gives the same boards on one machine or on a cluster. The boards are never all held at
once: ``stream_boards`` hands tasks of a few boards to the executor, group by group, each task
builds its own boards and sends back only what a ``BoardMeasurement`` measures on them.

Two measurements use it. ``SweepDeviation`` (``compare`` of a regression circuit, through
``monte_carlo``): one number per board (its max |y - reference| over the sweep, the
reference being the nominal circuit in ngspice when ``compare`` calls it), with held-out data
a second (its RMSE against the data), and the pointwise envelope of the outputs, folded in
group by group, so memory holds one float per board and one group of tasks, whatever the
count. ``classifier_compare.BoardAccuracy``: each board's accuracy on the test samples.
Both check each board against its operating limits (``model.limits``) from the same ngspice
run as its figures (``SpiceBackend.simulate_limited``), and name its worst part beyond them:
such a board is no board anyone could build to that figure, so it fails the yield.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Generic, Protocol, TypeVar

import numpy as np

from ..backends.spice.backend import SpiceBackend, owns_spice_for_call, spice_for_call
from ..model.board import Board
from ..model.circuit import Circuit
from ..model.devices import DiodeModel
from ..model.limits import Violation

MC_BATCH = 25  # boards per task of a regression sweep
TASKS_PER_WORKER = 16  # tasks per worker in one group: few group boundaries, where workers wait
Measured = TypeVar("Measured")  # what a BoardMeasurement returns for one task's boards
Measured_co = TypeVar("Measured_co", covariant=True)


def monte_carlo_board(circuit: Circuit, k: int, tolerance: float, seed: int, is_spread: float = 0.0) -> Circuit:
    """Board k: resistors drawn uniformly within +-tolerance from seed (seed, k); with
    ``is_spread``, the diodes' IS times exp(is_spread * N(0, 1)); when the circuit is built with
    a real op-amp part (``OpAmpModel.part``), its op-amps' input offsets and bias currents drawn
    from that part's data sheet (``model.opamp_offsets``) from the same seed."""
    board = Board(tolerance=tolerance, seed=board_seed(seed, k), opamp_offsets=circuit.opamp.part is not None)
    instance = board.apply(circuit)
    if is_spread > 0:
        factor = float(np.exp(is_spread * np.random.default_rng([seed, k, 1]).normal()))
        params = dict(circuit.diode.params, IS=circuit.diode.params["IS"] * factor)
        instance = replace(instance, diode=DiodeModel("custom", params, f"{circuit.diode.name} with IS x{factor:.3g}"))
    return instance


def board_seed(seed: int, k: int) -> int:
    """The ``Board.seed`` of Monte Carlo board k of ``seed`` (so a fit can train against that board)."""
    return int(np.random.SeedSequence([seed, k]).generate_state(1)[0])


def monte_carlo_instances(circuit: Circuit, count: int, tolerance: float, seed: int,
                          is_spread: float = 0.0) -> list[Circuit]:
    """Boards 0 .. count - 1 as a list (for small counts; ``monte_carlo`` streams them)."""
    return [monte_carlo_board(circuit, k, tolerance, seed, is_spread) for k in range(count)]


def worst_beyond(found: list[Violation]) -> str:
    """A board's worst part outside its safe operating area, in words, from its
    ``SpiceBackend.simulate_limited`` violations (worst first); "" where every part stays inside."""
    return found[0].message() if found else ""


def inside_limits(beyond: list[str]) -> np.ndarray:
    """Which boards keep every part inside its safe operating area, (boards,) bool, from each
    board's ``worst_beyond``: a board that does not fails the yield, whatever its figure."""
    return np.array([not words for words in beyond], dtype=bool)


def beyond_rows(beyond: list[str]) -> list[dict]:
    """compare.json's ``per_board_beyond_limits``: {"board": k, "worst": in words} of each board
    beyond its limits, board order."""
    return [{"board": k, "worst": words} for k, words in enumerate(beyond) if words]


class BoardMeasurement(Protocol[Measured_co]):
    """What one Monte Carlo run measures on its boards: a picklable value (it travels with every
    task) whose ``measure`` simulates one task's boards and returns their figures."""

    @property
    def boards_per_task(self) -> int:
        """Boards one task simulates: enough that a task outlasts its overhead."""
        ...

    def measure(self, spice: SpiceBackend, boards: Iterator[Circuit]) -> Measured_co:
        """The figures of ``boards`` (one task's, in board order), simulated with ``spice``."""
        ...


@dataclass(frozen=True)
class BoardDraw:
    """How a run's boards are drawn (``monte_carlo_board``): resistors within +-tolerance (a
    fraction), the diodes' IS spread log-normally by ``is_spread``, board k from (seed, k)."""

    tolerance: float
    seed: int
    is_spread: float = 0.0

    def board(self, circuit: Circuit, k: int) -> Circuit:
        return monte_carlo_board(circuit, k, self.tolerance, self.seed, self.is_spread)


@dataclass(frozen=True)
class BoardTask(Generic[Measured]):
    """One executor task: boards start .. stop - 1 of ``circuit``, measured. spice: the caller's
    backend where the task runs in the caller's process; None: the process's own."""

    circuit: Circuit
    start: int
    stop: int
    draw: BoardDraw
    measurement: BoardMeasurement[Measured]
    spice: SpiceBackend | None = None


def measure_boards(task: BoardTask[Measured]) -> Measured:
    """An executor task (module level, so executors can send it): the boards built here from
    their seeds, so only the circuit and the draw travel."""
    boards = (task.draw.board(task.circuit, k) for k in range(task.start, task.stop))
    with spice_for_call(task.spice) as spice:
        return task.measurement.measure(spice, boards)


def stream_boards(circuit: Circuit, count: int, draw: BoardDraw, measurement: BoardMeasurement[Measured],
                  executor, progress: Callable[[int, int], None] | None = None,
                  spice: SpiceBackend | None = None) -> Iterator[tuple[BoardTask[Measured], Measured]]:
    """Boards 0 .. count - 1 through ``executor``, ``measurement.boards_per_task`` to a task and
    at most workers x TASKS_PER_WORKER tasks at a time: yields (task, its figures) in board
    order, group by group, so a caller that folds them holds one group in memory.
    progress(boards done, count) as each task finishes. spice: handed to every task (a
    backend and its pool are the caller's; an executor that sends tasks to other processes
    sends a backend without its pool, and those use their own)."""
    per_task = measurement.boards_per_task
    tasks = [BoardTask(circuit, start, min(start + per_task, count), draw, measurement, spice)
             for start in range(0, count, per_task)]
    group = max(1, int(getattr(executor, "workers", 1))) * TASKS_PER_WORKER
    done = 0
    for first in range(0, len(tasks), group):
        chosen = tasks[first:first + group]

        def finished(index: int, chosen=chosen) -> None:
            nonlocal done
            done += chosen[index].stop - chosen[index].start
            if progress is not None:
                progress(done, count)

        yield from zip(chosen, executor.map(measure_boards, chosen, on_done=finished), strict=True)


@dataclass(frozen=True)
class SweepDeviation:
    """A regression circuit's boards against a reference over the points x, and against
    held-out data. x: (n, n_inputs); reference_y: (n, n_outputs); data: None or (x_data (m,
    n_inputs), y_data (m, n_outputs)); data units. ``measure`` returns (max |y - reference|
    of each board over every point and output, (boards,); each board's RMSE against the data,
    (boards,), or None; the pointwise min and max of their first output over x, (n,) each;
    each board's worst part outside its safe operating area at any of the points, in words,
    "" where every part stays inside (``model.limits``), a list (boards,)), from one ngspice
    run a board."""

    x: np.ndarray
    reference_y: np.ndarray
    data: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def boards_per_task(self) -> int:
        return MC_BATCH

    def measure(self, spice: SpiceBackend, boards: Iterator[Circuit]) -> tuple[np.ndarray, np.ndarray | None,
                                                                              np.ndarray, np.ndarray, list[str]]:
        x, data = self.x, self.data
        points = x if data is None else np.vstack([x, data[0]])  # one simulation a board for both
        errors, data_rmse, low, high, beyond = [], [], None, None, []
        for board in boards:
            result, found = spice.simulate_limited(board, points)  # a board past a rail is no board's figure
            beyond.append(worst_beyond(found))
            outputs = result.y
            errors.append(float(np.max(np.abs(outputs[:len(x)] - self.reference_y))))
            if data is not None:
                data_rmse.append(float(np.sqrt(np.mean((outputs[len(x):] - data[1]) ** 2))))
            y = outputs[:len(x), 0]
            low = y if low is None else np.minimum(low, y)
            high = y if high is None else np.maximum(high, y)
        assert low is not None and high is not None  # every task holds at least one board
        return np.array(errors), None if data is None else np.array(data_rmse), low, high, beyond


@owns_spice_for_call
def monte_carlo(circuit: Circuit, x: np.ndarray, reference_y: np.ndarray, count: int, tolerance: float, seed: int,
                is_spread: float, executor, progress: Callable[[int, int], None] | None = None,
                data: tuple[np.ndarray, np.ndarray] | None = None, spice: SpiceBackend | None = None) -> dict:
    """``count`` boards through ``executor``, streamed (see the module docstring).

    reference_y: (n, n_outputs) what each board's outputs over x are measured against. data: held-out
    (x_data (m, n_inputs), y_data (m, n_outputs)) to measure each board's RMSE on, or None.
    Returns {"errors": (count,) max |y - reference| per board over every output, "data_rmse": (count,) RMSE
    against the data per board, or None, "low", "high": (n,) pointwise envelope of the
    outputs, "median_board": (n,) outputs of the board whose error is the median,
    "median_index": its k, "beyond": (count,) each board's worst part outside its safe operating
    area, in words, "" where none is}; data units. progress(boards done, count) as tasks finish.
    spice: the backend the boards run on (default: one made for this call, closed after).
    """
    if np.ndim(reference_y) != 2 or np.shape(reference_y) != (len(x), circuit.n_outputs):
        raise ValueError(f"reference_y has shape {np.shape(reference_y)}; it needs one row per point of x and one "
                         f"column per output: ({len(x)}, {circuit.n_outputs})")
    draw = BoardDraw(tolerance, seed, is_spread)
    errors = np.empty(count)
    data_rmse = None if data is None else np.empty(count)
    low = high = None
    beyond: list[str] = [""] * count
    for task, (found, found_rmse, task_low, task_high, task_beyond) in stream_boards(
            circuit, count, draw, SweepDeviation(x, reference_y, data), executor, progress, spice):
        errors[task.start:task.stop] = found
        beyond[task.start:task.stop] = task_beyond
        if data_rmse is not None:
            data_rmse[task.start:task.stop] = found_rmse
        low = task_low if low is None else np.minimum(low, task_low)
        high = task_high if high is None else np.maximum(high, task_high)
    median_index = int(np.argsort(errors, kind="stable")[(count - 1) // 2])
    assert spice is not None  # given, or made for this call (owns_spice_for_call)
    median_board = spice.simulate(draw.board(circuit, median_index), x).y[:, 0]
    return {"errors": errors, "data_rmse": data_rmse, "low": low, "high": high, "median_index": median_index,
            "median_board": median_board, "beyond": beyond}
