"""compare's figures of a regressor's analyses: each ``(numbers, curves) -> Figure``, numbers
compare's typed result (analysis/compare_results.py) and curves from the simulations (see
analysis/compare.py). The report's
sections (report_sections.py) say which figure belongs to which analysis."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..analysis.compare_results import RegressionComparison
from ..analysis.held_out import data_kind
from .plotting import input_names

MAX_NEURON_PANELS = 16


def neurons_figure(numbers, curves: dict) -> Figure:
    """Each neuron's ngspice rectifier output against its ideal elbow, with the knee
    magnified in an inset (the first 16 neurons)."""
    rows = numbers.neurons[:MAX_NEURON_PANELS]
    columns = min(4, max(1, len(rows)))
    lines = -(-len(rows) // columns)
    figure = Figure(figsize=(3.3 * columns, 2.7 * lines), layout="constrained")
    axes = np.atleast_1d(figure.subplots(lines, columns, squeeze=False)).ravel()
    x = curves["x"]
    x_name = _swept_name(curves)
    for ax, row in zip(axes, rows, strict=False):
        ideal, spice = curves["ideal"].nodes[row.node], curves["spice"].nodes[row.node]
        ax.plot(x, ideal, color="black", linestyle="--", linewidth=1.0, label="ideal")
        ax.plot(x, spice, color="tab:red", linewidth=1.4, label="ngspice")
        ax.set_title(f"{row.node}: max dev {1e3 * row.max_deviation_v:.3g} mV", fontsize=9)
        ax.set_xlabel(f"{x_name} (data units)", fontsize=8)
        ax.set_ylabel("rectifier output (V)", fontsize=8)
        ax.tick_params(labelsize=7)
        knee = row.ideal_knee
        rising = spice[-1] >= spice[0]
        if knee is not None:
            # in the upper corner the curve leaves empty: left for a rising elbow, right for a falling one
            inset = ax.inset_axes([0.08, 0.5, 0.42, 0.42] if rising else [0.54, 0.5, 0.42, 0.42])
            near = np.abs(x - knee) <= 0.1 * (x.max() - x.min())
            inset.plot(x[near], ideal[near], color="black", linestyle="--", linewidth=0.9)
            inset.plot(x[near], spice[near], color="tab:red", linewidth=1.1)
            inset.axvline(row.fitted_knee, color="tab:blue", linewidth=0.8)
            inset.tick_params(labelsize=6)
            inset.set_title("knee", fontsize=7)
    for ax in axes[len(rows):]:
        ax.axis("off")
    axes[0].plot([], [], color="tab:blue", linewidth=0.8, label="fitted knee (insets)")
    first = curves["spice"].nodes[rows[0].node]
    axes[0].legend(fontsize=7, loc="lower right" if first[-1] >= first[0] else "lower left", frameon=False)
    figure.suptitle(f"hidden neurons: rectifier output (V) against input {x_name}{_held_text(numbers)}; insets: "
                    f"the knee magnified",
                    fontsize=10)
    return figure


def _swept_name(curves: dict) -> str:
    """The name of the swept input (input 1): its data column, or x1."""
    return input_names(curves.get("record"), 1)[0]


def network_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(7.2, 5.2), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    x = curves["x"]
    top.plot(x, curves["ideal"].y[:, 0], color="black", linestyle="--", linewidth=1.2,
             label="read-back ReLU network (ideal)")
    top.plot(x, curves["surrogate"].y[:, 0], color="tab:blue", linewidth=3, alpha=0.5, label="surrogate")
    top.plot(x, curves["spice"].y[:, 0], color="tab:red", linewidth=1.2, label="ngspice")
    top.set_ylabel("output y (data units)")
    top.legend(frameon=False)
    top.grid(True, alpha=0.3)
    bottom.plot(x, curves["spice"].y[:, 0] - curves["ideal"].y[:, 0], color="tab:red", linewidth=1.2)
    bottom.axhline(0, color="0.6", linewidth=0.8)
    bottom.set_ylabel("ngspice - read-back")
    bottom.set_xlabel(f"input {_swept_name(curves)} (data units)" + _held_text(numbers))
    bottom.grid(True, alpha=0.3)
    return figure


def _held_text(numbers) -> str:
    """'; other inputs held at NAME = V, ...' for the inputs a sweep holds still, else ''."""
    held = getattr(numbers, "held_inputs", None) or {}
    return ("; other inputs held at " + ", ".join(f"{name} = {value:.4g}" for name, value in held.items())
            if held else "")


def temperatures_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    x = curves["x"]
    left.plot(x, curves["spice"].y[:, 0], color="black", linestyle="--", linewidth=1.2,
              label="nominal circuit, 27 C")
    colors = iter(("tab:blue", "tab:green", "tab:orange", "tab:red", "tab:purple", "tab:brown"))
    for temperature, y in curves["temperatures"].items():
        left.plot(x, y, linewidth=1.3, color=next(colors, "0.3"), label=f"{temperature:g} C")
    left.set_xlabel(f"input {_swept_name(curves)} (data units)" + _held_text(numbers))
    left.set_ylabel("output y (data units)")
    left.legend(frameon=False, fontsize=8)
    left.grid(True, alpha=0.3)
    rows = numbers.temperatures
    temps = [r.temperature_c for r in rows]
    right.plot(temps, [r.vs_nominal_spice.max_abs for r in rows], "o-", label="max |y - nominal at 27 C|")
    right.plot(temps, [r.vs_nominal_spice.rms for r in rows], "s-", label="RMS of y - nominal at 27 C")
    if rows[0].vs_data_rmse is not None:
        right.plot(temps, [r.vs_data_rmse for r in rows], "^-", label="RMSE against " + _data_words(numbers))
    right.set_xlabel("temperature (C)")
    right.set_ylabel("data units")
    right.legend(frameon=False)
    right.grid(True, alpha=0.3)
    return figure


def montecarlo_figure(numbers, curves: dict) -> Figure:
    mc = numbers.montecarlo
    boards = curves["montecarlo"]
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    x = curves["x"]
    left.fill_between(x, boards["low"], boards["high"], color="tab:red", alpha=0.25, label="envelope")
    left.plot(x, boards["median_board"], color="tab:red", linewidth=1.2, label="board of median error")
    left.plot(x, curves["spice"].y[:, 0], color="black", linestyle="--", linewidth=1.0, label="nominal circuit")
    left.set_title(f"{mc.instances} boards, resistors within +-{100 * mc.tolerance:g} %", fontsize=10)
    left.set_xlabel(f"input {_swept_name(curves)} (data units)" + _held_text(numbers))
    left.set_ylabel("output y (data units)")
    left.legend(frameon=False, fontsize=8)
    left.grid(True, alpha=0.3)
    worst = np.array(mc.per_board_vs_nominal_spice_max_abs)
    right.hist(worst, bins=30, color="tab:red", alpha=0.7)
    right.axvline(mc.yield_threshold, color="black", linewidth=1,
                  label=f"threshold: yield {100 * mc.yield_fraction:.1f} %")
    right.set_xlabel("max |board - nominal circuit| per board, ngspice (data units)")
    right.set_ylabel("boards")
    right.legend(frameon=False, fontsize=8)
    return figure


def power_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(7.2, 4), layout="constrained")
    ax = figure.subplots()
    power = curves["power"]
    ax.plot(power["x"], 1e3 * power["delivered"], color="black", linewidth=1.4, label="delivered by all sources")
    ax.plot(power["x"], 1e3 * power["resistors"], color="tab:blue", linewidth=1.2, label="dissipated in resistors")
    ax.plot(power["x"], 1e3 * power["diodes"], color="tab:red", linewidth=1.2, label="dissipated in diodes")
    ax.set_xlabel(f"input {_swept_name(curves)} (data units)" + _held_text(numbers))
    ax.set_ylabel("static power (mW)")
    ax.legend(frameon=False)
    ax.grid(True, alpha=0.3)
    return figure


def imported_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(7.2, 5.2), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    x, y, fitted = curves["x"], curves["transfer"], curves["fitted"]
    top.plot(x, y, color="tab:red", linewidth=3, alpha=0.6, label="imported circuit (ngspice)")
    top.plot(x, fitted, color="black", linestyle="--", linewidth=1.2, label="best ReLU network")
    for elbow in numbers.imported.elbows:
        top.axvline(elbow["position"], color="tab:blue", linewidth=0.8)
    top.set_ylabel(f"v({numbers.imported.output}) (V)")
    top.legend(frameon=False)
    top.grid(True, alpha=0.3)
    bottom.plot(x, 1e3 * (fitted - y), color="tab:blue")
    bottom.set_ylabel("fit - circuit (mV)")
    bottom.set_xlabel(f"{numbers.imported.input} (V)")
    bottom.grid(True, alpha=0.3)
    return figure


def _data_words(numbers: RegressionComparison) -> str:
    """The data a legend's RMSE is against, as compare.json's ``data.held_out`` says they are."""
    return data_kind(True if numbers.data is None else numbers.data.held_out)
