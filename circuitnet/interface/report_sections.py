"""compare's report, one section per analysis: its figures (PNG name -> maker), its part of
report.html and its lines of the printed summary, each given compare's typed result (a
``RegressionComparison``, ``ClassifierComparison`` or ``ImportedComparison``: the numbers).

``SECTIONS`` is the report in order; ``write_report``, ``_html`` and ``compare_summary``
(report.py) loop over it. A new analysis is one new Section here (``register`` adds one from
elsewhere, e.g. a test). A section reads its attribute of the result (``part(numbers,
key)``: None when that kind of result has none, or this run did not measure it); without it,
it returns no HTML and no lines, and its figures are not drawn.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from matplotlib.figure import Figure

from ..analysis.held_out import data_kind
from ..backends.spice.solver import solver_phrase
from ..util.power_text import power_text
from .classifier_plots import boards_figure, confusion_figure, inference_power_figure, temperatures_accuracy_figure
from .compare_figures import (
    _held_text,
    imported_figure,
    montecarlo_figure,
    network_figure,
    neurons_figure,
    power_figure,
    temperatures_figure,
)
from .opamp_report import inference_power_note, opamp_line, opamp_power_line, opamp_power_rows
from .transient_plots import energy_figure, waveforms_figure

# the HTML report's helpers: a figure's <img> tag by name, and a <table> of rows by columns
ImageTag = Callable[[str], str]
TableTag = Callable[[list[dict], list[str]], str]
Numbers = Any  # a compare result: RegressionComparison, ClassifierComparison or ImportedComparison
FigureMaker = Callable[[Numbers, dict], Figure]


def part(numbers: Numbers, key: str) -> Any:
    """The result's ``key`` section (an attribute), or None where it has none."""
    return getattr(numbers, key, None)


def _no_lines(numbers: Numbers) -> list[str]:
    return []


@dataclass(frozen=True)
class Section:
    """One analysis of the report. key: its compare.json key; html(numbers, image, table):
    its HTML parts ([] when its numbers are absent); summary(numbers): its printed lines;
    figures: {PNG name: maker(numbers, curves)}, drawn when numbers[key] holds something."""

    key: str
    html: Callable[[Numbers, ImageTag, TableTag], list[str]]
    summary: Callable[[Numbers], list[str]] = _no_lines
    figures: dict[str, FigureMaker] = field(default_factory=dict)

    def available(self, numbers: Numbers) -> list[str]:
        """The PNG names of this section that the numbers allow."""
        return list(self.figures) if part(numbers, self.key) else []


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


def _references(numbers: Numbers) -> str:
    """What the figures are measured against, as a list (compare.json's "references")."""
    names = {"nominal_spice": "nominal circuit", "readback_network": "read-back network", "surrogate": "surrogate",
             "data": "the data", "labels": "labels"}
    items = "".join(f"<li><b>{names.get(key, key)}</b>: {html.escape(text)}</li>"
                    for key, text in (part(numbers, "references") or {}).items())
    return f"<p>Each figure names what it is measured against:</p><ul>{items}</ul>" if items else ""


# -- which simulator, which samples ------------------------------------------------------
def _setup_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    parts: list[str] = []
    found = part(numbers, "ngspice")
    if found:  # which simulator measured every figure below
        parts.append(f"<p>Simulated in ngspice {html.escape(str(found['version']))} with the "
                     f"{html.escape(solver_phrase(str(found['solver'])))}"
                     + (f" ({html.escape(found['note'])})" if found.get("note") else "") + ".</p>")
    if part(numbers, "opamps"):  # which op-amp model every figure below used
        parts.append(f"<p>{html.escape(opamp_line(numbers.opamps))}</p>")
    split = part(numbers, "test_split")
    if split:
        parts.append(f"<p>Test samples: {html.escape(split['how'])} (data: {html.escape(split['data'])}).</p>")
    return parts


def _no_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    return []


def _opamps_summary(numbers: Numbers) -> list[str]:
    return [opamp_line(numbers.opamps)] if part(numbers, "opamps") else []


# -- the nominal circuit -----------------------------------------------------------------
def _network_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    if not part(numbers, "network"):
        return []
    return ["<h2>Network</h2>", _references(numbers),
            f"<p>Sweep of input 1 over {html.escape(numbers.sweep)} (START:STOP:N, data units)"
            f"{html.escape(_held_text(numbers))}.</p>",
            table([{"comparison": COMPARISONS.get(k, k), **v.to_dict()}
                   for k, v in numbers.network.comparisons().items()], ["comparison", "max_abs", "rms"]),
            image("network")]


