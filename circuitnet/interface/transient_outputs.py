"""What ``circuitnet transient`` writes, each file atomically: ``transient.json`` (the
settings, one entry per input step, the summary and, with --ac, the bandwidth),
``waveforms.png``, ``energy.png`` and ``bandwidth.png``."""

from __future__ import annotations

from pathlib import Path

from ..backends.spice.transient import with_bandwidth
from ..backends.spice.transient_results import TransientResult
from ..util.atomic import write_text_atomically
from ..util.finite_json import json_text
from .plotting import save_figure
from .transient_plots import bandwidth_figure, energy_figure, waveforms_figure


def write_transient_outputs(folder, result: TransientResult, found=None,
                            record=None) -> tuple[TransientResult, list[Path]]:
    """transient.json and the figures (waveforms, energy, bandwidth with ``found``, a
    ``bandwidth.Bandwidth``) in ``folder``; ``record``: the circuit's DataRecord, naming the
    waveforms' curves. Returns the result with its bandwidth figures, and the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    result = with_bandwidth(result, found)
    written = [write_text_atomically(folder / "transient.json", json_text(result.to_dict(), indent=1) + "\n")]
    figures = {"waveforms.png": waveforms_figure(result, record), "energy.png": energy_figure(result)}
    if found is not None:
        figures["bandwidth.png"] = bandwidth_figure(found)
    for name, figure in figures.items():
        save_figure(figure, folder / name)
        written.append(folder / name)
    return result, written


def transient_summary(result: TransientResult) -> list[str]:
    """The figures a person reads first, one line each."""
    summary, opamp = result.summary, result.dynamics
    lines = [f"op-amps {opamp.name} ({opamp.gbw_hz / 1e6:g} MHz, {opamp.slew_v_per_us:g} V/us), "
             f"{len(result.steps)} steps of {1e6 * result.step_time_s:g} us"]
    if summary.worst_settling_time_s is None:
        lines.append(f"  NOT SETTLED within the step at steps {summary.unsettled_steps[:10]}: give a longer "
                     f"--step-time")
    else:
        lines.append(f"  worst settling time {1e6 * summary.worst_settling_time_s:.4g} us (to "
                     f"{100 * result.settle:g} % of full scale): {summary.inferences_per_second:.4g} "
                     f"inferences per second; last to settle: {summary.last_to_settle}")
    energy = summary.energy_per_inference_j
    lines.append(f"  energy per inference: median {1e9 * energy.median:.4g} nJ, worst {1e9 * energy.worst:.4g} nJ")
    lines.append(f"  op-amp model: {summary.opamp_model or '?'}")
    if summary.opamp_board:
        lines.append(f"  op-amp supply of the board: {summary.opamp_board}")
    lines.append("  " + energy_split_line(summary.energy_per_inference_split_j))
    if result.bandwidth is not None:
        corners = [f for f in result.bandwidth.f3db_hz.values() if f is not None]
        if corners:
            lines.append(f"  small-signal -3 dB from {result.bandwidth.input}: {min(corners) / 1e3:.4g} kHz "
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
