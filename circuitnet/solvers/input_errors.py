"""The surrogate's terms for a board's op-amp input errors (``model.opamp_offsets``): an offset
V_os in series with each op-amp's + input and a bias current I_b- into its - input. (I_b+ flows
into the + input, which the V_os source holds at V_os whatever the current: it moves no node.)

Every op-amp of a circuit has its + input grounded, so with errors its output is
``A (V_os - v-)`` and its - input draws I_b-. For each op-amp circuit that changes:

- an inverting summer (junction n, inflow S, input conductance G_in, feedback G_f): KCL
  ``S - n G_in + G_f (out - n) - I_b- = 0`` with ``n = V_os - out / A`` is the nominal summer with
  the inflow S replaced by ``S - V_os (G_in + G_f) - I_b-`` (``summer_error_inflow``): its output
  moves by ``(V_os (G_in + G_f) + I_b-) A / (G_in + G_f (1 + A))``, V_os times the noise gain
  ``1 + R_f G_in`` plus I_b- R_f, for large A; its junction sits at
  ``(S - I_b- + V_os A G_f) / (G_in + G_f (1 + A))``;
- a unity inverter (both resistors R): its output is ``(-u + 2 V_os + I_b- R) A / (A + 2)``
  (``inverted_rail_offset`` is the constant part), and it draws
  ``G u (A + 1) / (A + 2) - (G V_os A - I_b-) / (A + 2)`` from its input u
  (``inverter_input_offset`` is the constant part);
- a precision rectifier: see ``topologies.precision``.

Arrays broadcast over units; all Vars or arrays, volts, amperes and siemens.
"""

from __future__ import annotations

import numpy as np

from ..model.circuit import Circuit
from ..model.opamp_offsets import InputErrors


def unit_errors(circuit: Circuit, stage: int) -> InputErrors | None:
    """The errors of each unit's op-amp of ``stage`` (n_out,), or None on a nominal circuit."""
    return None if circuit.opamp_offsets is None else circuit.opamp_offsets.units[stage]


def inverter_errors(circuit: Circuit, stage: int) -> InputErrors | None:
    """The errors of the inverter of each input signal of ``stage`` (n_in,), or None."""
    return None if circuit.opamp_offsets is None else circuit.opamp_offsets.inverters[stage]


def summer_error_inflow(errors: InputErrors, g_sum):
    """The current (n_out,) that a summer's errors add to its inflow S: ``-(V_os G_sum + I_b-)``,
    G_sum = G_in + G_f its junction's total conductance, (n_out,) siemens."""
    return -(g_sum * errors.vos + errors.ib_minus)


def summer_junction_offset(errors: InputErrors, g_f, gain: float):
    """The current (n_out,) that a summer's errors add to ``S`` in its junction voltage
    ``n = (S + this) / (G_in + G_f (1 + A))``: ``-I_b- + V_os A G_f``."""
    return g_f * (errors.vos * gain) - errors.ib_minus


def inverted_rail_offset(errors: InputErrors, g_inverter, gain: float):
    """Volts (n_in,) that each inverter's output adds to ``-u A / (A + 2)``: ``(2 V_os + I_b- R) A / (A + 2)``."""
    return (errors.ib_minus / g_inverter + 2.0 * errors.vos) * (gain / (gain + 2.0))


def inverter_input_offset(errors: InputErrors, g_inverter, gain: float):
    """Amperes (n_in,) that each inverter pushes into its input node beside drawing
    ``G u (A + 1) / (A + 2)``: ``(G V_os A - I_b-) / (A + 2)``."""
    return (g_inverter * (errors.vos * gain) - errors.ib_minus) * (1.0 / (gain + 2.0))


def precision_shift(errors: InputErrors, gain: float) -> np.ndarray:
    """Volts (n_out,) by which a precision rectifier's op-amp output o and output h both move
    with the same state of its diodes: ``V_os A / (A + 1)`` (see ``topologies.precision``)."""
    return errors.vos * (gain / (gain + 1.0))
