"""Plots. Each function draws on matplotlib Axes it is given and returns them; figures are
made with ``matplotlib.figure.Figure`` (no pyplot, no display needed)."""

from __future__ import annotations

import os

from matplotlib.figure import Figure

from .atomic import write_atomically

IDEAL_STYLE = dict(color="black", linestyle="--", linewidth=1.2, label="ideal ReLU network")
SIMULATED_STYLE = dict(color="tab:red", linewidth=1.8, label="ngspice")


def plot_transfer(ax, x, ideal, simulated, title: str = ""):
    """Transfer curve: ideal and simulated output against the input, data units."""
    ax.plot(x, ideal, **IDEAL_STYLE)
    ax.plot(x, simulated, **SIMULATED_STYLE)
    ax.set_xlabel("input x (data units)")
    ax.set_ylabel("output y (data units)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_deviation(ax, x, deviation_units, volts_per_unit: float):
    """Simulated minus ideal, in millivolts at the output."""
    ax.plot(x, 1e3 * deviation_units * volts_per_unit, color="tab:blue", linewidth=1.4)
    ax.axhline(0.0, color="0.6", linewidth=0.8)
    ax.set_xlabel("input x (data units)")
    ax.set_ylabel("simulated - ideal (mV)")
    ax.grid(True, alpha=0.3)
    return ax


def elbow_figure(comparison, title: str) -> Figure:
    """Two panels: the elbow, ideal against ngspice, and the deviation below it."""
    figure = Figure(figsize=(6.4, 5.2), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    plot_transfer(top, comparison.x, comparison.ideal, comparison.simulated, title)
    top.set_xlabel("")
    plot_deviation(bottom, comparison.x, comparison.deviation, comparison.circuit.volts_per_unit)
    bottom.text(0.01, 0.95, f"max |dev| {1e3 * comparison.max_deviation * comparison.circuit.volts_per_unit:.3g} mV, "
                f"RMS {1e3 * comparison.rms_deviation * comparison.circuit.volts_per_unit:.3g} mV",
                transform=bottom.transAxes, va="top", fontsize=9)
    return figure


def save_figure(figure: Figure, path: str | os.PathLike, dpi: int = 110) -> None:
    """Save as PNG atomically."""
    write_atomically(path, lambda temporary: figure.savefig(temporary, dpi=dpi, format="png"))
