"""Plots. Each function draws on matplotlib Axes it is given and returns them; figures are
made with ``matplotlib.figure.Figure`` (no pyplot, no display needed)."""

from __future__ import annotations

import os
from dataclasses import dataclass

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


def plot_fit_1d(ax, train: tuple, grid, ideal, simulated, target=None, target_label: str = "target",
                names: tuple[str, str] = ("x", "y")):
    """The lecture's Figure 5.1: data points (train: (x, y), each (n, 1)), the target function,
    and the piecewise-linear fits (the ideal network and the SPICE-simulated circuit), data
    units; ``names``: the input's and the output's."""
    x_train, y_train = train
    ax.scatter(x_train[:, 0], y_train[:, 0], s=6, color="black", alpha=0.45, label="training data", zorder=1)
    if target is not None:
        ax.plot(grid, target, color="tab:blue", linewidth=2.2, label=target_label, zorder=2)
    ax.plot(grid, ideal, color="0.35", linestyle="--", linewidth=1.2, label="ideal ReLU network", zorder=3)
    ax.plot(grid, simulated, color="tab:red", linewidth=1.6, label="circuit (ngspice)", zorder=4)
    ax.set_xlabel(f"{names[0]} (data units)")
    ax.set_ylabel(f"{names[1]} (data units)")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="best", frameon=False, fontsize=9)
    return ax


def input_names(record, n_inputs: int) -> list[str]:
    """The inputs' names for axes and legends: the data's columns (``circuit.data_record``),
    or x1..xN for a circuit without a record."""
    return list(record.input_names) if record is not None else [f"x{k + 1}" for k in range(n_inputs)]


def output_names(record, n_outputs: int) -> list[str]:
    """The outputs' names: a classifier's class labels, a regressor's target columns, or
    "output 1".."output N" for a circuit without a record."""
    if record is not None:
        return list(record.class_labels if record.class_labels is not None else record.output_names)
    return [f"output {j + 1}" for j in range(n_outputs)]


@dataclass(frozen=True)
class PlaneFit:
    """A 2-input fit to draw: the circuit over a grid of the input plane and the data.

    grid_x1 (g1,), grid_x2 (g2,): the grid, data units; simulated (g2, g1): the circuit in
    ngspice there; target (g2, g1) or None: the target function there (None for a data file);
    x_data (n, >= 2), y_data (n,): the training points; x_test (m, >= 2), error_test (m,):
    the test points and the circuit's error at each (ngspice - data); names: the two inputs'
    and the output's names.
    """

    grid_x1: np.ndarray
    grid_x2: np.ndarray
    simulated: np.ndarray
    target: np.ndarray | None
    x_data: np.ndarray
    y_data: np.ndarray
    x_test: np.ndarray
    error_test: np.ndarray
    names: tuple[str, str, str] = ("x1", "x2", "y")
    target_label: str = "target"


def plot_fit_2d(axes, fit: PlaneFit):
    """Three panels over the input plane: the target (or, for a data file, the training data
    coloured by value), the circuit in ngspice, and the circuit's error against the target
    on the grid (or against the data at the test points). Every panel is labelled with the
    inputs' names and every colour bar with its quantity and units."""
    extent = (fit.grid_x1.min(), fit.grid_x1.max(), fit.grid_x2.min(), fit.grid_x2.max())
    first, second, y_name = fit.names
    reference = fit.target if fit.target is not None else fit.y_data
    limits = {"vmin": min(reference.min(), fit.simulated.min()), "vmax": max(reference.max(), fit.simulated.max())}
    if fit.target is not None:
        axes[0].imshow(fit.target, origin="lower", extent=extent, aspect="auto", cmap="viridis", **limits)
        axes[0].scatter(fit.x_data[:, 0], fit.x_data[:, 1], s=2, color="white", alpha=0.4)
        axes[0].set_title(f"target {fit.target_label}", fontsize=10)
    else:
        axes[0].scatter(fit.x_data[:, 0], fit.x_data[:, 1], c=fit.y_data, s=12, cmap="viridis", **limits)
        axes[0].set_xlim(extent[:2])
        axes[0].set_ylim(extent[2:])
        axes[0].set_title("training data", fontsize=10)
    image = axes[1].imshow(fit.simulated, origin="lower", extent=extent, aspect="auto", cmap="viridis", **limits)
    axes[1].set_title("circuit (ngspice)", fontsize=10)
    if fit.target is not None:
        error = fit.simulated - fit.target
        bound = float(np.max(np.abs(error))) or 1.0
        error_image = axes[2].imshow(error, origin="lower", extent=extent, aspect="auto", cmap="coolwarm",
                                     vmin=-bound, vmax=bound)
        error_label = "circuit - target"
    else:
        bound = float(np.max(np.abs(fit.error_test))) or 1.0
        error_image = axes[2].scatter(fit.x_test[:, 0], fit.x_test[:, 1], c=fit.error_test, s=14, cmap="coolwarm",
                                      vmin=-bound, vmax=bound, edgecolors="0.4", linewidths=0.3)
        axes[2].set_xlim(extent[:2])
        axes[2].set_ylim(extent[2:])
        error_label = "circuit - data"
    axes[2].set_title(f"{error_label}" + ("" if fit.target is not None else " (test points)"), fontsize=10)
    for ax in axes:
        ax.set_xlabel(f"{first} (data units)")
        ax.set_ylabel(f"{second} (data units)")
    axes[1].figure.colorbar(image, ax=list(axes[:2]), shrink=0.8, label=f"{y_name} (data units)")
    axes[2].figure.colorbar(error_image, ax=axes[2], shrink=0.8, label=f"{error_label} (data units)")
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
