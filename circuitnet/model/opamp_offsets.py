"""The input errors of a built board's op-amps: each one's input offset voltage and the bias
currents into its two inputs, drawn from its part's data-sheet figures.

An op-amp with input errors is the ideal-input op-amp of ``devices.OpAmpModel`` with

- a voltage source V_os in series with its + input (out = A (v+ + V_os - v-)), and
- a current source from each input to ground: I_b+ and I_b- amperes flow *into* the inputs
  (a negative value flows out).

The nominal circuit has none (``Circuit.opamp_offsets`` is None); a ``Board`` draws them.

The distribution (data sheets give a typical and a maximum magnitude, not a distribution):

- V_os ~ Normal(0, sigma), sigma = vos_typ * sqrt(pi / 2): the typical figure taken as the mean
  magnitude E|V_os| of a centred normal (E|X| = sigma sqrt(2 / pi)), the sign random from part
  to part. Values beyond +-vos_max are drawn again: the maximum is a tested limit, so no part
  shipped exceeds it. For the TL072 (3 / 10 mV) sigma = 3.76 mV and the limit is 2.66 sigma;
  for the OPA4277 (20 / 50 uV) sigma = 25 uV and the limit 2.0 sigma.
- The input offset current I_os = I_b+ - I_b- likewise: Normal(0, ios_typ * sqrt(pi / 2)),
  within +-ios_max.
- The bias current I_b = (I_b+ + I_b-) / 2 has a known direction for most input stages: its
  magnitude ~ Normal(ib_typ, (ib_max - ib_typ) / 3), within [0, ib_max] (the maximum taken as a
  three-sigma bound); into the inputs, or out of them for the parts in ``CURRENT_OUT_OF_INPUTS``
  (PNP input stages); I_b+- = I_b +- I_os / 2, each kept in that direction (a magnitude below 0,
  where I_b is small, is taken as 0). A part whose offset current is as large as its bias current
  (``ios_typ >= ib_typ``: an input stage with bias-current cancellation, such as the OPA4277)
  has no common direction: its I_b is drawn like V_os, Normal(0, ib_typ sqrt(pi / 2)) within
  +-ib_max, and I_os as above.

Draws are seeded and in a fixed order (``op_amp_sites``): every stage's inverter sites, then its
unit sites, stage by stage; all V_os, then all I_b, then all I_os. Every *possible* site is drawn,
whether or not its op-amp exists (an inverter exists only where some weight takes that signal
inverted), so the op-amps a board has keep their errors when training moves a weight's sign.
Units volts and amperes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidDeviceError
from .network import frozen_array
from .opamp_parts import OpAmpPart

# typical = mean magnitude of a centred normal: sigma = typical * sqrt(pi / 2)
SIGMA_PER_TYPICAL = math.sqrt(math.pi / 2.0)
# The maximum of a bias current with a direction, taken as three standard deviations above typical.
BIAS_MAX_SIGMAS = 3.0
# Parts whose bias current flows out of the inputs: TI's LM358 data sheet (SNOSBT3), note to IIB:
# "the direction of the input current is out of the IC due to the PNP input stage".
CURRENT_OUT_OF_INPUTS = frozenset({"LM358"})
_REDRAWS = 200  # truncation by redrawing: the chance of an element surviving 200 redraws is nil


@dataclass(frozen=True)
class InputErrors:
    """The input errors of a row of op-amp sites, each (k,): vos volts (in series with the +
    input), ib_plus and ib_minus amperes into the + and - inputs."""

    vos: np.ndarray
    ib_plus: np.ndarray
    ib_minus: np.ndarray

    def __post_init__(self) -> None:
        for name in ("vos", "ib_plus", "ib_minus"):
            object.__setattr__(self, name, frozen_array(getattr(self, name)))

    def at(self, index: int) -> tuple[float, float, float]:
        """(vos, ib_plus, ib_minus) of site ``index``."""
        return float(self.vos[index]), float(self.ib_plus[index]), float(self.ib_minus[index])


@dataclass(frozen=True)
class OpAmpOffsets:
    """Every op-amp site's input errors on one board.

    part: the op-amp part they were drawn for (``opamp_parts.OPAMP_PARTS``).
    inverters: one InputErrors per stage, (n_in,): the unity inverter of each input signal.
    units: one InputErrors per stage, (n_out,): each unit's summer (or superdiode) op-amp; a
        stage with no op-amp per unit (a passive hidden stage) has them too, unused.
    """

    part: str
    inverters: tuple[InputErrors, ...]
    units: tuple[InputErrors, ...]

    def inverter(self, stage: int, signal: int) -> tuple[float, float, float]:
        """(vos, ib_plus, ib_minus) of the inverter of input signal ``signal`` of ``stage``."""
        return self.inverters[stage].at(signal)

    def unit(self, stage: int, unit: int) -> tuple[float, float, float]:
        """(vos, ib_plus, ib_minus) of the op-amp of unit ``unit`` of ``stage``."""
        return self.units[stage].at(unit)

    def largest(self) -> dict[str, float]:
        """The largest magnitude of each error over every site: {"vos_v", "ib_a"}."""
        rows = self.inverters + self.units
        return {"vos_v": max(float(np.max(np.abs(r.vos), initial=0.0)) for r in rows),
                "ib_a": max(float(np.max(np.abs(np.concatenate([r.ib_plus, r.ib_minus])), initial=0.0))
                            for r in rows)}


def op_amp_sites(stage_shapes: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """The draw order: (kind, stage, index) for every stage's ``n_in`` inverter sites, then its
    ``n_out`` unit sites. stage_shapes: (n_in, n_out) of each stage."""
    sites = []
    for stage, (n_in, n_out) in enumerate(stage_shapes):
        sites += [("inverter", stage, k) for k in range(n_in)] + [("unit", stage, j) for j in range(n_out)]
    return sites


def draw_offsets(part: OpAmpPart, stage_shapes: list[tuple[int, int]], rng: np.random.Generator) -> OpAmpOffsets:
    """Input errors of every site of a circuit whose stages have these (n_in, n_out), drawn
    from ``part``'s distribution (see the module docstring) with ``rng``."""
    count = len(op_amp_sites(stage_shapes))
    vos = _centred(rng, count, part.vos_typ_v, part.vos_max_v)
    if part.ios_typ_a >= part.ib_typ_a:  # bias-current cancellation: no common direction
        bias = _centred(rng, count, part.ib_typ_a, part.ib_max_a)
        offset_current = _centred(rng, count, part.ios_typ_a, part.ios_max_a)
        ib_plus, ib_minus = bias + 0.5 * offset_current, bias - 0.5 * offset_current
    else:
        direction = -1.0 if part.name in CURRENT_OUT_OF_INPUTS else 1.0
        spread = (part.ib_max_a - part.ib_typ_a) / BIAS_MAX_SIGMAS
        bias = _truncated_normal(rng, count, part.ib_typ_a, spread, 0.0, part.ib_max_a)
        offset_current = _centred(rng, count, part.ios_typ_a, part.ios_max_a)
        # each input's current keeps the input stage's direction (a magnitude below 0 is taken as 0)
        ib_plus = direction * np.maximum(bias + 0.5 * offset_current, 0.0)
        ib_minus = direction * np.maximum(bias - 0.5 * offset_current, 0.0)
    rows = _split(stage_shapes, vos, ib_plus, ib_minus)
    return OpAmpOffsets(part.name, *rows)


