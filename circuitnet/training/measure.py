"""The figures of a fit's report, each recomputable from model.json, the data and the board."""

from __future__ import annotations

import numpy as np

from ..backends.ideal import IdealBackend
from ..backends.surrogate import SurrogateBackend
from ..model.board import Board
from ..model.circuit import Circuit
from .data import Split


def rmse(prediction: np.ndarray, target: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(prediction) - np.asarray(target)) ** 2)))


def measure(circuit: Circuit, split: Split, board: Board, spice) -> dict:
    """The report's figures, each recomputable from model.json, the data and the board:
    ngspice on the board for every split, and the ideal read-back and the surrogate (the
    nominal model at 27 C) on the test split."""
    built = board.apply(circuit)
    figures = {f"{name}_rmse": rmse(spice.simulate(built, x, board.temperature_c).y, y)
               for name, (x, y) in split.parts().items() if name != "test"}
    figures["test_rmse_spice"] = rmse(spice.simulate(built, split.x_test, board.temperature_c).y, split.y_test)
    figures["test_rmse_ideal"] = rmse(IdealBackend().simulate(circuit, split.x_test).y, split.y_test)
    figures["test_rmse_surrogate"] = rmse(SurrogateBackend().simulate(circuit, split.x_test).y, split.y_test)
    return figures