def _network_summary(numbers: Numbers) -> list[str]:
    if not part(numbers, "network"):
        return []
    network, readback = numbers.network, numbers.network.circuit_vs_readback_network
    return [f"  distance from the ReLU network its values encode: max {readback.max_abs:.4g} "
            f"(RMS {readback.rms:.4g}); ngspice vs surrogate max "
            f"{1e6 * network.spice_vs_surrogate_v.max_abs:.3g} uV",
            f"  sweep of input 1 over {numbers.sweep}" + (_held_text(numbers) or "; one input")]


def _data_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    found = part(numbers, "data")
    if not found:
        return []
    kind = data_kind(found.held_out)
    title = kind[0].upper() + kind[1:]
    advice = f"<p>{html.escape(found.advice)}</p>" if found.advice else ""
    return [f"<h2>{html.escape(title)}</h2><p>{html.escape(found.heading)}</p>{advice}",
            table([{"comparison": COMPARISONS[k], "rmse": v} for k, v in found.comparisons().items()],
                  ["comparison", "rmse"])]


def _data_summary(numbers: Numbers) -> list[str]:
    found = part(numbers, "data")
    if not found:
        return []
    return [f"  {found.heading}: RMSE "
            f"{found.circuit_vs_data_rmse:.4g} in ngspice, {found.surrogate_vs_data_rmse:.4g} "
            f"surrogate, {found.readback_network_vs_data_rmse:.4g} read-back network"] + (
        [f"    {found.advice}"] if found.advice else [])


def _neurons_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    if not part(numbers, "neurons"):
        return []
    return ["<h2>Neurons</h2><p>each rectifier output against its ideal elbow in the read-back network</p>",
            image("neurons"),
            table([row.to_dict() for row in numbers.neurons],
                  ["node", "max_deviation_v", "rms_deviation_v", "ideal_knee", "fitted_knee", "knee_shift",
                   "ideal_slope", "fitted_slope"])]


def _neurons_summary(numbers: Numbers) -> list[str]:
    if not part(numbers, "neurons"):
        return []
    worst = max(numbers.neurons, key=lambda row: row.max_deviation_v)
    return [f"  neurons: largest deviation from the ideal elbow {1e3 * worst.max_deviation_v:.3g} mV "
            f"at {worst.node}"]


def _temperatures_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    if part(numbers, "temperatures") is None:
        return []
    rows = [{"temperature_c": row.temperature_c, "nominal_max_abs": row.vs_nominal_spice.max_abs,
             "nominal_rms": row.vs_nominal_spice.rms,
             "readback_max_abs": row.vs_readback_network.max_abs, "data_rmse": row.vs_data_rmse}
            for row in numbers.temperatures]
    return ["<h2>Temperature</h2>",
            table(rows, ["temperature_c", "nominal_max_abs", "nominal_rms", "readback_max_abs"]
                  + (["data_rmse"] if numbers.data else [])), image("temperatures")]


def _temperatures_summary(numbers: Numbers) -> list[str]:
    if not part(numbers, "temperatures"):
        return []
    return ["  temperatures, max |y - nominal circuit at 27 C|: " + ", ".join(
        f"{row.vs_nominal_spice.max_abs:.4g} at {row.temperature_c:g} C"
        + (f" (RMSE {row.vs_data_rmse:.4g} on the data)" if row.vs_data_rmse is not None else "")
        for row in numbers.temperatures)]


BEYOND_SHOWN = 3  # boards beyond their limits named in the summary (compare.json lists every one)


# -- built boards ------------------------------------------------------------------------
def _montecarlo_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    mc = part(numbers, "montecarlo")
    if not mc:
        return []
    on_data = mc.board_vs_data_rmse is not None
    return ["<h2>Monte Carlo</h2>",
            f"<p>Each board: {html.escape(_board_errors(mc))}. Judged against the nominal circuit in ngspice: "
            f"{html.escape(mc.yield_reference)}.</p>",
            table([{"instances": mc.instances, "tolerance": mc.tolerance,
                    **mc.board_vs_nominal_spice_max_abs.to_dict(), _yield_column(mc.yield_reference): mc.yield_fraction,
                    "threshold": mc.yield_threshold,
                    **({f"data_{k}": v for k, v in mc.board_vs_data_rmse.to_dict().items()} if on_data else {})}],
                  ["instances", "tolerance", "median", "p95", "worst", "threshold",
                   _yield_column(mc.yield_reference)] + (["data_median", "data_worst"] if on_data else [])),
            *_beyond_limits_html(mc), image("montecarlo")]