def _centred(rng: np.random.Generator, count: int, typical: float, maximum: float) -> np.ndarray:
    """Normal(0, typical * sqrt(pi/2)) within +-maximum: ``typical`` is the mean magnitude."""
    return _truncated_normal(rng, count, 0.0, typical * SIGMA_PER_TYPICAL, -maximum, maximum)


def _truncated_normal(rng: np.random.Generator, count: int, mean: float, sigma: float, low: float,
                      high: float) -> np.ndarray:
    """Normal(mean, sigma) values, those outside [low, high] drawn again."""
    if not (low <= mean <= high and sigma >= 0):
        raise InvalidDeviceError(f"an op-amp error distribution with mean {mean:g} and sigma {sigma:g} must have "
                                 f"its mean inside [{low:g}, {high:g}]; check the part's typical and maximum figures")
    values = rng.normal(mean, sigma, count)
    for _ in range(_REDRAWS):
        outside = (values < low) | (values > high)
        if not outside.any():
            break
        values[outside] = rng.normal(mean, sigma, int(outside.sum()))
    return np.clip(values, low, high)


def _split(stage_shapes, vos, ib_plus, ib_minus) -> tuple[tuple[InputErrors, ...], tuple[InputErrors, ...]]:
    """The flat site arrays (in ``op_amp_sites`` order) cut into (inverters, units) per stage."""
    inverters: list[InputErrors] = []
    units: list[InputErrors] = []
    start = 0
    for n_in, n_out in stage_shapes:
        for rows, width in ((inverters, n_in), (units, n_out)):
            part = slice(start, start + width)
            rows.append(InputErrors(vos[part], ib_plus[part], ib_minus[part]))
            start += width
    return tuple(inverters), tuple(units)
