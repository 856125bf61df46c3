"""Transient runs in ngspice: how fast a circuit infers, and at what energy.

``transient`` applies a sequence of input vectors as steps (PWL sources with a rise time),
with every op-amp replaced by its dynamic macro-model (``model.dynamics``), runs ``.tran``
in an isolated ngspice worker and measures, for each step:

- the settling time of every output and every hidden rectifier output: from the start of
  the step until it stays within ``settle`` x its full scale (the largest magnitude of its
  DC answers over the run, at least 1 mV) of its own DC answer for this step's input (the
  operating point ngspice finds with the DC op-amp model, which the macro-model equals at
  DC);
- the energy drawn from every source (inputs, references, op-amp outputs) over the step,
  integrated from the source currents.

The small-signal bandwidth is ``bandwidth.py``'s.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np

from ...errors import BeyondLimitsWarning, InputShapeError, SimulationError
from ...model import nodes
from ...model.circuit import Circuit
from ...model.comments import header_lines
from ...model.dynamics import OpAmpDynamics, as_dynamics
from ...model.elements import Element, elements, lines, number
from ...model.network import check_inputs
from ...model.opamp_parts import describe_opamp
from ...topologies import circuit_elements, get_topology
from ...topologies.opamp_supply import board_description
from ..result import circuit_inputs
from .backend import SpiceBackend, output_nodes, owns_spice_for_call, reported_nodes
from .netlist import check_data_file, control_block
from .power import energy_split, static_power
from .transient_results import (
    BandwidthFigures,
    EnergyPerInference,
    TransientResult,
    TransientStep,
    TransientSummary,
)

POINTS_PER_STEP = 400  # the largest time step is step_time / this: the settling times' resolution
MIN_FULL_SCALE_V = 1e-3  # a node whose DC answers are all near 0 V settles to within settle x 1 mV
MAX_STEPS = 10_000


def step_sources(circuit: Circuit, x: np.ndarray, step_time: float, rise_time: float) -> list[Element]:
    """PWL input sources: every input at 0 V at t = 0, then step i from t = i * step_time,
    rising linearly over rise_time to its value (x in data units)."""
    volts = circuit_inputs(circuit, x) * circuit.volts_per_unit
    sources = []
    for k in range(circuit.n_inputs):
        points, previous = ["0", "0"], 0.0
        for i, value in enumerate(volts[:, k]):
            start = i * step_time
            if i > 0:
                points += [number(start), number(previous)]
            points += [number(start + rise_time), number(value)]
            previous = value
        node = nodes.input_node(k)
        sources.append(Element(f"V{node}", (node, "0"), f"PWL({' '.join(points)})", "source"))
    return sources


def transient_entries(circuit: Circuit, x: np.ndarray, dynamics: OpAmpDynamics, step_time: float,
                      rise_time: float, temperature_c: float = 27.0) -> list:
    """The circuit with its step sources and macro-model op-amps: elements, comments, directives."""
    sources = step_sources(circuit, x, step_time, rise_time)
    return dynamics.macro_netlist(get_topology(circuit.topology).netlist(circuit, None, sources, temperature_c))


def tran_card(step_time: float, n_steps: int) -> str:
    """``.tran`` over every step, with the largest time step step_time / POINTS_PER_STEP."""
    resolution = number(step_time / POINTS_PER_STEP)
    return f".tran {resolution} {number(n_steps * step_time)} 0 {resolution}"


def check_steps(circuit: Circuit, x, step_time: float, rise_time: float, settle: float) -> np.ndarray:
    x = check_inputs(x, circuit.n_inputs)
    if not 1 <= len(x) <= MAX_STEPS:
        raise InputShapeError(f"{len(x)} input steps; give 1 to {MAX_STEPS}")
    if not (math.isfinite(step_time) and step_time > 0 and 0 < rise_time < step_time):
        raise InputShapeError(f"step time {step_time!r} s and rise time {rise_time!r} s: need 0 < rise < step")
    if not 0 < settle < 1:
        raise InputShapeError(f"settle = {settle!r}; give a fraction of full scale between 0 and 1 (0.001 is 0.1 %)")
    return x


@owns_spice_for_call
def transient(circuit: Circuit, x, dynamics: OpAmpDynamics | str = "TL072", step_time: float = 50e-6,
              rise_time: float = 100e-9, settle: float = 1e-3, temperature_c: float = 27.0,
              spice: SpiceBackend | None = None) -> TransientResult:
    """Apply the rows of x (k, n_inputs), data units, as input steps of ``step_time`` seconds
    each and measure settling and energy (see the module docstring). dynamics: an
    OpAmpDynamics or a part name of ``model.dynamics.OPAMP_LIBRARY``. spice: the backend it
    runs on (default: one made for this call, closed after). A BeyondLimitsWarning, as an
    estimator's predict gives, where a part leaves its safe operating area at the steps' DC
    answer: the figures are still returned, but no built board settles to them (the
    ``transient`` command refuses such steps before it runs)."""
    assert spice is not None  # given, or made for this call (owns_spice_for_call)
    dynamics = as_dynamics(dynamics)
    x = check_steps(circuit, x, step_time, rise_time, settle)
    beyond = spice.violations(circuit, x, temperature_c)
    if beyond:
        warnings.warn(f"transient: at the DC answer to these steps {len(beyond)} part(s) leave their safe operating "
                      f"area, so no built board settles to it; the worst: {beyond[0].message()}",
                      BeyondLimitsWarning, stacklevel=3)
    entries = transient_entries(circuit, x, dynamics, step_time, rise_time, temperature_c)
    netlist = "\n".join([f"* circuitnet transient: {len(x)} steps", *lines(entries), tran_card(step_time, len(x)),
                          ".end"]) + "\n"
    vectors = spice.run_netlist(netlist)
    if "time" not in vectors:
        raise SimulationError("ngspice returned no time vector for the transient run")
    time = vectors["time"]
    dc = spice.simulate(circuit, x, temperature_c)
    outputs, hidden = output_nodes(circuit), reported_nodes(circuit)
    dc_volts = {name: dc.y_volts[:, j] for j, name in enumerate(outputs)}
    dc_volts.update({name: dc.nodes[name] for name in hidden})
    split = static_power(circuit, vectors, len(time), elements(entries))
    power = split["total"]
    steps, summary = measure_steps(time, {name: vectors[name] for name in outputs + hidden}, outputs, dc_volts, power,
                                   x, step_time, settle)
    summary.opamp_model = describe_opamp(circuit.opamp)  # every report names it
    summary.opamp_board = board_description(circuit, circuit_elements(circuit)) or ""  # whose supply the energy has
    summary.energy_per_inference_split_j = energy_split(time, split, summary.energy_per_inference_j.median)
    return TransientResult(
        time=time, inputs_volts=np.column_stack([vectors[nodes.input_node(k)] for k in range(circuit.n_inputs)]),
        outputs_volts=np.column_stack([vectors[name] for name in outputs]),
        nodes={name: vectors[name] for name in hidden}, power_w=power, x=x,
        dc_volts={name: values.tolist() for name, values in dc_volts.items()}, dynamics=dynamics,
        step_time_s=step_time, rise_time_s=rise_time, settle=settle, steps=steps, summary=summary)


def with_bandwidth(result: TransientResult, found) -> TransientResult:
    """The result with ``--ac``'s figures from a ``bandwidth.Bandwidth`` (None: without)."""
    if found is None:
        return result
    return replace(result, bandwidth=BandwidthFigures(f"x{found.input_index + 1}", found.f3db_hz,
                                                      {name: float(g[0]) for name, g in found.gain.items()}))


