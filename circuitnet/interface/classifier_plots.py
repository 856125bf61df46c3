"""Pictures of a classifier circuit: its confusion matrix, a gallery of the test digits it
gets wrong (each with its output voltages), and its training curves. Each function draws on
a matplotlib Figure it is given."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.figure import Figure

from .plotting import STAGE_COLORS, output_names, plot_loss

GALLERY_MAX = 24  # misclassified samples shown, at most
TITLE_POINTS = 11
CHARACTER_WIDTH = 0.6  # a character's mean width in a sans-serif font, as a share of its size


def fitted_title(title: str, figure: Figure, points: float = TITLE_POINTS) -> str:
    """``title`` wrapped into lines that fit the figure's width at ``points`` size."""
    per_line = max(20, int(0.95 * figure.get_figwidth() * 72 / (CHARACTER_WIDTH * points)))
    return textwrap.fill(title, per_line)


def plot_confusion(figure: Figure, confusion: np.ndarray, classes: list, title: str) -> None:
    """counts[i, j] (true i, predicted j) as a heat map with the counts written in."""
    ax = figure.subplots()
    counts = np.asarray(confusion)
    image = ax.imshow(counts, cmap="Blues")
    for (i, j), count in np.ndenumerate(counts):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=8,
                    color="white" if count > counts.max() / 2 else "black")
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, [str(c) for c in classes])
    ax.set_yticks(ticks, [str(c) for c in classes])
    ax.set_xlabel("predicted class (highest output voltage, ngspice)")
    ax.set_ylabel("true class")
    figure.colorbar(image, ax=ax, label="test samples")
    # over the whole figure, not the axes: a title centred on the matrix alone runs off the
    # left edge once the colour bar takes the right; wrapped to the figure's width
    figure.suptitle(fitted_title(title, figure), fontsize=TITLE_POINTS)


def plot_misclassified(figure: Figure, images: np.ndarray, truth: np.ndarray, outputs_volts: np.ndarray,
                       classes: list, image_shape: tuple[int, int] | None) -> int:
    """A gallery of misclassified samples: each image over a bar chart of its output voltages,
    the true class's bar green and the winning one red. Returns how many were shown.

    images: (n, n_inputs) pixels, data units; truth: (n,) class indices; outputs_volts:
    (n, n_classes) output voltages from ngspice. Without an image shape, bars only.
    """
    wrong = np.flatnonzero(np.argmax(outputs_volts, axis=1) != truth)[:GALLERY_MAX]
    if len(wrong) == 0:
        ax = figure.subplots()
        ax.text(0.5, 0.5, "every test sample is classified correctly", ha="center", va="center")
        ax.set_axis_off()
        return 0
    columns = min(6, len(wrong))
    rows = -(-len(wrong) // columns)
    grid = figure.add_gridspec(rows * (2 if image_shape else 1), columns,
                               height_ratios=[1.3, 1] * rows if image_shape else None)
    for position, index in enumerate(wrong):
        row, column = divmod(position, columns)
        predicted = int(np.argmax(outputs_volts[index]))
        if image_shape:
            picture = figure.add_subplot(grid[2 * row, column])
            picture.imshow(images[index].reshape(image_shape), cmap="gray_r", vmin=0, vmax=1)
            picture.set_title(f"true {classes[truth[index]]}, got {classes[predicted]}", fontsize=8)
            picture.set_axis_off()
        bars = figure.add_subplot(grid[2 * row + 1 if image_shape else row, column])
        colors = ["0.7"] * len(classes)
        colors[predicted] = "tab:red"
        colors[truth[index]] = "tab:green"
        bars.bar(np.arange(len(classes)), outputs_volts[index], color=colors)
        bars.set_xticks(np.arange(len(classes)), [str(c) for c in classes], fontsize=6)
        bars.tick_params(axis="y", labelsize=6)
        bars.axhline(0.0, color="0.5", linewidth=0.6)
        if column == 0:
            bars.set_ylabel("output (V)", fontsize=7)
        if not image_shape:
            bars.set_title(f"true {classes[truth[index]]}, got {classes[predicted]}", fontsize=8)
    figure.suptitle("misclassified test samples (green: true class, red: highest output voltage)", fontsize=10)
    return len(wrong)


def plot_curves(figure: Figure, history: dict) -> None:
    """Training and validation cross-entropy, and validation accuracy, per epoch of each stage."""
    loss_ax, accuracy_ax = figure.subplots(1, 2)
    plot_loss(loss_ax, history, "cross-entropy (training: with ridge)", "cross-entropy")
    offset = 0
    for stage, curves in history.items():
        epochs = np.arange(offset + 1, offset + len(curves["train"]) + 1)
        if "val_accuracy" in curves:
            accuracy_ax.plot(epochs, 100 * np.asarray(curves["val_accuracy"]),
                             color=STAGE_COLORS.get(stage, "tab:blue"), linewidth=1.2, label=stage)
        offset += len(curves["train"])
    accuracy_ax.set_xlabel("epoch")
    accuracy_ax.set_ylabel("validation accuracy (%)")
    accuracy_ax.legend(frameon=False, fontsize=8)
    accuracy_ax.grid(True, alpha=0.3)


# -- compare's figures for a classifier: each (numbers, curves) -> Figure, see report.FIGURES --

def confusion_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(6.4, 5.4), layout="constrained")
    found = numbers.classifier
    plot_confusion(figure, found.confusion_matrix, output_names(curves.get("record"), numbers.classes)
                   if curves.get("record") is not None else list(range(numbers.classes)),
                   f"nominal circuit at 27 C: accuracy {100 * found.accuracy_spice:.2f} % in ngspice")
    return figure


