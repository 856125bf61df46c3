"""Data in the units the user has, circuits in the voltage window their parts allow.

A circuit works in its own units (``volts = volts_per_unit * u``) and its parts bound u to a
few units (see ``limits``). Data comes in any units: a sensor's 0..100, a price. A
``DataScaling`` maps each input column affinely onto the circuit's window and the circuit's
outputs back: ``u_k = (x_k - x_offset[k]) / x_scale[k]`` and ``y_j = y_offset[j] +
y_scale[j] * output_j``. ``fit`` chooses one from the training data and stores it with the
circuit; every backend, the netlist writer and compare apply it, so users only ever see
their own units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import frozen_array

# A column whose values stay within +-WINDOW data units is left as it is: the circuits of
# this package take signals of a few units, and the built-in targets stay unscaled.
WINDOW = 2.0


@dataclass(frozen=True)
class DataScaling:
    """x_offset, x_scale: shape (n_inputs,); y_offset, y_scale: shape (n_outputs,); data
    units per circuit unit for the scales (all positive)."""

    x_offset: np.ndarray
    x_scale: np.ndarray
    y_offset: np.ndarray
    y_scale: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x_offset", "x_scale", "y_offset", "y_scale"):
            value = np.asarray(getattr(self, name), dtype=float).reshape(-1)
            if not np.all(np.isfinite(value)) or (name.endswith("scale") and not np.all(value > 0)):
                raise ValueError(f"{name} = {value.tolist()}; offsets must be finite and scales finite and positive")
            object.__setattr__(self, name, frozen_array(value))

    @classmethod
    def for_data(cls, x: np.ndarray, y: np.ndarray) -> DataScaling | None:
        """The scaling that maps every column leaving +-WINDOW onto [-1, 1] by its range (the
        others untouched), or None when no column needs one. x: (n, n_inputs); y: (n, n_outputs)."""
        x_offset, x_scale = _columns(np.asarray(x, dtype=float))
        y_offset, y_scale = _columns(np.asarray(y, dtype=float))
        if not (np.any(x_scale != 1) or np.any(y_scale != 1)):
            return None
        return cls(x_offset, x_scale, y_offset, y_scale)

    def to_circuit(self, x: np.ndarray) -> np.ndarray:
        """Inputs (n, n_inputs) in data units -> circuit units."""
        return (np.asarray(x, dtype=float) - self.x_offset) / self.x_scale

    def to_data(self, y: np.ndarray) -> np.ndarray:
        """Outputs (n, n_outputs) in circuit units -> data units."""
        return self.y_offset + self.y_scale * np.asarray(y, dtype=float)

    def target_to_circuit(self, y: np.ndarray) -> np.ndarray:
        """Targets (n, n_outputs) in data units -> circuit units (the inverse of ``to_data``)."""
        return (np.asarray(y, dtype=float) - self.y_offset) / self.y_scale

    def sweep_to_circuit(self, start: float, stop: float, n: int) -> tuple[float, float, float]:
        """A sweep of input 1 from start to stop (data units, n points) as (start, stop,
        step) in circuit units."""
        low, high = (np.array([start, stop]) - self.x_offset[0]) / self.x_scale[0]
        return float(low), float(high), float((high - low) / (n - 1))

    def to_dict(self) -> dict:
        return {name: getattr(self, name).tolist() for name in ("x_offset", "x_scale", "y_offset", "y_scale")}

    def describe(self) -> list[str]:
        """One line per input and output, for a netlist header."""
        lines = [f"x{k + 1} = {o:.6g} + {s:.6g} * (circuit input {k + 1})"
                 for k, (o, s) in enumerate(zip(self.x_offset, self.x_scale, strict=False))]
        return lines + [f"y{j + 1} = {o:.6g} + {s:.6g} * (circuit output {j + 1})"
                        for j, (o, s) in enumerate(zip(self.y_offset, self.y_scale, strict=False))]


def _columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(offset, scale) per column: identity inside +-WINDOW, else the range onto [-1, 1]."""
    low, high = values.min(axis=0), values.max(axis=0)
    inside = np.maximum(np.abs(low), np.abs(high)) <= WINDOW
    spread = np.where(high > low, (high - low) / 2, 1.0)
    return np.where(inside, 0.0, (high + low) / 2), np.where(inside, 1.0, spread)