def _montecarlo_summary(numbers: Numbers) -> list[str]:
    mc = part(numbers, "montecarlo")
    if not mc:
        return []
    error, on_data = mc.board_vs_nominal_spice_max_abs, mc.board_vs_data_rmse
    return [f"  Monte Carlo: {mc.instances} boards ({_board_errors(mc)}), max |board - nominal "
            f"circuit| median {error.median:.4g}, 95th percentile {error.p95:.4g}, worst "
            f"{error.worst:.4g}; yield {100 * mc.yield_fraction:.1f} % at {mc.yield_threshold:g} (judged "
            f"against the nominal circuit in ngspice)"
            + (f"; RMSE on the data median {on_data.median:.4g}, worst {on_data.worst:.4g}" if on_data else "")
            ] + _beyond_limits_lines(mc)


def _board_errors(boards) -> str:
    """What every Monte Carlo board drew, in words: '1 % resistors, TL072 input offsets and bias
    currents' (``MonteCarloFigures`` or ``BoardAccuracies``)."""
    drawn = [f"{100 * boards.tolerance:g} % resistors"]
    if boards.is_spread:
        drawn.append(f"diode IS spread {boards.is_spread:g} (sigma of ln IS)")
    if boards.opamp_offsets is None:
        return ", ".join(drawn) + "; no op-amp offsets: the generic op-amp"
    return ", ".join([*drawn, f"{boards.opamp_offsets} input offsets and bias currents"])


def _beyond_limits_lines(mc) -> list[str]:
    """The boards with a part outside its safe operating area, counted and the first named:
    their figures are no built board's, so each fails the yield. mc: a regressor's
    ``MonteCarloFigures`` or a classifier's ``BoardAccuracies``."""
    sentence = _beyond_limits_sentence(mc)
    return [f"  Monte Carlo: {sentence}"] if sentence else []


def _beyond_limits_html(mc) -> list[str]:
    """``_beyond_limits_lines``' sentence as report.html's paragraph, or nothing."""
    sentence = _beyond_limits_sentence(mc)
    return [f"<p><b>{html.escape(sentence)}</b></p>"] if sentence else []


def _beyond_limits_sentence(mc) -> str:
    if not mc.boards_beyond_limits:
        return ""
    shown = mc.per_board_beyond_limits[:BEYOND_SHOWN]
    named = "; ".join(f"board {row['board']}: {row['worst']}" for row in shown)
    more = f"; and {mc.boards_beyond_limits - len(shown)} more" if mc.boards_beyond_limits > len(shown) else ""
    return (f"{mc.boards_beyond_limits} of {mc.instances} boards take a part outside its safe operating area, so "
            f"they fail the yield ({named}{more}; compare.json lists every one)")


def _power_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    power = part(numbers, "power")
    if not power:
        return []
    rows = [{"where": f"delivered by {k}", **v.to_dict()} for k, v in power.delivered.items()]
    rows += [{"where": "delivered, total", **power.delivered_total.to_dict()},
             {"where": "dissipated in resistors", **power.dissipated_resistors.to_dict()},
             {"where": "dissipated in diodes", **power.dissipated_diodes.to_dict()}]
    rows += opamp_power_rows(power)
    return ["<h2>Static power</h2>", f"<p>op-amp model: {html.escape(power.opamp_model)}</p>",
            table(rows, ["where", "max_w", "mean_w"]), image("power")]


def _power_summary(numbers: Numbers) -> list[str]:
    power = part(numbers, "power")
    if not power:
        return []
    return [f"  power: {power_text(power.delivered_total.mean_w)} mean from the sources, "
            f"{power_text(power.dissipated_resistors.mean_w)} of it in the resistors, "
            f"{power_text(power.dissipated_diodes.mean_w)} in the diodes", "  " + opamp_power_line(power)]


# -- a classifier ------------------------------------------------------------------------
def _classifier_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    if not part(numbers, "classifier"):
        return []
    return ["<h2>Classifier</h2>", _references(numbers),
            table([{"samples": numbers.test_samples, **numbers.classifier.to_dict()}],
                  ["samples", "accuracy_spice", "accuracy_surrogate", "accuracy_ideal",
                   "class_changes_surrogate_vs_spice"]), image("classifier")]


