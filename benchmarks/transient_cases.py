"""Benchmarks of transient runs (issue #12: settling time and energy per inference).

- eight_diode: ``netlists/eight_diode`` over 100 input steps (x from -1 to 1), TL072
  dynamics, 50 us per step, one ngspice worker (one core). Target: <= 10 s.
- digits: the digits classifier (diode, 32 neurons, surrogate mode, seed 0) over its first
  20 test images as input steps, 50 us per step (100 us for the LM358, 200 us for the slow
  OPA4277), built with four op-amp parts (``--opamp``: each part's dynamics, rails and supply
  current): worst settling time to 0.1 % of full scale, inferences per second at it, energy per
  inference (over one inference period at that rate, op-amp supply included) and its split, and
  the node that settles last.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from circuitnet import load_model, transient
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.training.classes import load_dataset, stratified_split

from .classify_cases import _classifier

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def eight_diode_case(steps: int = 100) -> list[str]:
    circuit = load_model(NETLISTS / "eight_diode.json")
    x = np.linspace(-1.0, 1.0, steps)[:, None]
    with WorkerPool(workers=1) as pool:
        spice = SpiceBackend(pool)
        transient(circuit, x[:2], "TL072", spice=spice)  # start the worker
        started = time.monotonic()
        result = transient(circuit, x, "TL072", spice=spice)
        seconds = time.monotonic() - started
    summary = result.summary
    rows = ["| circuit | steps | op-amps | time points | worst settling (us) | inferences/s | energy per inference, "
            "median (nJ) | seconds (1 worker) | target |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
            f"| eight_diode | {steps} | TL072 | {len(result.time)} | {1e6 * summary.worst_settling_time_s:.2f} | "
            f"{summary.inferences_per_second:.3g} | {1e9 * summary.energy_per_inference_j.median:.1f} | "
            f"{seconds:.1f} | <= 10 s |"]
    print(rows[-1], flush=True)
    return rows


def digits_case(parts=(("LM358", 100e-6), ("TL072", 50e-6), ("NE5532", 50e-6), ("OPA4277", 200e-6))) -> list[str]:
    """The digits classifier built with each part (its dynamics, its rails, its supply current
    in the energy): settling, rate and energy per inference with its split."""
    from circuitnet.interface.opamp_choice import circuit_with_opamp, transient_dynamics
    from circuitnet.model.board_amplifiers import board_inventory
    from circuitnet.model.opamp_parts import opamp_part
    from circuitnet.topologies import circuit_elements, part_counts
    result, _ = _classifier("digits", 32, topology="diode", mode="surrogate")
    x = stratified_split(load_dataset("digits"), 0).x_test[:20]
    n_opamps = part_counts(result.circuit)["opamp"]
    rows = [f"The network has {n_opamps} op-amps; each row's energy includes the supply current (typical, +-15 V) of "
            "every amplifier of that part's board (the network's, the reference's, the input stages', the spare "
            "units: the 'board' column, model/board_amplifiers.py) and the network's output stages. Earlier figures "
            "left out the op-amp supply (before issue #18), then the amplifiers off the network.", "",
            "| op-amp | board | GBW, slew | step (us) | worst settling to 0.1 % (us) | inferences per second | energy "
            "per inference: median, worst (nJ) | of the median: op-amp supply, output stages, resistors, diodes (nJ) "
            "| static power, median (mW) | last to settle |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, step in parts:
        circuit = circuit_with_opamp(result.circuit, name, None)
        run = transient(circuit, x, transient_dynamics(circuit), step_time=step)
        summary, part = run.summary, run.dynamics
        energy, split = summary.energy_per_inference_j, summary.energy_per_inference_split_j
        static_mw = 1e3 * float(np.median([s.energy_j / step for s in run.steps]))
        settled = summary.worst_settling_time_s
        settling = "not settled" if settled is None else f"{1e6 * settled:.2f}"
        rate = "-" if settled is None else f"{summary.inferences_per_second:.3g}"
        shares = ", ".join(f"{1e9 * split[key]:.0f}" for key in ("opamp_supply", "opamp_output_stages", "resistors",
                                                                  "diodes"))
        board = board_inventory(circuit, circuit_elements(circuit), opamp_part(name))
        rows.append(f"| {name} | {board.total} amplifiers in {board.packages} packages | "
                    f"{part.gbw_hz / 1e6:g} MHz, {part.slew_v_per_us:g} V/us | {1e6 * step:g} | "
                    f"{settling} | {rate} | {1e9 * energy.median:.0f}, {1e9 * energy.worst:.0f} | {shares} | "
                    f"{static_mw:.1f} | {summary.last_to_settle} |")
        print(rows[-1], flush=True)
    return rows
