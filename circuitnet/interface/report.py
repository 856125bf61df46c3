"""The compare report: figures, ``compare.json`` and one ``report.html`` that works offline
(the figures are embedded as data URIs; no script, no network).

The report is its sections (report_sections.SECTIONS), one per analysis, each with its
figures, its HTML and its summary lines; this module only lays them out.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .compare_figures import (  # noqa: F401  (the figures' makers, imported from here before the split)
    imported_figure,
    montecarlo_figure,
    network_figure,
    neurons_figure,
    power_figure,
    temperatures_figure,
)
from .plotting import save_figure
from .report_sections import SECTIONS, ImageTag, Numbers, TableTag  # noqa: F401


def write_report(folder: str | Path, numbers: Numbers, curves: dict, title: str) -> dict[str, Path]:
    """compare.json (``numbers.to_dict()``), one PNG per figure that applies, and report.html,
    all atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {"json": write_text_atomically(folder / "compare.json", json_text(numbers.to_dict(), indent=1) + "\n")}
    for section in SECTIONS:
        for name in section.available(numbers):
            path = folder / f"{name}.png"
            save_figure(section.figures[name](numbers, curves), path)
            written[name] = path
    written["html"] = write_text_atomically(folder / "report.html", _html(folder, numbers, written, title))
    return written


def _html(folder: Path, numbers: Numbers, written: dict, title: str) -> str:
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
    for section in SECTIONS:
        parts += section.html(numbers, image, table)
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
    "readback_max_abs": "max |y - read-back network|", "data_rmse": "RMSE against the data",
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


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return html.escape(str(value))


def compare_summary(numbers: Numbers, title: str) -> list[str]:
    """The few figures of compare's result a person reads first, one line each (data units unless
    a unit is named), section by section."""
    return [title] + [line for section in SECTIONS for line in section.summary(numbers)]
