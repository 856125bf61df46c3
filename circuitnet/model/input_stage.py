"""The input stage a built circuit needs in front of each input: it turns the signal a person
has (a voltage that stands for the data value) into the circuit's input, applying the model's
data scaling (``model.scaling``) and its volts per unit.

The circuit wants ``v_k = s * (x_k - x_offset_k) / x_scale_k`` volts on node ``xK`` (s: the
circuit's volts per unit). The signal is ``V_in = x_k`` volts where the training range of x_k
fits within +-``MAX_SIGNAL_V``; else a signal that spans -10 V .. +10 V over the training range.
Either way ``v_k = gain * V_in + offset``, made by an inverting summer (gain resistor, an offset
resistor from +-V_ref) and a unity inverter after it.

A small offset wants a large offset resistor (``FEEDBACK_OHMS * V_ref / |offset|``: 7.2 MOhm
for an offset of 1.4 mV), beyond the circuit's resistor range. Such a stage takes its offset
from a divider on the rail instead (a T network): ``r_divider_top`` from the rail to a tap,
``r_divider_bottom`` from the tap to ground, and ``r_offset`` from the tap to the summer, sized
with the divider's own resistance (its Thevenin R) counted, so every resistor is in range and
the current into the summer is the same.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .circuit import Circuit
from .sweep import UNRECORDED_SWEEP

MAX_SIGNAL_V = 10.0
FEEDBACK_OHMS = 10e3


@dataclass(frozen=True)
class InputStage:
    """One input's stage. signal: what V_in is, in words; gain (V/V) and offset (V): v = gain *
    V_in + offset; r_in, r_offset (inf: none), r_feedback: the summer's ohms; offset_rail:
    ``vref`` or ``vref_inv`` (the rail r_offset comes from); needed: False when v = V_in.
    r_divider_top, r_divider_bottom: the T network's divider on that rail where a direct
    r_offset would be beyond the resistor range (see the module docstring), else inf."""

    @property
    def offset_current_a(self) -> float:
        """Amperes the offset branch drives into the summer's virtual ground per volt of V_ref:
        offset / (r_feedback x V_ref) is what it must be (checked in the tests)."""
        if not np.isfinite(self.r_offset):
            return 0.0
        if not np.isfinite(self.r_divider_top):
            return 1.0 / self.r_offset
        top, bottom = self.r_divider_top, self.r_divider_bottom
        return bottom / (top + bottom) / (self.r_offset + top * bottom / (top + bottom))

    node: str
    name: str
    signal: str
    gain: float
    offset: float
    r_in: float
    r_offset: float
    offset_rail: str
    r_feedback: float = FEEDBACK_OHMS
    r_divider_top: float = float("inf")  # inf: no divider, r_offset comes straight from the rail
    r_divider_bottom: float = float("inf")

    @property
    def needed(self) -> bool:
        return not (abs(self.gain - 1.0) < 1e-9 and abs(self.offset) < 1e-12)


def input_stages(circuit: Circuit) -> list[InputStage]:
    """The stage of every input of ``circuit``."""
    n = circuit.n_inputs
    record, scaling, s = circuit.data_record, circuit.data_scaling, circuit.volts_per_unit
    low = record.input_low if record is not None else np.full(n, UNRECORDED_SWEEP[0])
    high = record.input_high if record is not None else np.full(n, UNRECORDED_SWEEP[1])
    names = record.input_names if record is not None else tuple(f"x{k + 1}" for k in range(n))
    stages = []
    for k in range(n):
        x_offset = float(scaling.x_offset[k]) if scaling is not None else 0.0
        x_scale = float(scaling.x_scale[k]) if scaling is not None else 1.0
        if max(abs(low[k]), abs(high[k])) <= MAX_SIGNAL_V:  # V_in = x volts
            g_in, c_in = 1.0, 0.0
            signal = "V_in = the data value in volts (1 V per data unit)"
        else:  # V_in spans -10 .. +10 V over low .. high
            g_in = 2 * MAX_SIGNAL_V / (high[k] - low[k])
            c_in = -MAX_SIGNAL_V - g_in * low[k]
            signal = f"V_in from -10 V at the data value {low[k]:g} to +10 V at {high[k]:g}"
        gain = s / (g_in * x_scale)
        offset = -s * (c_in / g_in + x_offset) / x_scale
        r_offset = FEEDBACK_OHMS * circuit.v_ref / abs(offset) if abs(offset) > 1e-12 else float("inf")
        stage = InputStage(f"x{k + 1}", names[k], signal, gain, offset, FEEDBACK_OHMS / gain, r_offset,
                           "vref" if offset > 0 else "vref_inv")
        stages.append(_with_divider(stage, circuit.resistor_range) if r_offset > circuit.resistor_range[1] and
                      np.isfinite(r_offset) else stage)
    return stages


def _with_divider(stage: InputStage, resistor_range: tuple[float, float]) -> InputStage:
    """``stage`` with its offset from a T network (the module docstring): the divider's bottom
    resistor at the range's low end, its top sized so the tap's Thevenin voltage is k V_ref
    with k = (r_series + bottom) / r_offset for a series resistor of a tenth of the range's top;
    the series resistor then carries the direct r_offset's current exactly: k / (r_series' +
    R_th) = 1 / r_offset gives r_series' = k r_offset - R_th. ``stage`` unchanged where even
    that divider's top would be beyond the range (an offset under about 0.1 mV per volt of
    V_ref, which ``circuitnet build`` refuses, naming it)."""
    low, high = resistor_range
    bottom = low
    ratio = (high / 10 + bottom) / stage.r_offset
    top = bottom * (1 / ratio - 1)
    if top > high:
        return stage
    thevenin = top * bottom / (top + bottom)
    return replace(stage, r_offset=ratio * stage.r_offset - thevenin, r_divider_top=top, r_divider_bottom=bottom)