def settling_time(time: np.ndarray, values: np.ndarray, final: float, band: float, start: float,
                  stop: float) -> float | None:
    """Seconds from ``start`` until ``values`` stay within ``band`` of ``final`` up to ``stop``;
    None when they are still outside at ``stop``."""
    inside = (time >= start) & (time <= stop)
    window_t, window_v = time[inside], values[inside]
    outside = np.flatnonzero(np.abs(window_v - final) > band)
    if len(outside) == 0:
        return 0.0
    if outside[-1] == len(window_v) - 1:
        return None
    # the crossing into the band, interpolated between the last point outside and the next
    i = outside[-1]
    t0, t1, v0, v1 = window_t[i], window_t[i + 1], abs(window_v[i] - final), abs(window_v[i + 1] - final)
    crossing = t0 + (t1 - t0) * (v0 - band) / (v0 - v1) if v0 != v1 else t1
    return float(crossing - start)


def measure_steps(time, waveforms: dict, outputs: list[str], dc_volts: dict, power: np.ndarray, x: np.ndarray,
                  step_time: float, settle: float) -> tuple[list[TransientStep], TransientSummary]:
    """Per-step settling and energy, and the summary (see TransientResult)."""
    energy_so_far = np.concatenate([[0.0], np.cumsum(np.diff(time) * (power[1:] + power[:-1]) / 2)])

    def energy(start: float, stop: float) -> float:
        return float(np.interp(stop, time, energy_so_far) - np.interp(start, time, energy_so_far))

    bands = {name: settle * max(float(np.max(np.abs(values))), MIN_FULL_SCALE_V) for name, values in dc_volts.items()}
    steps = []
    for i in range(len(x)):
        start, stop = i * step_time, (i + 1) * step_time
        times = {name: settling_time(time, waveforms[name], float(dc_volts[name][i]), bands[name], start, stop)
                 for name in waveforms}
        slowest = max(times, key=lambda name: _or_inf(times[name]))
        output_times = [times[name] for name in outputs]
        final = [float(np.interp(stop, time, waveforms[name])) for name in outputs]
        steps.append(TransientStep([float(v) for v in x[i]], final, [float(dc_volts[name][i]) for name in outputs],
                                   None if None in output_times else max(map(_or_inf, output_times)),
                                   dict(zip(outputs, output_times, strict=False)), slowest, energy(start, stop)))
    settled = [step.settling_time_s for step in steps]
    finished = [seconds for seconds in settled if seconds is not None]
    worst = max(finished) if len(finished) == len(settled) else None
    period = worst if worst else step_time
    for i, step in enumerate(steps):
        step.inference_energy_j = energy(i * step_time, i * step_time + period)
    per_inference = [step.inference_energy_j for step in steps]
    summary = TransientSummary(None if not worst else 1.0 / worst, worst,
                               [i for i, s in enumerate(settled) if s is None],
                               EnergyPerInference(float(np.median(per_inference)), float(max(per_inference))),
                               max(steps, key=lambda step: step.settling_time_s or math.inf).last_to_settle)
    return steps, summary