def boards_figure(numbers, curves: dict) -> Figure:
    """Each Monte Carlo board's accuracy: a histogram, the yield threshold and the nominal; the
    boards beyond their operating limits (which fail the yield whatever their accuracy) stacked
    in grey on the others."""
    boards, nominal = numbers.accuracy_boards, numbers.classifier.accuracy_spice
    accuracy = 100 * np.asarray(boards.per_board_accuracy)
    beyond = np.isin(np.arange(len(accuracy)), [row["board"] for row in boards.per_board_beyond_limits])
    figure = Figure(figsize=(7.2, 4.2), layout="constrained")
    ax = figure.subplots()
    # one bin per test sample's worth of accuracy, so no bin is an artefact of the binning
    step = 100 / numbers.test_samples
    edges = np.arange(accuracy.min() - step / 2, accuracy.max() + step, step)
    bins = edges.tolist() if len(edges) > 1 else 10
    if beyond.any():
        ax.hist([accuracy[~beyond], accuracy[beyond]], bins=bins, stacked=True, color=["tab:blue", "tab:gray"],
                alpha=0.8, label=["inside its operating limits",
                                  f"beyond its operating limits ({int(beyond.sum())}): fails the yield"])
    else:
        ax.hist(accuracy, bins=bins, color="tab:blue", alpha=0.8)
    ax.axvline(100 * boards.yield_threshold, color="tab:red", linestyle="--",
               label=f"yield threshold {100 * boards.yield_threshold:g} %: yield {100 * boards.yield_fraction:.1f} %")
    ax.axvline(100 * nominal, color="black", linewidth=1.2, label="nominal circuit")
    ax.set_xlabel("test accuracy of the board in ngspice (%)")
    # no accuracy above 100 %: the centred bin of a perfect board is drawn up to 100 only
    low = min(accuracy.min(), 100 * boards.yield_threshold, 100 * nominal)
    ax.set_xlim(max(0.0, low - max(2 * step, 1.0)), 100.0)
    ax.set_ylabel("boards")
    ax.set_title(f"{boards.instances} boards, resistors within +-{100 * boards.tolerance:g} %")
    ax.legend(frameon=False, fontsize=9)
    ax.grid(True, alpha=0.3)
    return figure


def temperatures_accuracy_figure(numbers, curves: dict) -> Figure:
    rows = numbers.accuracy_temperatures
    figure = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = figure.subplots()
    ax.plot([r.temperature_c for r in rows], [100 * r.accuracy for r in rows], marker="o", color="tab:red")
    ax.set_xlabel("temperature (C)")
    ax.set_ylabel("test accuracy in ngspice (%)")
    accuracies = [100 * r.accuracy for r in rows]
    ax.set_ylim(max(0.0, min(accuracies) - 2.0), 100.0 + 0.5)  # the margin keeps a 100 % marker whole
    ax.set_title("the nominal circuit across temperature")
    ax.grid(True, alpha=0.3)
    return figure


def inference_power_figure(numbers, curves: dict) -> Figure:
    """The static power drawn at each test sample's operating point, as a histogram, mW."""
    power_mw = 1e3 * np.asarray(curves["power_w"])
    figure = Figure(figsize=(7.2, 4.0), layout="constrained")
    ax = figure.subplots()
    ax.hist(power_mw, bins=30, color="tab:orange", alpha=0.85)
    ax.axvline(np.median(power_mw), color="black", linewidth=1.2, label=f"median {np.median(power_mw):.3g} mW")
    ax.set_xlabel("static power at the sample's operating point (mW), from every source")
    ax.set_ylabel("test samples")
    ax.legend(frameon=False)
    ax.grid(True, alpha=0.3)
    return figure
