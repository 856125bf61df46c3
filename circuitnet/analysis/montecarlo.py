"""Monte Carlo boards: every resistor drawn uniformly within its tolerance (and, optionally, the
diodes' IS spread log-normally; and, for a circuit built with a real op-amp part, every op-amp's
input offset and bias currents), each board simulated in ngspice, streamed.

Board k is made from its own seed (seed, k), so any task can build any board, and the same
seed gives the same boards on one machine or on a cluster. The boards are never all held at
once. Tasks build their own boards and send back one number per board (its max |y - reference|
over the sweep, the reference being the nominal circuit in ngspice when ``compare`` calls it),
with held-out data a second (its RMSE against the data), and the pointwise envelope of their
outputs. Those are folded in group by group, so memory
holds one float per board and one group of tasks, whatever the count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..backends.spice.backend import SpiceBackend
from ..model.board import Board
from ..model.circuit import Circuit
from ..model.devices import DiodeModel

MC_BATCH = 25  # boards per task
TASKS_PER_WORKER = 16  # tasks per worker in one group: few group boundaries, where workers wait


def monte_carlo_board(circuit: Circuit, k: int, tolerance: float, seed: int, is_spread: float = 0.0) -> Circuit:
    """Board k: resistors drawn uniformly within +-tolerance from seed (seed, k); with
    ``is_spread``, the diodes' IS times exp(is_spread * N(0, 1)); when the circuit is built with
    a real op-amp part (``OpAmpModel.part``), its op-amps' input offsets and bias currents drawn
    from that part's data sheet (``model.opamp_offsets``) from the same seed."""
    board = Board(tolerance=tolerance, seed=int(np.random.SeedSequence([seed, k]).generate_state(1)[0]),
                  opamp_offsets=circuit.opamp.part is not None)
    instance = board.apply(circuit)
    if is_spread > 0:
        factor = float(np.exp(is_spread * np.random.default_rng([seed, k, 1]).normal()))
        params = dict(circuit.diode.params, IS=circuit.diode.params["IS"] * factor)
        instance = replace(instance, diode=DiodeModel("custom", params, f"{circuit.diode.name} with IS x{factor:.3g}"))
    return instance


def monte_carlo_instances(circuit: Circuit, count: int, tolerance: float, seed: int,
                          is_spread: float = 0.0) -> list[Circuit]:
    """Boards 0 .. count - 1 as a list (for small counts; ``monte_carlo`` streams them)."""
    return [monte_carlo_board(circuit, k, tolerance, seed, is_spread) for k in range(count)]


def board_errors(job) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray]:
    """An executor task: boards start .. stop - 1 simulated over x (and the data's inputs).

    job: (circuit, start, stop, tolerance, seed, is_spread, x of shape (n, n_inputs),
    reference outputs of shape (n, n_outputs), data: None or (x_data (m, n_inputs), y_data
    (m, n_outputs)), data units). Returns (max |y - reference| of each board over every point
    and every output, shape (stop - start,); each board's RMSE against the data over every
    output, shape (stop - start,), or None; the pointwise min and max of their first output
    over x, shape (n,), for the envelope plot).
    """
    circuit, start, stop, tolerance, seed, is_spread, x, reference_y, data = job
    spice = SpiceBackend()
    points = x if data is None else np.vstack([x, data[0]])  # one simulation a board for both
    errors, data_rmse, low, high = [], [], None, None
    for k in range(start, stop):
        outputs = spice.simulate(monte_carlo_board(circuit, k, tolerance, seed, is_spread), points).y
        errors.append(float(np.max(np.abs(outputs[:len(x)] - reference_y))))
        y = outputs[:len(x), 0]
        if data is not None:
            data_rmse.append(float(np.sqrt(np.mean((outputs[len(x):] - data[1]) ** 2))))
        low = y if low is None else np.minimum(low, y)
        high = y if high is None else np.maximum(high, y)
    assert low is not None and high is not None  # every job holds at least one board
    return np.array(errors), None if data is None else np.array(data_rmse), low, high


def monte_carlo(circuit: Circuit, x: np.ndarray, reference_y: np.ndarray, count: int, tolerance: float, seed: int,
                is_spread: float, executor, progress: Callable[[int, int], None] | None = None,
                data: tuple[np.ndarray, np.ndarray] | None = None) -> dict:
    """``count`` boards through ``executor``, streamed (see the module docstring).

    reference_y: (n, n_outputs) what each board's outputs over x are measured against. data: held-out
    (x_data (m, n_inputs), y_data (m, n_outputs)) to measure each board's RMSE on, or None.
    Returns {"errors": (count,) max |y - reference| per board over every output, "data_rmse": (count,) RMSE
    against the data per board, or None, "low", "high": (n,) pointwise envelope of the
    outputs, "median_board": (n,) outputs of the board whose error is the median,
    "median_index": its k}; data units. progress(boards done, count) after each group.
    """
    if np.ndim(reference_y) != 2 or np.shape(reference_y) != (len(x), circuit.n_outputs):
        raise ValueError(f"reference_y has shape {np.shape(reference_y)}; it needs one row per point of x and one "
                         f"column per output: ({len(x)}, {circuit.n_outputs})")
    jobs = [(circuit, start, min(start + MC_BATCH, count), tolerance, seed, is_spread, x, reference_y, data)
            for start in range(0, count, MC_BATCH)]
    group = max(1, int(getattr(executor, "workers", 1))) * TASKS_PER_WORKER
    errors = np.empty(count)
    data_rmse = None if data is None else np.empty(count)
    low = high = None
    for first in range(0, len(jobs), group):
        chosen = jobs[first:first + group]
        found_errors = executor.map(board_errors, chosen)
        for job, (found, found_rmse, batch_low, batch_high) in zip(chosen, found_errors, strict=False):
            errors[job[1]:job[2]] = found
            if data_rmse is not None:
                data_rmse[job[1]:job[2]] = found_rmse
            low = batch_low if low is None else np.minimum(low, batch_low)
            high = batch_high if high is None else np.maximum(high, batch_high)
        if progress is not None:
            progress(chosen[-1][2], count)
    median_index = int(np.argsort(errors, kind="stable")[(count - 1) // 2])
    median_board = monte_carlo_board(circuit, median_index, tolerance, seed, is_spread)
    return {"errors": errors, "data_rmse": data_rmse, "low": low, "high": high, "median_index": median_index,
            "median_board": SpiceBackend().simulate(median_board, x).y[:, 0]}
