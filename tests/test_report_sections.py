"""compare's report is its sections (interface/report_sections.py): adding an analysis is one
new Section, which the HTML, the printed summary and the figures all pick up."""

import json
from dataclasses import dataclass
from types import SimpleNamespace

from matplotlib.figure import Figure

from circuitnet.interface import report, report_sections
from circuitnet.interface.report_sections import Section, part, register
from circuitnet.util.records import Record, described


@dataclass
class Gain(Record):
    ratio: float = described("output over input")


@dataclass
class WithGain(Record):
    """A compare result with one more analysis: its section reads the attribute."""

    gain: Gain | None = described("the gain", omit_none=True)
    violations: list = described("parts outside their limits")


def _gain_figure(numbers, curves: dict) -> Figure:
    figure = Figure(figsize=(2, 2))
    figure.subplots().plot(curves["x"], [numbers.gain.ratio] * len(curves["x"]))
    return figure


GAIN = Section("gain", lambda numbers, image, table: (
    ["<h2>Gain</h2>", table([numbers.gain.to_dict()], ["ratio"]), image("gain")] if part(numbers, "gain") else []),
    lambda numbers: [f"  gain: {numbers.gain.ratio:g}"] if part(numbers, "gain") else [],
    {"gain": _gain_figure})


def test_a_registered_section_is_in_the_html_the_summary_and_the_figures(tmp_path, monkeypatch):
    monkeypatch.setattr(report_sections, "SECTIONS", list(report_sections.SECTIONS))
    monkeypatch.setattr(report, "SECTIONS", report_sections.SECTIONS)
    register(GAIN, before="violations")
    numbers = WithGain(Gain(2.5), [])
    written = report.write_report(tmp_path, numbers, {"x": [0.0, 1.0]}, "a circuit")
    page = (tmp_path / "report.html").read_text()
    assert written["gain"] == tmp_path / "gain.png" and (tmp_path / "gain.png").stat().st_size > 0
    assert '<h2>Gain</h2><table><tr><th>ratio</th></tr><tr><td>2.5</td></tr></table><img alt="gain"' in page
    assert page.index("<h2>Gain</h2>") < page.index("<h2>Safe operating area</h2>")
    assert report.compare_summary(numbers, "a circuit") == [
        "a circuit", "  gain: 2.5", "  every part stays in its safe operating area (rails, breakdown, dissipation)"]
    assert json.loads((tmp_path / "compare.json").read_text()) == {"gain": {"ratio": 2.5}, "violations": []}


def test_a_section_without_its_numbers_adds_nothing():
    numbers = WithGain(None, [])
    assert GAIN.html(numbers, lambda name: name, lambda rows, columns: "") == []
    assert GAIN.summary(numbers) == [] and GAIN.available(numbers) == []


def test_every_figure_belongs_to_one_section_named_by_its_key():
    """The transient's energy figure is the transient section's: no name is derived from another."""
    owners = {name: section.key for section in report_sections.SECTIONS for name in section.figures}
    assert owners["transient_energy"] == owners["transient"] == "transient"
    assert len(owners) == sum(len(section.figures) for section in report_sections.SECTIONS)


def test_a_watt_sized_power_reads_in_watts_and_a_small_one_in_milliwatts():
    """A classifier board of 1.04 W printed as '1.04e+03 mW' (compare's summary on iris with
    --opamp TL072); powers from a watt up read in W, the rest in mW. The power line names every
    share of the split: it left the resistors' out (4.28 of eight_diode's 4.67 mW)."""
    from circuitnet.util.power_text import power_text
    assert (power_text(1.0428), power_text(0.674), power_text(6.23e-4)) == ("1.04 W", "674 mW", "0.623 mW")
    numbers = SimpleNamespace(inference_power={"median_w": 1.0428, "mean_w": 1.05, "min_w": 1.01, "max_w": 1.1})
    assert report_sections._inference_power_summary(numbers) == [
        "  static power while inferring: median 1.04 W, max 1.1 W"]
    power = SimpleNamespace(delivered_total=SimpleNamespace(mean_w=6.23, max_w=6.3),
                            dissipated_diodes=SimpleNamespace(mean_w=4.04e-4),
                            dissipated_resistors=SimpleNamespace(mean_w=4.28e-3),
                            opamp_supply=SimpleNamespace(mean_w=5.59, max_w=5.59),
                            opamp_output_stage=SimpleNamespace(mean_w=0.0388), opamp_supply_note=None)
    assert report_sections._power_summary(SimpleNamespace(power=power)) == [
        "  power: 6.23 W mean from the sources, 4.28 mW of it in the resistors, 0.404 mW in the diodes",
        "  op-amp supply 5.59 W (quiescent, and the reference's feed) and 38.8 mW in the output stages, in the total"]


def _regression_boards(offsets):
    from circuitnet.analysis.compare_results import Distribution, MonteCarloFigures
    spread = Distribution(0.01, 0.02, 0.03)
    return MonteCarloFigures(6, 0.01, 0.0, 0, spread, 0.05, 0.5, "against the nominal circuit", [0.01] * 6,
                             opamp_offsets=offsets)


def _classifier_boards(offsets):
    from circuitnet.analysis.classifier_results import AccuracySpread, BoardAccuracies
    return BoardAccuracies(4, 0.01, 0.0, 0, offsets, AccuracySpread(0.96, 0.95, 0.94, 0.97), 0.95, 0.75,
                           "on the labels", [0.96] * 4)


def test_the_monte_carlo_lines_say_whether_the_boards_drew_op_amp_offsets():
    """compare's printed Monte Carlo line names what each board drew: its resistors' tolerance
    and, with a real part, that part's input offsets and bias currents. It said '6 boards at 1 %'
    either way, so a user could not tell from the summary whether offsets were in the figures."""
    for key, boards, summary in (("montecarlo", _regression_boards, report_sections._montecarlo_summary),
                                 ("accuracy_boards", _classifier_boards, report_sections._accuracy_boards_summary)):
        (with_offsets,) = summary(SimpleNamespace(**{key: boards("TL072")}))
        (without,) = summary(SimpleNamespace(**{key: boards(None)}))
        assert "boards (1 % resistors, TL072 input offsets and bias currents)" in with_offsets
        assert "boards (1 % resistors; no op-amp offsets: the generic op-amp)" in without
    html = report_sections._montecarlo_html(SimpleNamespace(montecarlo=_regression_boards("OPA4277")),
                                            lambda name: "", lambda rows, columns: "")
    assert "<p>Each board: 1 % resistors, OPA4277 input offsets and bias currents." in "".join(html)
