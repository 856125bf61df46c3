"""The compare report: figures, ``compare.json`` and one ``report.html`` that works offline
(the figures are embedded as data URIs; no script, no network)."""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .classifier_plots import boards_figure, confusion_figure, inference_power_figure, temperatures_accuracy_figure
from .opamp_report import inference_power_note, opamp_line, opamp_power_line, opamp_power_rows
from .plotting import input_names, save_figure
from .transient_plots import energy_figure, waveforms_figure

# the HTML report's helpers: a figure's <img> tag by name, and a <table> of rows by columns
ImageTag = Callable[[str], str]
TableTag = Callable[[list[dict], list[str]], str]

MAX_NEURON_PANELS = 16


def neurons_figure(numbers: dict, curves: dict) -> Figure:
    """Each neuron's ngspice rectifier output against its ideal elbow, with the knee
    magnified in an inset (the first 16 neurons)."""
    rows = numbers["neurons"][:MAX_NEURON_PANELS]
    columns = min(4, max(1, len(rows)))
    lines = -(-len(rows) // columns)
    figure = Figure(figsize=(3.3 * columns, 2.7 * lines), layout="constrained")
    axes = np.atleast_1d(figure.subplots(lines, columns, squeeze=False)).ravel()
    x = curves["x"]
    x_name = _swept_name(curves)
    for ax, row in zip(axes, rows, strict=False):
        ideal, spice = curves["ideal"].nodes[row["node"]], curves["spice"].nodes[row["node"]]
        ax.plot(x, ideal, color="black", linestyle="--", linewidth=1.0, label="ideal")
        ax.plot(x, spice, color="tab:red", linewidth=1.4, label="ngspice")
        ax.set_title(f"{row['node']}: max dev {1e3 * row['max_deviation_v']:.3g} mV", fontsize=9)
        ax.set_xlabel(f"{x_name} (data units)", fontsize=8)
        ax.set_ylabel("rectifier output (V)", fontsize=8)
        ax.tick_params(labelsize=7)
        knee = row["ideal_knee"]
        rising = spice[-1] >= spice[0]
        if knee is not None:
            # in the upper corner the curve leaves empty: left for a rising elbow, right for a falling one
            inset = ax.inset_axes([0.08, 0.5, 0.42, 0.42] if rising else [0.54, 0.5, 0.42, 0.42])
            near = np.abs(x - knee) <= 0.1 * (x.max() - x.min())
            inset.plot(x[near], ideal[near], color="black", linestyle="--", linewidth=0.9)
            inset.plot(x[near], spice[near], color="tab:red", linewidth=1.1)
            inset.axvline(row["fitted_knee"], color="tab:blue", linewidth=0.8)
            inset.tick_params(labelsize=6)
            inset.set_title("knee", fontsize=7)
    for ax in axes[len(rows):]:
        ax.axis("off")
    axes[0].plot([], [], color="tab:blue", linewidth=0.8, label="fitted knee (insets)")
    first = curves["spice"].nodes[rows[0]["node"]]
    axes[0].legend(fontsize=7, loc="lower right" if first[-1] >= first[0] else "lower left", frameon=False)
    figure.suptitle(f"hidden neurons: rectifier output (V) against input {x_name}; insets: the knee magnified",
                    fontsize=10)
    return figure


def _swept_name(curves: dict) -> str:
    """The name of the swept input (input 1): its data column, or x1."""
    return input_names(curves.get("record"), 1)[0]


def network_figure(numbers: dict, curves: dict) -> Figure:
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


def _held_text(numbers: dict) -> str:
    """'; other inputs held at NAME = V, ...' for the inputs a sweep holds still, else ''."""
    held = numbers.get("held_inputs") or {}
    return ("; other inputs held at " + ", ".join(f"{name} = {value:.4g}" for name, value in held.items())
            if held else "")


def temperatures_figure(numbers: dict, curves: dict) -> Figure:
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    x = curves["x"]
    left.plot(x, curves["spice"].y[:, 0], color="black", linestyle="--", linewidth=1.2,
              label="nominal circuit, 27 C")
    colors = iter(("tab:blue", "tab:green", "tab:orange", "tab:red", "tab:purple", "tab:brown"))
    for temperature, y in curves["temperatures"].items():
        left.plot(x, y, linewidth=1.3, color=next(colors, "0.3"), label=f"{temperature:g} C")
    left.set_xlabel(f"input {_swept_name(curves)} (data units)")
    left.set_ylabel("output y (data units)")
    left.legend(frameon=False, fontsize=8)
    left.grid(True, alpha=0.3)
    rows = numbers["temperatures"]
    temps = [r["temperature_c"] for r in rows]
    right.plot(temps, [r["vs_nominal_spice"]["max_abs"] for r in rows], "o-", label="max |y - nominal at 27 C|")
    right.plot(temps, [r["vs_nominal_spice"]["rms"] for r in rows], "s-", label="RMS of y - nominal at 27 C")
    if "vs_data_rmse" in rows[0]:
        right.plot(temps, [r["vs_data_rmse"] for r in rows], "^-", label="RMSE against the held-out data")
    right.set_xlabel("temperature (C)")
    right.set_ylabel("data units")
    right.legend(frameon=False)
    right.grid(True, alpha=0.3)
    return figure


def montecarlo_figure(numbers: dict, curves: dict) -> Figure:
    mc = numbers["montecarlo"]
    boards = curves["montecarlo"]
    figure = Figure(figsize=(10, 4), layout="constrained")
    left, right = figure.subplots(1, 2)
    x = curves["x"]
    left.fill_between(x, boards["low"], boards["high"], color="tab:red", alpha=0.25, label="envelope")
    left.plot(x, boards["median_board"], color="tab:red", linewidth=1.2, label="board of median error")
    left.plot(x, curves["spice"].y[:, 0], color="black", linestyle="--", linewidth=1.0, label="nominal circuit")
    left.set_title(f"{mc['instances']} boards, resistors within +-{100 * mc['tolerance']:g} %", fontsize=10)
    left.set_xlabel(f"input {_swept_name(curves)} (data units)")
    left.set_ylabel("output y (data units)")
    left.legend(frameon=False, fontsize=8)
    left.grid(True, alpha=0.3)
    worst = np.array(mc["per_board_vs_nominal_spice_max_abs"])
    right.hist(worst, bins=30, color="tab:red", alpha=0.7)
    right.axvline(mc["yield_threshold"], color="black", linewidth=1,
                  label=f"threshold: yield {100 * mc['yield']:.1f} %")
    right.set_xlabel("max |board - nominal circuit| per board, ngspice (data units)")
    right.set_ylabel("boards")
    right.legend(frameon=False, fontsize=8)
    return figure


def power_figure(numbers: dict, curves: dict) -> Figure:
    figure = Figure(figsize=(7.2, 4), layout="constrained")
    ax = figure.subplots()
    power = curves["power"]
    ax.plot(power["x"], 1e3 * power["delivered"], color="black", linewidth=1.4, label="delivered by all sources")
    ax.plot(power["x"], 1e3 * power["resistors"], color="tab:blue", linewidth=1.2, label="dissipated in resistors")
    ax.plot(power["x"], 1e3 * power["diodes"], color="tab:red", linewidth=1.2, label="dissipated in diodes")
    ax.set_xlabel(f"input {_swept_name(curves)} (data units)")
    ax.set_ylabel("static power (mW)")
    ax.legend(frameon=False)
    ax.grid(True, alpha=0.3)
    return figure


def imported_figure(numbers: dict, curves: dict) -> Figure:
    figure = Figure(figsize=(7.2, 5.2), layout="constrained")
    top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
    x, y, fitted = curves["x"], curves["transfer"], curves["fitted"]
    top.plot(x, y, color="tab:red", linewidth=3, alpha=0.6, label="imported circuit (ngspice)")
    top.plot(x, fitted, color="black", linestyle="--", linewidth=1.2, label="best ReLU network")
    for elbow in numbers["imported"]["elbows"]:
        top.axvline(elbow["position"], color="tab:blue", linewidth=0.8)
    top.set_ylabel(f"v({numbers['imported']['output']}) (V)")
    top.legend(frameon=False)
    top.grid(True, alpha=0.3)
    bottom.plot(x, 1e3 * (fitted - y), color="tab:blue")
    bottom.set_ylabel("fit - circuit (mV)")
    bottom.set_xlabel(f"{numbers['imported']['input']} (V)")
    bottom.grid(True, alpha=0.3)
    return figure


FIGURES = {"network": network_figure, "neurons": neurons_figure, "temperatures": temperatures_figure,
           "montecarlo": montecarlo_figure, "power": power_figure, "imported": imported_figure,
           "classifier": confusion_figure, "accuracy_boards": boards_figure,
           "accuracy_temperatures": temperatures_accuracy_figure, "inference_power": inference_power_figure,
           "transient": lambda numbers, curves: waveforms_figure(curves["transient"], curves.get("record")),
           "transient_energy": lambda numbers, curves: energy_figure(curves["transient"])}


def write_report(folder: str | Path, numbers: dict, curves: dict, title: str) -> dict[str, Path]:
    """compare.json, one PNG per figure that applies, and report.html, all atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {"json": write_text_atomically(folder / "compare.json", json_text(numbers, indent=1) + "\n")}
    for name in _available(numbers):
        path = folder / f"{name}.png"
        save_figure(FIGURES[name](numbers, curves), path)
        written[name] = path
    written["html"] = write_text_atomically(folder / "report.html", _html(folder, numbers, written, title))
    return written


def _available(numbers: dict) -> list[str]:
    """The figures this report has numbers for."""
    return [name for name in FIGURES if numbers.get(name.replace("_energy", ""))]


def _html(folder: Path, numbers: dict, written: dict, title: str) -> str:
    def image(name: str) -> str:
        if name not in written:
            return ""
        data = base64.b64encode(Path(written[name]).read_bytes()).decode("ascii")
        return f'<img alt="{name}" src="data:image/png;base64,{data}">'

    def table(rows: list[dict], columns: list[str]) -> str:
        head = "".join(f"<th>{html.escape(HEADINGS.get(c, c))}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c))}</td>" for c in columns) + "</tr>" for row in rows)
        return f"<table><tr>{head}</tr>{body}</table>"

    parts = [f"<h1>{html.escape(title)}</h1>"]
    parts += _html_circuit(numbers, image, table)
    parts += _html_spread(numbers, image, table)
    parts += _html_classifier(numbers, image, table)
    parts += _html_checks(numbers, image, table)
    style = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
             "font-size:13px;text-align:right}img{max-width:100%}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>{''.join(parts)}</body></html>\n")


# The network table's rows: which two simulations are compared, and the unit of their difference.
# What a reader sees above each column: the quantity and its unit, not the JSON key.
HEADINGS = {
    "comparison": "comparison", "max_abs": "max |difference|", "rms": "RMS difference", "rmse": "RMSE",
    "nominal_max_abs": "max |y - nominal at 27 C|", "nominal_rms": "RMS of y - nominal at 27 C",
    "readback_max_abs": "max |y - read-back network|", "data_rmse": "RMSE against the held-out data",
    "data_median": "median RMSE against the data", "data_worst": "worst RMSE against the data",
    "node": "node", "max_deviation_v": "max deviation (V)", "rms_deviation_v": "RMS deviation (V)",
    "ideal_knee": "ideal knee (x)", "fitted_knee": "fitted knee (x)", "knee_shift": "knee shift (x)",
    "ideal_slope": "ideal slope", "fitted_slope": "fitted slope", "temperature_c": "temperature (C)",
    "instances": "boards", "tolerance": "resistor tolerance (fraction)",
    "median": "median max |board - nominal|", "p95": "95th percentile", "worst": "worst",
    "threshold": "pass if max |board - nominal| <=", "yield": "yield against the nominal circuit (fraction)",
    "yield_labels": "yield against the labels (fraction)",
    "where": "where", "max_w": "max (W)", "mean_w": "mean (W)", "position": "elbow at (V)", "slope": "slope",
    "output_weight": "output weight", "element": "part", "quantity": "quantity", "value": "worst value",
    "limit": "limit", "unit": "unit",
    "samples": "test samples", "accuracy": "accuracy (fraction)", "accuracy_spice": "accuracy (ngspice)",
    "accuracy_surrogate": "accuracy (surrogate)", "accuracy_ideal": "accuracy (ideal read-back)",
    "class_changes_surrogate_vs_spice": "samples changing class, surrogate vs ngspice",
    "accuracy_median": "median accuracy", "accuracy_p5": "5th percentile", "accuracy_worst": "worst board",
    "accuracy_best": "best board", "accuracy_threshold": "pass if accuracy >=", "median_w": "median (W)",
    "min_w": "min (W)",
    "worst_settling_time_s": "worst settling time (s)", "inferences_per_second": "inferences per second",
    "energy_median_j": "energy per inference, median (J)", "energy_worst_j": "worst (J)",
    "last_to_settle": "last node to settle",
}


# The network and data comparisons, in words: what is compared with what.
COMPARISONS = {
    "circuit_vs_readback_network": "circuit (ngspice) vs the ReLU network its values encode (data units)",
    "surrogate_vs_readback_network": "surrogate vs the ReLU network its values encode (data units)",
    "spice_vs_surrogate_v": "circuit (ngspice) vs surrogate (V at the output)",
    "circuit_vs_data_rmse": "circuit (ngspice) vs the data (data units)",
    "surrogate_vs_data_rmse": "surrogate vs the data (data units)",
    "readback_network_vs_data_rmse": "read-back ReLU network vs the data (data units)",
}


def _yield_column(reference: str) -> str:
    """The yield's column, so its heading names what compare.json's yield_reference judges
    a board against: the test samples' labels (a classifier) or the nominal circuit."""
    return "yield_labels" if "labels" in reference else "yield"


def _html_circuit(numbers: dict, image: ImageTag, table: TableTag) -> list[str]:
    """The sections on the nominal circuit: network, data, neurons, temperatures."""
    parts: list[str] = []
    if "ngspice" in numbers:  # which simulator measured every figure below
        found = numbers["ngspice"]
        parts.append(f"<p>Simulated in ngspice {html.escape(str(found['version']))} with the "
                     f"{html.escape(str(found['solver']))} solver"
                     + (f" ({html.escape(found['note'])})" if found.get("note") else "") + ".</p>")
    if "opamps" in numbers:  # which op-amp model every figure below used
        parts.append(f"<p>{html.escape(opamp_line(numbers['opamps']))}</p>")
    if "test_split" in numbers:
        split = numbers["test_split"]
        parts.append(f"<p>Test samples: {html.escape(split['how'])} (data: {html.escape(split['data'])}).</p>")
    if "network" in numbers:
        parts += ["<h2>Network</h2>", _references(numbers),
                  f"<p>Sweep of input 1 over {html.escape(numbers.get('sweep', '?'))} (START:STOP:N, data units)"
                  f"{html.escape(_held_text(numbers))}.</p>",
                  table([{"comparison": COMPARISONS.get(k, k), **v} for k, v in numbers["network"].items()],
                        ["comparison", "max_abs", "rms"]), image("network")]
    if "data" in numbers:
        found = numbers["data"]
        parts += [f"<h2>Held-out data</h2><p>{html.escape(found['source'])}: {found['samples']} samples</p>",
                  table([{"comparison": COMPARISONS[k], "rmse": v} for k, v in found.items() if k.endswith("_rmse")],
                        ["comparison", "rmse"])]
    if numbers.get("neurons"):
        parts += ["<h2>Neurons</h2><p>each rectifier output against its ideal elbow in the read-back network</p>",
                  image("neurons"),
                  table(numbers["neurons"], ["node", "max_deviation_v", "rms_deviation_v", "ideal_knee", "fitted_knee",
                                             "knee_shift", "ideal_slope", "fitted_slope"])]
    if "temperatures" in numbers:
        rows = [{"temperature_c": row["temperature_c"], "nominal_max_abs": row["vs_nominal_spice"]["max_abs"],
                 "nominal_rms": row["vs_nominal_spice"]["rms"],
                 "readback_max_abs": row["vs_readback_network"]["max_abs"], "data_rmse": row.get("vs_data_rmse")}
                for row in numbers["temperatures"]]
        parts += ["<h2>Temperature</h2>",
                  table(rows, ["temperature_c", "nominal_max_abs", "nominal_rms", "readback_max_abs"]
                        + (["data_rmse"] if "data" in numbers else [])), image("temperatures")]
    return parts


def _html_spread(numbers: dict, image: ImageTag, table: TableTag) -> list[str]:
    """The sections on built boards: Monte Carlo and static power."""
    parts: list[str] = []
    if "montecarlo" in numbers:
        mc = numbers["montecarlo"]
        parts += ["<h2>Monte Carlo</h2>",
                  f"<p>Judged against the nominal circuit in ngspice: {html.escape(mc['yield_reference'])}.</p>",
                  table([{"instances": mc["instances"], "tolerance": mc["tolerance"],
                          **mc["board_vs_nominal_spice_max_abs"], _yield_column(mc["yield_reference"]): mc["yield"],
                          "threshold": mc["yield_threshold"],
                          **({f"data_{k}": v for k, v in mc["board_vs_data_rmse"].items()}
                             if "board_vs_data_rmse" in mc else {})}],
                        ["instances", "tolerance", "median", "p95", "worst", "threshold",
                         _yield_column(mc["yield_reference"])]
                        + (["data_median", "data_worst"] if "board_vs_data_rmse" in mc else [])),
                  image("montecarlo")]
    if "power" in numbers:
        power = numbers["power"]
        rows = [{"where": f"delivered by {k}", **v} for k, v in power["delivered"].items()]
        rows += [{"where": "delivered, total", **power["delivered_total"]},
                 {"where": "dissipated in resistors", **power["dissipated_resistors"]},
                 {"where": "dissipated in diodes", **power["dissipated_diodes"]}]
        rows += opamp_power_rows(power)
        parts += ["<h2>Static power</h2>", f"<p>op-amp model: {html.escape(power.get('opamp_model', ''))}</p>",
                  table(rows, ["where", "max_w", "mean_w"]), image("power")]
    return parts


def _html_classifier(numbers: dict, image: ImageTag, table: TableTag) -> list[str]:
    """A classifier's sections: accuracy, its temperatures and boards, power per inference."""
    parts: list[str] = []
    if "classifier" in numbers:
        found = numbers["classifier"]
        parts += ["<h2>Classifier</h2>", _references(numbers),
                  table([{"samples": numbers["test_samples"], **found}],
                        ["samples", "accuracy_spice", "accuracy_surrogate", "accuracy_ideal",
                         "class_changes_surrogate_vs_spice"]), image("classifier")]
    if numbers.get("accuracy_temperatures"):
        parts += ["<h2>Accuracy against temperature</h2>",
                  table(numbers["accuracy_temperatures"], ["temperature_c", "accuracy"]),
                  image("accuracy_temperatures")]
    if "accuracy_boards" in numbers:
        boards = numbers["accuracy_boards"]
        parts += ["<h2>Monte Carlo boards</h2>",
                  table([{"instances": boards["instances"], "tolerance": boards["tolerance"],
                          **{f"accuracy_{k}": v for k, v in boards["accuracy"].items()},
                          "accuracy_threshold": boards["yield_threshold"],
                          _yield_column(boards["yield_reference"]): boards["yield"]}],
                        ["instances", "tolerance", "accuracy_median", "accuracy_p5", "accuracy_worst",
                         "accuracy_best", "accuracy_threshold", _yield_column(boards["yield_reference"])]),
                  image("accuracy_boards")]
    if "inference_power" in numbers:
        parts += ["<h2>Static power per inference</h2>",
                  f"<p>{html.escape(inference_power_note(numbers['inference_power']))}</p>",
                  table([numbers["inference_power"]], ["median_w", "mean_w", "min_w", "max_w"]),
                  image("inference_power")]
    return parts


def _html_checks(numbers: dict, image: ImageTag, table: TableTag) -> list[str]:
    """The transient, the safe operating area and an imported netlist's fit."""
    parts: list[str] = []
    if "transient" in numbers:
        found = numbers["transient"]
        summary, opamp = found["summary"], found["opamp"]
        parts += [f"<h2>Transient: op-amps {html.escape(opamp['name'])}</h2>",
                  f"<p>{len(found['steps'])} input steps of {1e6 * found['step_time_s']:g} us; op-amps "
                  f"{opamp['gbw_hz'] / 1e6:g} MHz, {opamp['slew_v_per_us']:g} V/us "
                  f"({html.escape(opamp['source'])}). Settled: within {100 * found['settle']:g} % of each node's "
                  f"full scale of its DC answer.</p>",
                  table([{"worst_settling_time_s": summary["worst_settling_time_s"],
                          "inferences_per_second": summary["inferences_per_second"],
                          "energy_median_j": summary["energy_per_inference_j"]["median"],
                          "energy_worst_j": summary["energy_per_inference_j"]["worst"],
                          "last_to_settle": summary["last_to_settle"]}],
                        ["worst_settling_time_s", "inferences_per_second", "energy_median_j", "energy_worst_j",
                         "last_to_settle"]), image("transient"), image("transient_energy")]
    if "violations" in numbers:
        parts.append("<h2>Safe operating area</h2>")
        if numbers["violations"]:
            parts += ["<p><b>These parts leave their safe operating area: no built circuit gives the outputs "
                      "above.</b></p>", table(numbers["violations"], ["element", "quantity", "value", "limit", "unit",
                                                                     "temperature_c"])]
        else:
            parts.append("<p>Every op-amp output stays inside its rails, every diode below its breakdown margin "
                         "and every resistor within its rating, at every point and temperature.</p>")
    if "imported" in numbers:
        imported = numbers["imported"]
        parts += ["<h2>Imported netlist</h2>", table(imported["elbows"], ["position", "slope", "output_weight"]),
                  f"<p>deviation of the fitted network: max {imported['deviation']['max_abs']:.4g}, "
                  f"RMS {imported['deviation']['rms']:.4g} (volts)</p>", image("imported")]
        if imported.get("included"):
            parts.append(f"<p>read with .include / .lib: {html.escape(', '.join(imported['included']))}</p>")
        if imported.get("skipped"):
            parts += ["<p>skipped (circuitnet runs its own sweep):</p><ul>",
                      *(f"<li>{html.escape(card)}</li>" for card in imported["skipped"]), "</ul>"]
    return parts

def _references(numbers: dict) -> str:
    """What the figures are measured against, as a list (compare.json's "references")."""
    names = {"nominal_spice": "nominal circuit", "readback_network": "read-back network", "surrogate": "surrogate",
             "data": "held-out data", "labels": "labels"}
    items = "".join(f"<li><b>{names.get(key, key)}</b>: {html.escape(text)}</li>"
                    for key, text in numbers.get("references", {}).items())
    return f"<p>Each figure names what it is measured against:</p><ul>{items}</ul>" if items else ""


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def compare_summary(numbers: dict, title: str) -> list[str]:
    """The few figures of compare.json a person reads first, one line each (data units unless
    a unit is named)."""
    lines = [title]
    lines += _summary_circuit(numbers)
    lines += _summary_classifier(numbers)
    lines += _summary_checks(numbers)
    return lines


def _summary_circuit(numbers: dict) -> list[str]:
    """The lines on the circuit: network, data, neurons, temperatures, Monte Carlo."""
    lines: list[str] = []
    if "network" in numbers:
        network, readback = numbers["network"], numbers["network"]["circuit_vs_readback_network"]
        lines.append(f"  distance from the ReLU network its values encode: max {readback['max_abs']:.4g} "
                     f"(RMS {readback['rms']:.4g}); ngspice vs surrogate max "
                     f"{1e6 * network['spice_vs_surrogate_v']['max_abs']:.3g} uV")
        lines.append(f"  sweep of input 1 over {numbers.get('sweep')}" + (_held_text(numbers) or "; one input"))
    if "data" in numbers:
        found = numbers["data"]
        lines.append(f"  held-out data ({found['source']}, {found['samples']} samples): RMSE "
                     f"{found['circuit_vs_data_rmse']:.4g} in ngspice, {found['surrogate_vs_data_rmse']:.4g} "
                     f"surrogate, {found['readback_network_vs_data_rmse']:.4g} read-back network")
    if numbers.get("neurons"):
        worst = max(numbers["neurons"], key=lambda row: row["max_deviation_v"])
        lines.append(f"  neurons: largest deviation from the ideal elbow {1e3 * worst['max_deviation_v']:.3g} mV "
                     f"at {worst['node']}")
    if numbers.get("temperatures"):
        lines.append("  temperatures, max |y - nominal circuit at 27 C|: " + ", ".join(
            f"{row['vs_nominal_spice']['max_abs']:.4g} at {row['temperature_c']:g} C"
            + (f" (RMSE {row['vs_data_rmse']:.4g} on the data)" if "vs_data_rmse" in row else "")
            for row in numbers["temperatures"]))
    if "montecarlo" in numbers:
        mc, error = numbers["montecarlo"], numbers["montecarlo"]["board_vs_nominal_spice_max_abs"]
        on_data = mc.get("board_vs_data_rmse")
        lines.append(f"  Monte Carlo: {mc['instances']} boards at {100 * mc['tolerance']:g} %, max |board - nominal "
                     f"circuit| median {error['median']:.4g}, 95th percentile {error['p95']:.4g}, worst "
                     f"{error['worst']:.4g}; yield {100 * mc['yield']:.1f} % at {mc['yield_threshold']:g} (judged "
                     f"against the nominal circuit in ngspice)"
                     + (f"; RMSE on the data median {on_data['median']:.4g}, worst {on_data['worst']:.4g}"
                        if on_data else ""))
    return lines


def _summary_classifier(numbers: dict) -> list[str]:
    """A classifier's lines: accuracy, its temperatures and boards."""
    lines: list[str] = []
    if "classifier" in numbers:
        found = numbers["classifier"]
        if "test_split" in numbers:
            lines.append(f"  test samples: {numbers['test_split']['how']} (data: {numbers['test_split']['data']})")
        lines.append(f"  classifier: test accuracy {100 * found['accuracy_spice']:.2f} % in ngspice "
                     f"({numbers['test_samples']} samples), {100 * found['accuracy_surrogate']:.2f} % surrogate, "
                     f"{100 * found['accuracy_ideal']:.2f} % ideal; {found['class_changes_surrogate_vs_spice']} "
                     f"sample(s) change class between surrogate and ngspice")
    if numbers.get("accuracy_temperatures"):
        lines.append("  temperatures: accuracy " + ", ".join(
            f"{100 * row['accuracy']:.2f} % at {row['temperature_c']:g} C" for row in numbers["accuracy_temperatures"]))
    if "accuracy_boards" in numbers:
        boards = numbers["accuracy_boards"]
        lines.append(f"  Monte Carlo: {boards['instances']} boards at {100 * boards['tolerance']:g} %: accuracy median "
                     f"{100 * boards['accuracy']['median']:.2f} %, worst {100 * boards['accuracy']['worst']:.2f} %; "
                     f"yield {100 * boards['yield']:.1f} % at accuracy >= {100 * boards['yield_threshold']:g} %")
    return lines


def _summary_checks(numbers: dict) -> list[str]:
    """The transient, power, the safe operating area and an imported netlist's fit."""
    lines: list[str] = [opamp_line(numbers["opamps"])] if "opamps" in numbers else []
    if "transient" in numbers:
        from .transient_outputs import transient_summary
        first, *rest = transient_summary(numbers["transient"])
        lines += [f"  transient: {first}", *rest]
    if "inference_power" in numbers:
        power = numbers["inference_power"]
        lines.append(f"  static power per inference: median {1e3 * power['median_w']:.3g} mW, max "
                     f"{1e3 * power['max_w']:.3g} mW")
    if "power" in numbers:
        power = numbers["power"]
        lines.append(f"  power: {1e3 * power['delivered_total']['mean_w']:.3g} mW mean from the sources, "
                     f"{1e3 * power['dissipated_diodes']['mean_w']:.3g} mW of it in the diodes")
        lines.append("  " + opamp_power_line(power))
    if numbers.get("violations"):
        worst = numbers["violations"][0]
        lines.append(f"  WARNING: {len(numbers['violations'])} part(s) leave their safe operating area; the worst: "
                     f"{worst['element']} {worst['quantity']} {worst['value']:.4g} {worst['unit']} (limit "
                     f"{worst['limit']:.4g}) at {worst['temperature_c']:g} C")
    elif "violations" in numbers:
        lines.append("  every part stays in its safe operating area (rails, breakdown, dissipation)")
    if "imported" in numbers:
        imported = numbers["imported"]
        elbows = ", ".join(f"{e['position']:.4g} V" for e in imported["elbows"] if e["position"] is not None)
        lines.append(f"  fitted {imported['hidden']} neuron(s): elbows at {elbows or 'none'}; deviation max "
                     f"{imported['deviation']['max_abs']:.4g} V (RMS {imported['deviation']['rms']:.4g} V)")
        if imported["included"]:
            lines.append(f"  read {', '.join(imported['included'])} (.include / .lib)")
        if imported["skipped"]:
            lines.append(f"  skipped {len(imported['skipped'])} analysis or output card(s), circuitnet runs its "
                         f"own sweep: " + "; ".join(imported["skipped"]))
    return lines
