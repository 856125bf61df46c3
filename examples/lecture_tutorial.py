"""The lecture, carried out on a circuit: the tutorial of the documentation site.

Empirical risk minimisation on a train / validation / test split, a ridge penalty, the
validation set choosing the hyperparameters, gradient descent against SGD, the elbow of one
neuron, and the rectifier circuit that realises the chosen network, its resistors trained
and the test set used once, at the very end, in ngspice.

Prints each step's results, and writes them into OUT: one Markdown fragment per step
(STEP.md, which the docs build puts into docs/tutorial.md) and its figure (STEP.png).
`make docs` runs it; about 30 s on 2 cores.

    python examples/lecture_tutorial.py --out out/tutorial
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

import circuitnet as cn
from circuitnet.analysis.elbow import compare_elbow
from circuitnet.interface.plotting import elbow_figure, save_figure
from circuitnet.training import loop
from circuitnet.training.config import FitConfig
from circuitnet.training.data import Split, target_split
from circuitnet.training.ideal_problem import IdealProblem, initial_params, params_to_network
from circuitnet.training.measure import rmse
from circuitnet.training.run import fit
from circuitnet.util.atomic import write_atomically

EPOCHS = 3000  # full-batch epochs of every ideal fit below: enough for 40 noisy points to be fitted closely


# --8<-- [start:train]
def train(split: Split, hidden: int, lam: float, batch_size: int | None = None, seed: int = 0):
    """theta~ = argmin (1/n) sum (y_i - f_theta(x_i))^2 + lam ||W||^2 on the training set.

    Adam for EPOCHS passes over the training data (batch_size None: every step uses all of
    it, i.e. gradient descent; a number: SGD on random batches of that size). The final
    parameters are kept: the validation set judges them afterwards, it does not stop the
    loop. Returns the ideal ReLUNet and the loop's history (losses per epoch).
    """
    config = loop.LoopConfig(epochs=EPOCHS, lr=0.01, batch_size=batch_size, seed=seed)
    params = initial_params(split.x_train, [hidden], 1, np.random.default_rng(seed))
    state = loop.new_state(params, config, loop.steps_per_epoch(len(split.x_train), config))
    state = loop.run(IdealProblem(lam=lam), state, config, (split.x_train, split.y_train), (split.x_val, split.y_val))
    return params_to_network(state.params), state.history
# --8<-- [end:train]


def step_data(out: Path) -> Split:
    # --8<-- [start:data]
    split = target_split("sine", 40, seed=0, noise=0.15)  # y = sin(pi x) + noise: 40 train, 20 validation, 20 test
    shared = set(split.x_train.ravel()) & (set(split.x_val.ravel()) | set(split.x_test.ravel()))
    # --8<-- [end:data]
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    ax = figure.subplots()
    grid = np.linspace(-1, 1, 400)
    ax.plot(grid, np.sin(np.pi * grid), color="0.6", label="sin(pi x): the real world's trend")
    for name, (x, y), marker in zip(("train", "validation", "test"), split.parts().values(), "o^s", strict=True):
        ax.plot(x[:, 0], y[:, 0], marker, markersize=4, linestyle="none", label=name)
    ax.set(xlabel="x", ylabel="y", title="One data set, three disjoint parts")
    ax.legend(fontsize=7)
    save_figure(figure, out / "data.png")
    write_step(out, "data", f"{len(split.x_train)} training, {len(split.x_val)} validation and {len(split.x_test)} "
                            f"test points; points shared between training and the others: {len(shared)}.")
    return split


def step_validation(out: Path, split: Split) -> tuple[int, float]:
    # --8<-- [start:validation]
    results = {}
    for hidden in (8, 64):
        for lam in (0.0, 1e-4, 1e-3, 1e-2):
            network, _ = train(split, hidden, lam)
            results[hidden, lam] = (rmse(network.forward(split.x_train), split.y_train),
                                    rmse(network.forward(split.x_val), split.y_val))
    hidden, lam = min(results, key=lambda key: results[key][1])  # the validation set chooses
    # --8<-- [end:validation]
    rows = [f"| {h} | {g:g} | {train_rmse:.4f} | {val_rmse:.4f} |"
            for (h, g), (train_rmse, val_rmse) in results.items()]
    header = "| hidden neurons | lam | training RMSE | validation RMSE |\n| --- | --- | --- | --- |\n"
    write_step(out, "validation", header + "\n".join(rows) + "\n\nThe validation set chooses "
               f"**{hidden} neurons, lam = {lam:g}** (validation RMSE {results[hidden, lam][1]:.4f}; "
               "the noise alone is 0.15).")
    return hidden, lam


def step_sgd(out: Path, split: Split, hidden: int, lam: float) -> None:
    # --8<-- [start:sgd]
    curves = {}
    for batch_size in (None, 10):  # gradient descent on all 40 points, then SGD on batches of 10
        started = time.perf_counter()
        _, history = train(split, hidden, lam, batch_size=batch_size)
        curves[batch_size] = (history["train"], time.perf_counter() - started)
    # --8<-- [end:sgd]
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    ax = figure.subplots()
    lines = []
    for batch_size, (losses, seconds) in curves.items():
        label = "gradient descent (all 40 points per step)" if batch_size is None else f"SGD, batches of {batch_size}"
        ax.semilogy(np.arange(1, len(losses) + 1), losses, label=label, linewidth=1)
        lines.append(f"| {label} | {loop.steps_per_epoch(len(split.x_train), loop.LoopConfig(1, 0.01, batch_size))} "
                     f"| {losses[-1]:.4f} | {seconds:.2f} |")
    ax.set(xlabel="epoch (one pass over the training set)", ylabel="training loss",
           title=f"{hidden} neurons, lam = {lam:g}")
    ax.legend(fontsize=7)
    save_figure(figure, out / "sgd.png")
    write_step(out, "sgd", "| optimiser | steps per epoch | training loss after "
               f"{EPOCHS} epochs | seconds |\n| --- | --- | --- | --- |\n" + "\n".join(lines))


def step_elbow(out: Path) -> None:
    # --8<-- [start:elbow]
    elbow = compare_elbow("diode", 1.0, -0.2, cn.parse_sweep("-1:1:401"), diode="1N4148")  # relu(x - 0.2), ngspice
    # --8<-- [end:elbow]
    save_figure(elbow_figure(elbow, "diode: relu(x - 0.2), 1N4148, in ngspice"), out / "elbow.png")
    write_step(out, "elbow", f"Over x in [-1, 1] the diode circuit's output differs from relu(x - 0.2) by at most "
                             f"{1e3 * elbow.max_deviation:.1f} mV (RMS {1e3 * elbow.rms_deviation:.1f} mV), "
                             "mostly at the knee.")


def step_circuit(out: Path, split: Split, hidden: int, lam: float) -> None:
    # --8<-- [start:circuit]
    network, _ = train(split, hidden, lam)
    mapped = cn.realise(network, "diode")  # each weight a resistor, each elbow a diode
    mapped_val = rmse(cn.simulate(mapped, split.x_val, backend="spice").y, split.y_val)
    config = FitConfig(topology="diode", hidden=[hidden], lam=lam, mode="surrogate", epochs=1500, seed=0)
    result = fit(split, config)  # the resistors trained through the surrogate; the test set used once, in ngspice
    # --8<-- [end:circuit]
    grid = np.linspace(-1, 1, 201)[:, None]
    figure = Figure(figsize=(6, 3.4), layout="constrained")
    ax = figure.subplots()
    ax.plot(split.x_train[:, 0], split.y_train[:, 0], "o", color="0.7", markersize=3, label="training data")
    ax.plot(grid[:, 0], network.forward(grid)[:, 0], label="ideal ReLU network")
    ax.plot(grid[:, 0], cn.simulate(mapped, grid).y[:, 0], "--", label="that network as a diode circuit (ngspice)")
    ax.plot(grid[:, 0], cn.simulate(result.circuit, grid).y[:, 0], label="resistors trained (ngspice)")
    ax.set(xlabel="x", ylabel="y", title=f"{hidden} neurons, diode topology")
    ax.legend(fontsize=7)
    save_figure(figure, out / "circuit.png")
    report = result.report
    write_step(out, "circuit", "| circuit | validation RMSE (ngspice) |\n| --- | --- |\n"
               f"| the ideal network's weights as resistors | {mapped_val:.4f} |\n"
               f"| its resistors trained | {report['val_rmse']:.4f} |\n\n"
               "And once, at the end: the trained circuit's **test RMSE in ngspice is "
               f"{report['test_rmse_spice']:.4f}** "
               f"(the ideal network read back from its resistors: {report['test_rmse_ideal']:.4f}).")


def write_step(out: Path, name: str, markdown: str) -> None:
    """Print a step's result and keep it as OUT/NAME.md for the docs."""
    print(f"## {name}\n{markdown}\n", flush=True)
    write_atomically(out / f"{name}.md", lambda path: Path(path).write_text(markdown + "\n"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="out/tutorial", help="folder for the steps' Markdown and figures")
    out = Path(parser.parse_args().out)
    split = step_data(out)
    hidden, lam = step_validation(out, split)
    step_sgd(out, split, hidden, lam)
    step_elbow(out)
    step_circuit(out, split, hidden, lam)


if __name__ == "__main__":
    main()
