"""What ``circuitnet transient`` writes, each file atomically: ``transient.json`` (the
settings, one entry per input step, the summary and, with --ac, the bandwidth),
``waveforms.png``, ``energy.png`` and ``bandwidth.png``."""

from __future__ import annotations

from pathlib import Path

from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .plotting import save_figure
from .transient_plots import bandwidth_figure, energy_figure, waveforms_figure


def transient_document(result, found=None) -> dict:
    document = result.to_dict()
    if found is not None:
        document["bandwidth"] = {"input": f"x{found.input_index + 1}", "f3db_hz": found.f3db_hz,
                                 "low_frequency_gain": {name: float(g[0]) for name, g in found.gain.items()}}
    return document


def write_transient_outputs(folder, result, found=None, record=None) -> tuple[dict, list[Path]]:
    """transient.json and the figures (waveforms, energy, bandwidth with ``found``) in
    ``folder``; ``record``: the circuit's DataRecord, naming the waveforms' curves."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    document = transient_document(result, found)
    written = [write_text_atomically(folder / "transient.json", json_text(document, indent=1) + "\n")]
    figures = {"waveforms.png": waveforms_figure(result, record), "energy.png": energy_figure(result)}
    if found is not None:
        figures["bandwidth.png"] = bandwidth_figure(found)
    for name, figure in figures.items():
        save_figure(figure, folder / name)
        written.append(folder / name)
    return document, written


def transient_summary(document: dict) -> list[str]:
    """The figures a person reads first, one line each."""
    summary, opamp = document["summary"], document["opamp"]
    lines = [f"op-amps {opamp['name']} ({opamp['gbw_hz'] / 1e6:g} MHz, {opamp['slew_v_per_us']:g} V/us), "
             f"{len(document['steps'])} steps of {1e6 * document['step_time_s']:g} us"]
    if summary["worst_settling_time_s"] is None:
        lines.append(f"  NOT SETTLED within the step at steps {summary['unsettled_steps'][:10]}: give a longer "
                     f"--step-time")
    else:
        lines.append(f"  worst settling time {1e6 * summary['worst_settling_time_s']:.4g} us (to "
                     f"{100 * document['settle']:g} % of full scale): {summary['inferences_per_second']:.4g} "
                     f"inferences per second; last to settle: {summary['last_to_settle']}")
    energy = summary["energy_per_inference_j"]
    lines.append(f"  energy per inference: median {1e9 * energy['median']:.4g} nJ, "
                 f"worst {1e9 * energy['worst']:.4g} nJ")
    lines.append(f"  op-amp model: {summary.get('opamp_model', '?')}")
    if summary.get("opamp_board"):
        lines.append(f"  op-amp supply of the board: {summary['opamp_board']}")
    lines.append("  " + energy_split_line(summary.get("energy_per_inference_split_j")))
    if "bandwidth" in document:
        corners = [f for f in document["bandwidth"]["f3db_hz"].values() if f is not None]
        if corners:
            lines.append(f"  small-signal -3 dB from {document['bandwidth']['input']}: {min(corners) / 1e3:.4g} kHz "
                         f"(the slowest output)")
    return lines


def energy_split_line(split: dict | None) -> str:
    """'of the median: 12 nJ in resistors, ...', or that the op-amp supply is not included."""
    if not split:
        return "energy split: not measured"
    parts = [f"{1e9 * split[name]:.4g} nJ {where}" for name, where in
             (("resistors", "in resistors"), ("diodes", "in diodes"), ("opamp_supply", "op-amp supply"),
              ("opamp_output_stages", "in op-amp output stages")) if split[name] is not None]
    missing = ("" if split["opamp_supply"] is not None
               else "; op-amp supply not included (generic op-amp; give --opamp PART)")
    return "of the median: " + ", ".join(parts) + missing
