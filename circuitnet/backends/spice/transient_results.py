"""A transient run's results as typed records: ``TransientResult`` holds the waveforms and its
measures, and its ``to_dict()`` is transient.json (``util.records.record_dict``: the
described fields, in order; the waveforms are the record's own and are not written).
docs/file-formats.md's transient tables are generated from these fields."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...model.dynamics import OpAmpDynamics
from ...util.records import Record, described


@dataclass
class TransientStep(Record):
    """One input step: where its outputs ended, when they settled, what energy it drew."""

    x: list[float] = described("the step's inputs, data units")
    y_volts_final: list[float] = described("each output at the end of the step, volts")
    y_volts_dc: list[float] = described("each output's DC answer for these inputs, volts")
    settling_time_s: float | None = described("the slowest output's settling time from the step's start, seconds "
                                              "(None: one did not settle within the step)")
    output_settling_s: dict[str, float | None] = described("each output's settling time, seconds")
    last_to_settle: str = described("the slowest node, outputs and hidden rectifier outputs")
    energy_j: float = described("energy drawn from every source over the whole step, joules")
    inference_energy_j: float = described("the same over one inference period (the worst settling time), joules",
                                          default=0.0)


@dataclass
class EnergyPerInference(Record):
    """The energy of one inference over the steps, joules."""

    median: float = described("median over the steps")
    worst: float = described("largest over the steps")


@dataclass
class TransientSummary(Record):
    """How fast the circuit infers, and at what energy, over every step."""

    inferences_per_second: float | None = described("1 / the worst settling time (None: a step did not settle)")
    worst_settling_time_s: float | None = described("the slowest step's settling time, seconds (None as above)")
    unsettled_steps: list[int] = described("the steps (from 0) whose outputs did not settle within the step")
    energy_per_inference_j: EnergyPerInference = described("median and worst energy per inference, joules")
    last_to_settle: str = described("the node that settled last in the slowest step")
    opamp_model: str = described("the op-amp model, in words", default="")
    opamp_board: str = described("the board's amplifiers whose supply the energy has: which were simulated and "
                                 "which only counted", default="")
    energy_per_inference_split_j: dict[str, float | None] = described(
        "the median inference's energy by where it goes (resistors, diodes, op-amp supply and output stages; "
        "None where the generic op-amp leaves them out), joules", default_factory=dict)


@dataclass(frozen=True)
class BandwidthFigures(Record):
    """``--ac``: the small-signal bandwidth from one input at the first step's operating point."""

    input: str = described("the input the `.ac` source drives (x1, ...)")
    f3db_hz: dict[str, float | None] = described("each output's -3 dB frequency, Hz (None beyond the sweep)")
    low_frequency_gain: dict[str, float] = described("each output's gain at the lowest frequency, volts per volt")


@dataclass(frozen=True)
class TransientResult(Record):
    """A transient run and its measures (transient.json: ``to_dict``).

    dynamics: the op-amps' macro-model (written as ``opamp``); step_time_s, rise_time_s:
    seconds; settle: the settling band, a fraction of full scale; steps: one TransientStep
    per input step; summary: over every step; bandwidth: with ``--ac``, else None.
    The waveforms: time (m,) seconds; inputs_volts (m, n_inputs); outputs_volts (m,
    n_outputs); nodes: hidden rectifier output name -> (m,) volts; power_w: (m,) watts from
    every source; x: (k, n_inputs) the steps' inputs, data units; dc_volts: node name -> the
    DC answer of each step (k values; outputs and hidden nodes).
    """

    time: np.ndarray
    inputs_volts: np.ndarray
    outputs_volts: np.ndarray
    nodes: dict
    power_w: np.ndarray
    x: np.ndarray
    dc_volts: dict
    dynamics: OpAmpDynamics = described("the op-amps' macro-model: name, gbw_hz, slew_v_per_us, source, rails",
                                        key="opamp")
    step_time_s: float = described("each input step's length, seconds")
    rise_time_s: float = described("each step's rise time, seconds")
    settle: float = described("settled: within this fraction of each node's full scale of its DC answer")
    steps: list[TransientStep] = described("one object per input step")
    summary: TransientSummary = described("over every step")
    bandwidth: BandwidthFigures | None = described("with `--ac`: the small-signal bandwidth", omit_none=True,
                                                   default=None)


__all__ = ["BandwidthFigures", "EnergyPerInference", "TransientResult", "TransientStep", "TransientSummary"]
