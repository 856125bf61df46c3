"""A board that differs from its model, the way a built one does: every resistor off by a
drawn tolerance, another temperature, another diode or op-amp, and the op-amps' input offsets
and bias currents. ``spice-loop`` training simulates the board and differentiates the model;
``surrogate`` training never sees it."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..errors import InvalidDeviceError
from .circuit import Circuit, map_resistors
from .devices import diode as library_diode
from .opamp_offsets import draw_offsets
from .opamp_parts import OpAmpPart, opamp_part

# The op-amp errors come from their own random stream of the board's seed, so that a board with
# offsets has the same resistor errors as the same board without them.
OFFSET_STREAM = 18


@dataclass(frozen=True)
class Board:
    """tolerance: each resistor is nominal * (1 + tolerance * u), u uniform in [-1, 1],
    drawn once from ``seed`` in a fixed order; temperature_c: the board's temperature;
    diode: a library diode name replacing the model's; opamp_gain: another open-loop gain.
    opamp_offsets: give every op-amp an input offset voltage and input bias currents, drawn
    from ``seed`` (see ``opamp_offsets`` for the distribution); opamp_part: the part they are
    drawn for (``opamp_parts.OPAMP_PARTS``), or None: the circuit's own (``OpAmpModel.part``)."""

    tolerance: float = 0.0
    seed: int = 0
    temperature_c: float = 27.0
    diode: str | None = None
    opamp_gain: float | None = None
    opamp_offsets: bool = False
    opamp_part: str | None = None

    def __post_init__(self) -> None:
        if self.opamp_part is not None:
            opamp_part(self.opamp_part)  # an unknown name fails here, not at the first simulation

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
        if self.opamp_offsets:
            shapes = [(stage.n_in, stage.n_out) for stage in circuit.stages]
            offsets = draw_offsets(self.part_of(circuit), shapes, np.random.default_rng([self.seed, OFFSET_STREAM]))
            board = replace(board, opamp_offsets=offsets)
        return board

    def part_of(self, circuit: Circuit) -> OpAmpPart:
        """The op-amp part whose offsets this board draws: its own ``opamp_part``, else the circuit's."""
        name = self.opamp_part or circuit.opamp.part
        if name is None:
            raise InvalidDeviceError("a board with op-amp offsets needs an op-amp part: the circuit has the generic "
                                     "op-amp model, so name one (Board(opamp_part='TL072'), or build the circuit "
                                     "with --opamp PART)")
        return opamp_part(name)

    def describe(self) -> str:
        parts = [f"resistors within +-{100 * self.tolerance:g} % (seed {self.seed})", f"{self.temperature_c:g} C"]
        if self.diode:
            parts.append(f"diode {self.diode}")
        if self.opamp_gain:
            parts.append(f"op-amp gain {self.opamp_gain:g}")
        if self.opamp_offsets:
            parts.append(f"op-amp input offsets and bias currents of {self.opamp_part or 'the circuit part'} "
                         f"(seed {self.seed})")
        return ", ".join(parts)
