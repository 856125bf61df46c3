"""A board that differs from its model, the way a built one does: every resistor off by a
drawn tolerance, another temperature, another diode or op-amp. ``spice-loop`` training
simulates the board and differentiates the model; ``surrogate`` training never sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .circuit import Circuit, map_resistors
from .devices import diode as library_diode


@dataclass(frozen=True)
class Board:
    """tolerance: each resistor is nominal * (1 + tolerance * u), u uniform in [-1, 1],
    drawn once from ``seed`` in a fixed order; temperature_c: the board's temperature;
    diode: a library diode name replacing the model's; opamp_gain: another open-loop gain."""

    tolerance: float = 0.0
    seed: int = 0
    temperature_c: float = 27.0
    diode: str | None = None
    opamp_gain: float | None = None

    def apply(self, circuit: Circuit) -> Circuit:
        """The board's version of a nominal circuit (same errors for the same structure)."""
        rng = np.random.default_rng(self.seed)

        def drawn(path, ohms):
            return ohms * (1.0 + self.tolerance * rng.uniform(-1.0, 1.0, ohms.shape))  # inf stays inf

        board = map_resistors(circuit, drawn)
        if self.diode is not None:
            board = replace(board, diode=library_diode(self.diode))
        if self.opamp_gain is not None:
            board = replace(board, opamp=replace(circuit.opamp, gain=self.opamp_gain))
        return board

    def describe(self) -> str:
        parts = [f"resistors within +-{100 * self.tolerance:g} % (seed {self.seed})", f"{self.temperature_c:g} C"]
        if self.diode:
            parts.append(f"diode {self.diode}")
        if self.opamp_gain:
            parts.append(f"op-amp gain {self.opamp_gain:g}")
        return ", ".join(parts)
