"""The input stage a built circuit needs in front of each input: it turns the signal a person
has (a voltage that stands for the data value) into the circuit's input, applying the model's
data scaling (``model.scaling``) and its volts per unit.

The circuit wants ``v_k = s * (x_k - x_offset_k) / x_scale_k`` volts on node ``xK`` (s: the
circuit's volts per unit). The signal is ``V_in = x_k`` volts where the training range of x_k
fits within +-``MAX_SIGNAL_V``; else a signal that spans -10 V .. +10 V over the training range.
Either way ``v_k = gain * V_in + offset``, made by an inverting summer (gain resistor, an offset
resistor from +-V_ref) and a unity inverter after it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .circuit import Circuit
from .sweep import UNRECORDED_SWEEP

MAX_SIGNAL_V = 10.0
FEEDBACK_OHMS = 10e3


@dataclass(frozen=True)
class InputStage:
    """One input's stage. signal: what V_in is, in words; gain (V/V) and offset (V): v = gain *
    V_in + offset; r_in, r_offset (inf: none), r_feedback: the summer's ohms; offset_rail:
    ``vref`` or ``vref_inv`` (the rail r_offset comes from); needed: False when v = V_in."""

    node: str
    name: str
    signal: str
    gain: float
    offset: float
    r_in: float
    r_offset: float
    offset_rail: str
    r_feedback: float = FEEDBACK_OHMS

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
        stages.append(InputStage(f"x{k + 1}", names[k], signal, gain, offset, FEEDBACK_OHMS / gain, r_offset,
                                 "vref" if offset > 0 else "vref_inv"))
    return stages
