"""The last guarantee that a classifier's output summers stay inside their rails.

Training pays for outputs beyond the swing (``losses.RailBounded``), but a penalty is soft:
cross-entropy on separable data keeps pushing the class scores apart, and E-series snapping
moves every resistor afterwards. A classifier's prediction is the argmax of its outputs, and
an inverting summer's output is ``-R_f * sum_k G_k V_k``: scaling every output summer's
feedback resistor R_f by one factor scales every output by it and keeps the argmax. It
changes nothing upstream either, because the summers' input currents flow into a virtual
ground whatever R_f is. So after every stage the run scales the output stage down until no
output passes the swing at any input of the data; that costs no accuracy.

Two cases leave that exactness, and the loop below re-simulates after each step to stay
honest: an R_f that would go below the resistor range stops at its minimum, and the rest of
the factor comes from the summer's input resistors (which load the rectifiers before them);
with an E-series, R_f steps down to the series value at or below the wanted one (summers
that share one R_f, the usual 10 k, still step together).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..backends.surrogate import SurrogateBackend
from ..model.board import Board
from ..model.circuit import Circuit

MAX_ROUNDS = 8  # scale, re-simulate; one round is enough unless a resistor reaches its range's end
# Each round aims this fraction below the limit: the finite-gain op-amps and, when the inputs
# move, the rectifiers' loading make a step land a hair off the factor asked for.
AIM_BELOW = 1e-4


@dataclass(frozen=True)
class OutputScaling:
    """What keeping the outputs inside ``limit_v`` did: the worst |output|, volts, over the
    inputs before and after (equal when the circuit was already inside)."""

    limit_v: float
    worst_before_v: float
    worst_after_v: float

    @property
    def scale(self) -> float:
        """The factor the outputs were scaled by (1: untouched)."""
        return self.worst_after_v / self.worst_before_v if self.worst_before_v > 0 else 1.0

    def to_dict(self) -> dict:
        return {"limit_v": self.limit_v, "worst_before_v": self.worst_before_v,
                "worst_after_v": self.worst_after_v, "scale": self.scale}


def worst_output_volts(circuit: Circuit, x: np.ndarray, board: Board) -> float:
    """The largest |output| in volts of the nominal circuit (27 C) and of the board at its
    temperature, over inputs x (n, n_inputs) in the circuit's input units (the surrogate)."""
    surrogate = SurrogateBackend()
    worst = float(np.max(np.abs(surrogate.simulate(circuit, x).y_volts)))
    if board != Board():
        built = surrogate.simulate(board.apply(circuit), x, board.temperature_c).y_volts
        worst = max(worst, float(np.max(np.abs(built))))
    return worst


def keep_outputs_within(circuit: Circuit, x: np.ndarray, limit_v: float, board: Board,
                        series: np.ndarray | None = None) -> tuple[Circuit, OutputScaling]:
    """``circuit`` with its output summers scaled down until no output passes ``limit_v``
    volts at any of x (n, n_inputs), circuit units, on the nominal circuit and on ``board``.

    series: the E-series values (ohms, ascending) every resistor must take, or None.
    Returns the circuit and what was done; a circuit already inside is returned unchanged.
    """
    before = worst = worst_output_volts(circuit, x, board)
    scaled = circuit
    for _ in range(MAX_ROUNDS):
        if worst <= limit_v:
            break
        scaled = _scaled_output_stage(scaled, limit_v * (1 - AIM_BELOW) / worst, series)
        worst = worst_output_volts(scaled, x, board)
    return scaled, OutputScaling(float(limit_v), before, worst)


def _scaled_output_stage(circuit: Circuit, factor: float, series: np.ndarray | None) -> Circuit:
    """Every output summer's gain times ``factor`` (< 1): R_f down to the range's minimum,
    the rest by raising its input resistors (to the range's maximum); on the series, R_f
    rounds down and raised input resistors round up, so no gain ends above the factor's."""
    stage = circuit.stages[-1]
    r_min, r_max = circuit.resistor_range
    wanted = stage.required("r_feedback") * factor
    r_feedback = np.maximum(wanted, r_min)
    if series is not None:
        r_feedback = _snap(r_feedback, series, down=True)
    rest = np.minimum(wanted / r_feedback, 1.0)  # 1 where R_f took the whole factor
    raised = rest < 1.0

    def inputs(ohms: np.ndarray) -> np.ndarray:
        moved = np.minimum(ohms / rest[:, None], r_max)
        if series is not None:
            moved = _snap(moved, series, down=False)
        return np.where(raised[:, None] & np.isfinite(ohms), moved, ohms)  # no resistor stays none

    output = replace(stage, r_feedback=r_feedback, r_plain=inputs(stage.r_plain), r_inverted=inputs(stage.r_inverted))
    return replace(circuit, stages=circuit.stages[:-1] + (output,))


def _snap(resistance: np.ndarray, series: np.ndarray, down: bool) -> np.ndarray:
    """Each finite resistance moved to the series value at or below it (``down``) or at or
    above it, within the series' ends; inf (no resistor) stays inf."""
    resistance = np.asarray(resistance, dtype=float)
    finite = np.isfinite(resistance)
    target = np.where(finite, resistance, series[0]) * (1 + 1e-9 if down else 1 - 1e-9)  # a value on the series stays
    index = np.searchsorted(series, target, side="right") - 1 if down else np.searchsorted(series, target, side="left")
    return np.where(finite, series[np.clip(index, 0, len(series) - 1)], np.inf)