def _classifier_summary(numbers: Numbers) -> list[str]:
    found = part(numbers, "classifier")
    if not found:
        return []
    lines = []
    if numbers.test_split:
        lines.append(f"  test samples: {numbers.test_split['how']} (data: {numbers.test_split['data']})")
    lines.append(f"  classifier: test accuracy {100 * found.accuracy_spice:.2f} % in ngspice "
                 f"({numbers.test_samples} samples), {100 * found.accuracy_surrogate:.2f} % surrogate, "
                 f"{100 * found.accuracy_ideal:.2f} % ideal; {found.class_changes_surrogate_vs_spice} "
                 f"sample(s) change class between surrogate and ngspice")
    return lines


def _accuracy_temperatures_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    if not part(numbers, "accuracy_temperatures"):
        return []
    return ["<h2>Accuracy against temperature</h2>",
            table([row.to_dict() for row in numbers.accuracy_temperatures], ["temperature_c", "accuracy"]),
            image("accuracy_temperatures")]


def _accuracy_temperatures_summary(numbers: Numbers) -> list[str]:
    if not part(numbers, "accuracy_temperatures"):
        return []
    return ["  temperatures: accuracy " + ", ".join(
        f"{100 * row.accuracy:.2f} % at {row.temperature_c:g} C" for row in numbers.accuracy_temperatures)]


def _accuracy_boards_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    boards = part(numbers, "accuracy_boards")
    if not boards:
        return []
    column = _yield_column(boards.yield_reference)
    return ["<h2>Monte Carlo boards</h2>", f"<p>Each board: {html.escape(_board_errors(boards))}.</p>",
            table([{"instances": boards.instances, "tolerance": boards.tolerance,
                    **{f"accuracy_{k}": v for k, v in boards.accuracy.to_dict().items()},
                    "accuracy_threshold": boards.yield_threshold, column: boards.yield_fraction}],
                  ["instances", "tolerance", "accuracy_median", "accuracy_p5", "accuracy_worst",
                   "accuracy_best", "accuracy_threshold", column]),
            *_beyond_limits_html(boards), image("accuracy_boards")]


def _accuracy_boards_summary(numbers: Numbers) -> list[str]:
    boards = part(numbers, "accuracy_boards")
    if not boards:
        return []
    return [f"  Monte Carlo: {boards.instances} boards ({_board_errors(boards)}): accuracy median "
            f"{100 * boards.accuracy.median:.2f} %, worst {100 * boards.accuracy.worst:.2f} %; "
            f"yield {100 * boards.yield_fraction:.1f} % at accuracy >= {100 * boards.yield_threshold:g} %"
            ] + _beyond_limits_lines(boards)


def _inference_power_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    power = part(numbers, "inference_power")
    if not power:
        return []
    return ["<h2>Static power while inferring</h2>",
            f"<p>{html.escape(inference_power_note(power))}</p>",
            table([power], ["median_w", "mean_w", "min_w", "max_w"]), image("inference_power")]


def _inference_power_summary(numbers: Numbers) -> list[str]:
    power = part(numbers, "inference_power")
    if not power:
        return []
    return [f"  static power while inferring: median {power_text(power['median_w'])}, max {power_text(power['max_w'])}"]


# -- checks ------------------------------------------------------------------------------
def _transient_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    found = part(numbers, "transient")
    if not found:
        return []
    summary, opamp = found.summary, found.dynamics
    return [f"<h2>Transient: op-amps {html.escape(opamp.name)}</h2>",
            f"<p>{len(found.steps)} input steps of {1e6 * found.step_time_s:g} us; op-amps "
            f"{opamp.gbw_hz / 1e6:g} MHz, {opamp.slew_v_per_us:g} V/us "
            f"({html.escape(opamp.source)}). Settled: within {100 * found.settle:g} % of each node's "
            f"full scale of its DC answer.</p>",
            table([{"worst_settling_time_s": summary.worst_settling_time_s,
                    "inferences_per_second": summary.inferences_per_second,
                    "energy_median_j": summary.energy_per_inference_j.median,
                    "energy_worst_j": summary.energy_per_inference_j.worst,
                    "last_to_settle": summary.last_to_settle}],
                  ["worst_settling_time_s", "inferences_per_second", "energy_median_j", "energy_worst_j",
                   "last_to_settle"]), image("transient"), image("transient_energy")]


def _transient_summary(numbers: Numbers) -> list[str]:
    found = part(numbers, "transient")
    if not found:
        return []
    from .transient_outputs import transient_summary
    first, *rest = transient_summary(found)
    return [f"  transient: {first}", *rest]


