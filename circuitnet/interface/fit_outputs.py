"""Everything ``circuitnet fit`` writes into its output folder, each file atomically:

- ``model.json``: the trained circuit (model file format);
- ``circuit.cir``: its standalone netlist, sweeping input 1 over the data range;
- ``report.json``: the figures (see ``fit.measure``) and every setting;
- ``data.csv``: the data with the split each point belongs to (so the report can be
  recomputed);
- ``bom.csv``: the parts;
- ``fit.png`` and ``loss.png``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..backends.ideal import IdealBackend
from ..backends.spice.netlist import netlist_text
from ..formats import modelfile
from ..model.board import Board
from ..model.board_amplifiers import COUNTED_ROLES, board_inventory
from ..model.opamp_parts import opamp_part
from ..model.sweep import DEFAULT_SWEEP_POINTS, Sweep, held_values, sweep_for
from ..topologies import circuit_elements, part_counts
from ..training.data import Split, Target
from ..training.eseries import TOLERANCE
from ..training.run import FitResult
from ..training.run_folder import data_csv
from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .plotting import PlaneFit, input_names, output_names, plot_fit_1d, plot_fit_2d, plot_loss, save_figure


def write_fit_files(folder: Path, result: FitResult, split: Split, netlist: str) -> dict[str, Path]:
    """The files every fit writes, regressor or classifier, each atomically: model.json, the
    standalone ``netlist`` text as circuit.cir, report.json, data.csv and bom.csv. The report
    is serialised before the folder is made: one JSON can't hold leaves nothing written."""
    report_text = json_text(result.report, indent=2) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "model": modelfile.save(result.circuit, folder / "model.json"),
        "netlist": write_text_atomically(folder / "circuit.cir", netlist),
        "report": write_text_atomically(folder / "report.json", report_text),
        "data": write_text_atomically(folder / "data.csv", data_csv(split)),
        "bom": write_text_atomically(folder / "bom.csv", bom_csv(result.circuit, result.report["hyperparameters"]
                                                                 .get("e_series"))),
    }


def write_outputs(folder: str | Path, result: FitResult, split: Split, spice, target: Target | None = None,
                  command: str = "circuitnet fit") -> dict[str, Path]:
    folder = Path(folder)
    # the sweep export and compare use: input 1 over its data range, the others held at the
    # middle of theirs (0 data units can lie far outside the range the circuit was fit on)
    x_all = np.vstack([split.x_train, split.x_val, split.x_test])
    low, high = float(x_all[:, 0].min()), float(x_all[:, 0].max())
    sweep = sweep_for(result.circuit.data_record, Sweep(low, high, DEFAULT_SWEEP_POINTS))
    paths = write_fit_files(folder, result, split, netlist_text(
        result.circuit, sweep=sweep, data_file="circuit.dat", command=command))
    board = Board(**result.report["hyperparameters"]["board"]) if result.report["hyperparameters"]["board"] else Board()
    figure = fit_figure(result, split, spice, board, target)
    save_figure(figure, folder / "fit.png")
    paths["fit_plot"] = folder / "fit.png"
    loss_figure = Figure(figsize=(7.2, 4.2), layout="constrained")
    plot_loss(loss_figure.subplots(), result.history)
    save_figure(loss_figure, folder / "loss.png")
    paths["loss_plot"] = folder / "loss.png"
    return paths


