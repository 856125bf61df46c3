"""``circuitnet build`` on circuits of three sizes, as a person runs it (a subprocess).

- eight_diode: the golden 8-neuron circuit (one sheet);
- digits28: the 784-100-10 classifier (80,000 resistors; a sheet per layer). Its model is
  trained first (``fit --dataset digits28 --hidden 100 --mode ideal --epochs 30``: the build
  reads only the resistors, so a short ideal fit stands for the benchmark's surrogate one), or
  read from CIRCUITNET_BUILD_MODEL (a digits28 model.json) to skip the fit.

Wall seconds are what a person waits; CPU seconds (the process and its ngspice workers) are
the machine's share of it, which a machine shared with other work shows better (the load
average at the start says how shared it was).
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60.0
FIT = ["--dataset", "digits28", "--hidden", "100", "--topology", "diode", "--mode", "ideal", "--epochs", "30"]


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_row(name: str, model: Path, out: Path) -> str:
    """One table row: the build of ``model`` into ``out``, timed."""
    command = [sys.executable, "-m", "circuitnet", "build", str(model), "--out", str(out)]
    load = os.getloadavg()[0]
    cpu, started = _children_cpu_s(), time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800)
    wall, cpu = time.monotonic() - started, _children_cpu_s() - cpu
    if done.returncode != 0:
        raise RuntimeError(f"circuitnet build failed: {done.stderr[-2000:]}")
    steps = re.search(r"\((placement .*)\)\s*$", done.stdout.strip())
    sheets = re.search(r"(\d+) sheet", done.stdout)
    megabytes = sum(path.stat().st_size for path in out.iterdir()) / 1e6
    row = (f"| {name} | {sheets.group(1) if sheets else '?'} | {megabytes:.1f} | {wall:.1f} | {cpu:.1f} | {load:.1f} | "
           f"{steps.group(1) if steps else ''} | <= {TARGET_S:g} s |")
    print(row, flush=True)
    return row


def digits28_model(folder: Path) -> Path:
    given = os.environ.get("CIRCUITNET_BUILD_MODEL")
    if given:
        return Path(given)
    run = folder / "fit"
    subprocess.run([sys.executable, "-m", "circuitnet", "fit", *FIT, "--out", str(run)], check=True,
                   capture_output=True, timeout=3600)
    return run / "model.json"


def build_suite() -> list[tuple[str, list[str]]]:
    rows = ["| circuit | sheets | files (MB) | wall (s) | CPU, process and workers (s) | load average at start | "
            "steps, wall (s) | target |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    with tempfile.TemporaryDirectory(prefix="circuitnet-build-") as folder:
        folder = Path(folder)
        rows.append(build_row("eight_diode (1-8-1)", Path("netlists/eight_diode.json"), folder / "eight"))
        rows.append(build_row("digits28 (784-100-10)", digits28_model(folder), folder / "digits28"))
    return [("Build: circuitnet build, the golden 8-neuron circuit and the 784-100-10 classifier", rows)]
