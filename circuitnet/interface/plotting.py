"""Plots. Each function draws on matplotlib Axes it is given and returns them; figures are
made with ``matplotlib.figure.Figure`` (no pyplot, no display needed)."""

from __future__ import annotations

import os

import numpy as np
from matplotlib.figure import Figure

from ..util.atomic import write_atomically

IDEAL_STYLE = dict(color="black", linestyle="--", linewidth=1.2, label="ideal ReLU network")
STAGE_COLORS = {"ideal": "tab:gray", "circuit": "tab:red"}  # training stages in loss curves
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


def plot_fit_1d(ax, x_train, y_train, grid, ideal, simulated, target=None, target_label: str = "target"):
    """The lecture's Figure 5.1: data points, the target function, and the piecewise-linear
    fits (the ideal network and the SPICE-simulated circuit), data units."""
    ax.scatter(x_train[:, 0], y_train[:, 0], s=6, color="black", alpha=0.45, label="training data", zorder=1)
    if target is not None:
        ax.plot(grid, target, color="tab:blue", linewidth=2.2, label=target_label, zorder=2)
    ax.plot(grid, ideal, color="0.35", linestyle="--", linewidth=1.2, label="ideal ReLU network", zorder=3)
    ax.plot(grid, simulated, color="tab:red", linewidth=1.6, label="circuit (ngspice)", zorder=4)
    ax.set_xlabel("x (data units)")
    ax.set_ylabel("y (data units)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", frameon=False, fontsize=9)
    return ax


def plot_fit_2d(axes, grid_x1, grid_x2, target, simulated, x_train, reference_label: str = "target"):
    """Three panels over the input plane: the reference (the target function, or the ideal
    network when the data has none), the circuit, and their difference."""
    extent = (grid_x1.min(), grid_x1.max(), grid_x2.min(), grid_x2.max())
    limits = dict(vmin=min(target.min(), simulated.min()), vmax=max(target.max(), simulated.max()))
    for ax, values, title in ((axes[0], target, reference_label), (axes[1], simulated, "circuit (ngspice)")):
        image = ax.imshow(values, origin="lower", extent=extent, aspect="auto", cmap="viridis", **limits)
        ax.set_title(title)
        ax.set_xlabel("x1")
    axes[0].set_ylabel("x2")
    axes[0].scatter(x_train[:, 0], x_train[:, 1], s=2, color="white", alpha=0.4)
    error = simulated - target
    bound = float(np.max(np.abs(error))) or 1.0
    error_image = axes[2].imshow(error, origin="lower", extent=extent, aspect="auto", cmap="coolwarm",
                                 vmin=-bound, vmax=bound)
    axes[2].set_title(f"circuit - {reference_label}")
    axes[2].set_xlabel("x1")
    axes[1].figure.colorbar(image, ax=axes[:2], shrink=0.8)
    axes[2].figure.colorbar(error_image, ax=axes[2], shrink=0.8)
    return axes


def plot_loss(ax, history: dict, loss: str = "mean squared error", short: str = "MSE"):
    """Training loss and validation ``loss`` per epoch, for each training stage."""
    offset = 0
    for stage, curves in history.items():
        epochs = np.arange(offset + 1, offset + len(curves["train"]) + 1)
        color = STAGE_COLORS.get(stage, "tab:blue")
        ax.plot(epochs, curves["train"], color=color, linewidth=1.2, label=f"{stage}: training loss")
        ax.plot(epochs, curves["val"], color=color, linewidth=1.2, linestyle="--", label=f"{stage}: validation {short}")
        offset += len(curves["train"])
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(loss)
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(loc="upper right", frameon=False, fontsize=9)
    return ax
