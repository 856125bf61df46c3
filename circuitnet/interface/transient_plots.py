"""Pictures of a transient run: the waveforms with their settling marks, the energy of each
step, and the small-signal gain against frequency. Each returns a matplotlib Figure."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from .plotting import input_names, output_names

MAX_HIDDEN_CURVES = 16  # rectifier outputs drawn, at most (a classifier has hundreds)


def waveforms_figure(result, record=None) -> Figure:
    """Inputs, each neuron's rectifier output and the outputs against time (us), with the
    end of each step's settling marked on the outputs. ``record``: the circuit's DataRecord,
    whose column names and class labels name the legends' curves (x1.., output 1.. without)."""
    figure = Figure(figsize=(10, 8), layout="constrained")
    inputs_ax, hidden_ax, outputs_ax = figure.subplots(3, 1, sharex=True)
    t_us = 1e6 * result.time
    inputs = input_names(record, result.inputs_volts.shape[1])
    outputs = output_names(record, result.outputs_volts.shape[1])
    for k in range(min(result.inputs_volts.shape[1], MAX_HIDDEN_CURVES)):
        inputs_ax.plot(t_us, result.inputs_volts[:, k], linewidth=1.0, label=inputs[k])
    inputs_ax.set_ylabel("inputs (V)")
    rectifiers = [name for name in result.nodes if name.endswith("_h")]  # the neurons' outputs, not their summers
    for name in rectifiers[:MAX_HIDDEN_CURVES]:
        hidden_ax.plot(t_us, result.nodes[name], linewidth=0.9)
    shown = min(len(rectifiers), MAX_HIDDEN_CURVES)
    hidden_ax.set_ylabel("rectifier outputs (V)")
    hidden_ax.set_title(f"{shown} of {len(rectifiers)} neurons' rectifier outputs", fontsize=9)
    for j in range(result.outputs_volts.shape[1]):
        outputs_ax.plot(t_us, result.outputs_volts[:, j], linewidth=1.3, label=outputs[j])
    for i, step in enumerate(result.steps):
        start = i * result.step_time_s
        outputs_ax.axvline(1e6 * start, color="0.85", linewidth=0.6)
        if step.settling_time_s is not None:
            outputs_ax.axvline(1e6 * (start + step.settling_time_s), color="tab:red", linewidth=0.8,
                               linestyle=":", label="settled" if i == 0 else None)
    outputs_ax.set_ylabel("outputs (V)")
    outputs_ax.set_xlabel("time (us)")
    settle = f"{100 * result.settle:g} %"
    outputs_ax.set_title(f"{result.dynamics.name}: settled (red) = within {settle} of full scale of the DC answer",
                         fontsize=9)
    for ax in (inputs_ax, hidden_ax, outputs_ax):
        ax.grid(True, alpha=0.3)
    outside = dict(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    if result.inputs_volts.shape[1] <= 8:
        inputs_ax.legend(**outside)
    if result.outputs_volts.shape[1] <= 10:
        outputs_ax.legend(**outside)
    return figure


def energy_figure(result) -> Figure:
    """Energy drawn over each step, and over one inference period, microjoules."""
    figure = Figure(figsize=(8, 4), layout="constrained")
    ax = figure.subplots()
    steps = np.arange(1, len(result.steps) + 1)
    ax.bar(steps - 0.2, [1e6 * s.energy_j for s in result.steps], width=0.4, color="tab:orange",
           label=f"over the whole step ({1e6 * result.step_time_s:g} us)")
    ax.bar(steps + 0.2, [1e6 * s.inference_energy_j for s in result.steps], width=0.4, color="tab:blue",
           label="over one inference (worst settling time)")
    ax.set_xlabel("input step")
    ax.set_ylabel("energy from every source (uJ)")
    ax.legend(frameon=False)
    ax.grid(True, alpha=0.3, axis="y")
    return figure


def bandwidth_figure(found) -> Figure:
    """|gain| from the input to each output against frequency, with each -3 dB point."""
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    ax = figure.subplots()
    for name, gain in list(found.gain.items())[:10]:
        line, = ax.loglog(found.frequency_hz, gain, linewidth=1.2, label=name)
        corner = found.f3db_hz[name]
        if corner is not None:
            ax.axvline(corner, color=line.get_color(), linestyle=":", linewidth=0.8)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel(f"|v(output) / v(x{found.input_index + 1})|")
    ax.set_title("small-signal gain at the operating point (dotted: -3 dB)")
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(frameon=False, fontsize=8)
    return figure