def fit_figure(result: FitResult, split: Split, spice, board: Board, target: Target | None = None) -> Figure:
    """fit.png: the circuit in ngspice (on ``board``) against the data and the target, titled
    with its test RMSE, axes named after the data's columns (``circuit.data_record``)."""
    circuit, settings = result.circuit, result.summary.hyperparameters
    x_all = np.vstack([split.x_train, split.x_val, split.x_test])
    low, high = float(x_all[:, 0].min()), float(x_all[:, 0].max())
    names = input_names(circuit.data_record, split.n_inputs)
    y_name = output_names(circuit.data_record, 1)[0] if circuit.data_record is not None else "y"
    figure = Figure(figsize=(7.2, 4.8) if split.n_inputs == 1 else (13, 4.2), layout="constrained")
    title = (f"{circuit.topology} topology, {settings['mode']} mode: test RMSE (ngspice) "
             f"{result.summary.figures.headline:.4g} data units")
    if split.n_inputs == 1:
        grid = np.linspace(low, high, 401)
        simulated = spice.simulate(board.apply(circuit), grid[:, None], board.temperature_c).y[:, 0]
        ideal = IdealBackend().simulate(circuit, grid[:, None]).y[:, 0]
        ax = figure.subplots()
        plot_fit_1d(ax, (split.x_train, split.y_train), grid, ideal, simulated,
                    None if target is None else target.function(grid[:, None]),
                    "target" if target is None else target.formula, (names[0], y_name))
        ax.set_title(title)
        return figure
    g1 = np.linspace(low, high, 61)
    g2 = np.linspace(float(x_all[:, 1].min()), float(x_all[:, 1].max()), 61)
    mesh = np.array(np.meshgrid(g1, g2)).reshape(2, -1).T
    # inputs past the second where compare and export hold them: the middle of the training range
    held = held_values(circuit.data_record, split.n_inputs)[2:]
    points = np.column_stack([mesh, np.tile(held, (len(mesh), 1))])
    simulated = spice.simulate(board.apply(circuit), points, board.temperature_c).y[:, 0].reshape(61, 61)
    at_test = spice.simulate(board.apply(circuit), split.x_test, board.temperature_c).y[:, 0]
    plot_fit_2d(figure.subplots(1, 3), PlaneFit(
        g1, g2, simulated, None if target is None else target.function(points).reshape(61, 61),
        split.x_train, split.y_train[:, 0], split.x_test, at_test - split.y_test[:, 0],
        (names[0], names[1], y_name), "" if target is None else target.formula))
    others = "" if split.n_inputs == 2 else "; other inputs held at " + ", ".join(
        f"{name} = {value:.4g}" for name, value in zip(names[2:], held, strict=True))
    figure.suptitle(title + others)
    return figure


def bom_csv(circuit, series: str | None) -> str:
    """Every part: each resistor (reference, ohms, series, tolerance), the diodes, the op-amps.
    A resistor made of a series pair (``circuit.series_pairs``) is two rows, ``R...a`` (the
    larger part) and ``R...b``, wired in series in its place."""
    tolerance = f"{100 * TOLERANCE[series.upper()]:g}%" if series else ""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["kind", "reference", "value", "series", "tolerance", "count"])
    elements = circuit_elements(circuit)
    for element in elements:
        if element.part == "resistor":
            parts = None if circuit.series_pairs is None else circuit.series_pairs.parts(element.value)
            for suffix, ohms in ([("", element.value)] if parts is None else zip("ab", parts, strict=True)):
                writer.writerow(["resistor", element.name + suffix, f"{ohms:.6g} ohm", series or "exact value",
                                 tolerance, 1])
    counts = part_counts(circuit)
    writer.writerow(["diode", "", circuit.diode.name, "", "", counts["diode"]])
    opamp = circuit.opamp  # a real part by name (its packages in the report), or the generic model
    writer.writerow(["op-amp", "", opamp.part or f"{opamp.kind}, gain {opamp.gain:g}", "", "", counts["opamp"]])
    writer.writerow(["reference", "", f"+-{circuit.v_ref:g} V", "", "", 2])
    if opamp.part is not None:  # the board's other amplifiers (model.board_amplifiers), and spare units that draw
        part = opamp_part(opamp.part)
        board = board_inventory(circuit, elements, part)
        for name, _, words in COUNTED_ROLES[:-1]:
            if getattr(board, name):
                writer.writerow(["op-amp", words.removeprefix("for "), part.name, "", "", getattr(board, name)])
        writer.writerow(["op-amp package", "", f"{part.name} {part.package}, {part.amplifiers_per_package} "
                         f"amplifiers each ({board.spare} spare)", "", "", board.packages])
    return stream.getvalue()