def transient_netlist_text(circuit: Circuit, x, dynamics: OpAmpDynamics, step_time: float = 50e-6,
                           rise_time: float = 100e-9, temperature_c: float = 27.0, data_file: str = "circuit.dat",
                           command: str = "circuitnet.transient_netlist_text(...)") -> str:
    """A standalone netlist of the same transient run: ``ngspice -b FILE.cir`` runs it and
    writes time, every input and every output (volts) to ``data_file``."""
    x = check_steps(circuit, x, step_time, rise_time, 1e-3)
    check_data_file(data_file)
    dynamics = as_dynamics(dynamics)
    columns = [f"v({nodes.input_node(k)})" for k in range(circuit.n_inputs)] + [f"v({name})" for name in
                                                                                 output_nodes(circuit)]
    title = (f"circuitnet transient netlist: {circuit.topology} topology, {len(x)} input steps of {step_time:g} s "
             f"(rise {rise_time:g} s)")
    header = header_lines(title, command, [
        (f"op-amps: {dynamics.name}, single-pole macro-model, GBW {dynamics.gbw_hz:g} Hz, slew "
         f"{dynamics.slew_v_per_us:g} V/us ({dynamics.source})"),
        f"run: ngspice -b THIS_FILE  -> writes {data_file}: time, then {' '.join(columns)}",
    ])
    return "\n".join([
        *header,
        *lines(transient_entries(circuit, x, dynamics, step_time, rise_time, temperature_c)),
        tran_card(step_time, len(x)),
        *control_block(data_file, columns), ".end"]) + "\n"


def _or_inf(seconds: float | None) -> float:
    """A settling time, or inf for one that never settled (None)."""
    return math.inf if seconds is None else seconds