def _violations_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    found = part(numbers, "violations")
    if found is None:
        return []
    if found:
        return ["<h2>Safe operating area</h2>",
                "<p><b>These parts leave their safe operating area: no built circuit gives the outputs above.</b></p>",
                table(found, ["element", "quantity", "value", "limit", "unit", "temperature_c"])]
    return ["<h2>Safe operating area</h2>",
            "<p>Every op-amp output stays inside its rails, every diode below its breakdown margin and every "
            "resistor within its rating, at every point and temperature.</p>"]


def _violations_summary(numbers: Numbers) -> list[str]:
    found = part(numbers, "violations")
    if found:
        worst = found[0]
        return [f"  WARNING: {len(found)} part(s) leave their safe operating area; the worst: "
                f"{worst['element']} {worst['quantity']} {worst['value']:.4g} {worst['unit']} (limit "
                f"{worst['limit']:.4g}) at {worst['temperature_c']:g} C"]
    if found is not None:
        return ["  every part stays in its safe operating area (rails, breakdown, dissipation)"]
    return []


def _imported_html(numbers: Numbers, image: ImageTag, table: TableTag) -> list[str]:
    imported = part(numbers, "imported")
    if not imported:
        return []
    parts = ["<h2>Imported netlist</h2>", table(imported.elbows, ["position", "slope", "output_weight"]),
             f"<p>deviation of the fitted network: max {imported.deviation.max_abs:.4g}, "
             f"RMS {imported.deviation.rms:.4g} (volts)</p>", image("imported")]
    if imported.included:
        parts.append(f"<p>read with .include / .lib: {html.escape(', '.join(imported.included))}</p>")
    if imported.skipped:
        parts += ["<p>skipped (circuitnet runs its own sweep):</p><ul>",
                  *(f"<li>{html.escape(card)}</li>" for card in imported.skipped), "</ul>"]
    return parts


def _imported_summary(numbers: Numbers) -> list[str]:
    imported = part(numbers, "imported")
    if not imported:
        return []
    elbows = ", ".join(f"{e['position']:.4g} V" for e in imported.elbows if e["position"] is not None)
    lines = [f"  fitted {imported.hidden} neuron(s): elbows at {elbows or 'none'}; deviation max "
             f"{imported.deviation.max_abs:.4g} V (RMS {imported.deviation.rms:.4g} V)"]
    if imported.included:
        lines.append(f"  read {', '.join(imported.included)} (.include / .lib)")
    if imported.skipped:
        lines.append(f"  skipped {len(imported.skipped)} analysis or output card(s), circuitnet runs its "
                     f"own sweep: " + "; ".join(imported.skipped))
    return lines


def _transient_waveforms(numbers: Numbers, curves: dict) -> Figure:
    return waveforms_figure(curves["transient"], curves.get("record"))


def _transient_energy(numbers: Numbers, curves: dict) -> Figure:
    return energy_figure(curves["transient"])


SECTIONS: list[Section] = [
    Section("ngspice", _setup_html),
    Section("network", _network_html, _network_summary, {"network": network_figure}),
    Section("data", _data_html, _data_summary),
    Section("neurons", _neurons_html, _neurons_summary, {"neurons": neurons_figure}),
    Section("temperatures", _temperatures_html, _temperatures_summary, {"temperatures": temperatures_figure}),
    Section("montecarlo", _montecarlo_html, _montecarlo_summary, {"montecarlo": montecarlo_figure}),
    Section("opamps", _no_html, _opamps_summary),  # (the html names the model in the ngspice section)
    Section("power", _power_html, _power_summary, {"power": power_figure}),
    Section("classifier", _classifier_html, _classifier_summary, {"classifier": confusion_figure}),
    Section("accuracy_temperatures", _accuracy_temperatures_html, _accuracy_temperatures_summary,
            {"accuracy_temperatures": temperatures_accuracy_figure}),
    Section("accuracy_boards", _accuracy_boards_html, _accuracy_boards_summary, {"accuracy_boards": boards_figure}),
    Section("inference_power", _inference_power_html, _inference_power_summary,
            {"inference_power": inference_power_figure}),
    Section("transient", _transient_html, _transient_summary,
            {"transient": _transient_waveforms, "transient_energy": _transient_energy}),
    Section("violations", _violations_html, _violations_summary),
    Section("imported", _imported_html, _imported_summary, {"imported": imported_figure}),
]


def register(section: Section, before: str | None = None) -> None:
    """Add ``section`` to the report, at the end or before the section whose key is ``before``."""
    keys = [existing.key for existing in SECTIONS]
    SECTIONS.insert(keys.index(before) if before is not None else len(SECTIONS), section)


__all__ = ["COMPARISONS", "SECTIONS", "Numbers", "Section", "part", "register"]
