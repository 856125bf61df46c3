"""Small-signal bandwidth in ngspice: ``.ac`` from one input to every output at an operating
point, with every op-amp given its dynamics (``model.dynamics``), and the -3 dB frequency
of each output."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...errors import InputShapeError
from ...model import nodes
from ...model.circuit import Circuit
from ...model.dynamics import OpAmpDynamics, as_dynamics
from ...model.elements import Element, lines, number
from ...model.network import check_inputs
from ...topologies import get_topology
from ..result import circuit_inputs
from .backend import SpiceBackend, output_nodes, owns_spice_for_call


@dataclass(frozen=True)
class Bandwidth:
    """frequency_hz: (f,); gain: output name -> (f,) |v(out)| per volt at the input;
    f3db_hz: output name -> the -3 dB frequency (None beyond the sweep)."""

    frequency_hz: np.ndarray
    gain: dict
    f3db_hz: dict
    input_index: int


@owns_spice_for_call
def bandwidth(circuit: Circuit, x_operating, dynamics: OpAmpDynamics | str = "TL072", input_index: int = 0,
              start_hz: float = 1.0, stop_hz: float = 1e9, temperature_c: float = 27.0,
              spice: SpiceBackend | None = None) -> Bandwidth:
    """Small-signal gain from input ``input_index`` to every output at the operating point
    x_operating (n_inputs,), data units, by ``.ac`` with the macro-model op-amps."""
    assert spice is not None  # given, or made for this call (owns_spice_for_call)
    dynamics = as_dynamics(dynamics)
    x = check_inputs(np.atleast_2d(np.asarray(x_operating, dtype=float)), circuit.n_inputs)
    if not 0 <= input_index < circuit.n_inputs:
        raise InputShapeError(f"input {input_index + 1}: the circuit has inputs 1 to {circuit.n_inputs}")
    volts = circuit_inputs(circuit, x)[0] * circuit.volts_per_unit
    sources = [Element(f"V{nodes.input_node(k)}", (nodes.input_node(k), "0"),
                       f"DC {number(v)}" + (" AC 1" if k == input_index else ""), "source")
               for k, v in enumerate(volts)]
    entries = get_topology(circuit.topology).netlist(circuit, None, sources, temperature_c)
    outputs = output_nodes(circuit)
    netlist = "\n".join(["* circuitnet small-signal bandwidth", *lines(dynamics.macro_netlist(entries)),
                         ".save " + " ".join(outputs), f".ac dec 40 {number(start_hz)} {number(stop_hz)}", ".end"])
    vectors = spice.run_netlist(netlist + "\n")
    frequency = np.real(vectors["frequency"])
    gain = {name: np.abs(vectors[name]) for name in outputs}
    return Bandwidth(frequency, gain, {name: corner(frequency, g) for name, g in gain.items()}, input_index)


def corner(frequency: np.ndarray, gain: np.ndarray) -> float | None:
    """The first frequency where the gain falls to 1/sqrt(2) of its low-frequency value
    (interpolated on log axes); None if it never does within the sweep."""
    reference = gain[0]
    if reference <= 0:
        return None
    below = np.flatnonzero(gain < reference / math.sqrt(2.0))
    if len(below) == 0:
        return None
    i = below[0]
    if i == 0:
        return float(frequency[0])
    lf, lg = np.log(frequency[i - 1:i + 1]), np.log(gain[i - 1:i + 1])
    target = math.log(reference / math.sqrt(2.0))
    return float(np.exp(lf[0] + (lf[1] - lf[0]) * (target - lg[0]) / (lg[1] - lg[0])))
