"""A one-line description of the machine a benchmark ran on, and RESULTS.md appending."""

from __future__ import annotations

import datetime
import os
import platform
import re
import shlex
import subprocess
import sys
from pathlib import Path

from circuitnet.util.atomic import write_atomically

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def describe() -> str:
    cpu = "unknown CPU"
    try:
        match = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = match.group(1).strip() if match else cpu
    except OSError:
        pass
    try:
        kib = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, AttributeError):
        memory = "? GiB"
    try:
        text = subprocess.run(["ngspice", "--version"], capture_output=True, text=True, timeout=10).stdout
        ngspice = re.search(r"ngspice-(\S+)", text).group(1)
        # circuitnet's workers use KLU where it is built in, for netlists of 700 elements and more
        # (circuitnet/backends/spice/solver.py)
        ngspice += " (with KLU)" if "compiled with klu" in text.lower() else " (Sparse solver: no KLU)"
    except (OSError, AttributeError, subprocess.SubprocessError):
        ngspice = "?"
    return (f"{cpu}, {os.cpu_count()} cores, {memory}; {platform.platform(terse=True)}; "
            f"Python {platform.python_version()}; ngspice {ngspice}")


def append_results(title: str, table: list[str]) -> None:
    """Append one run (date, command, machine, table) to RESULTS.md, removing any earlier
    block of the same title: the file keeps the latest block of each benchmark, and git
    history keeps the older ones (benchmarks/README.md)."""
    command = "python -m benchmarks " + shlex.join(sys.argv[1:])
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    block = [f"## {title} ({stamp})", "", f"- command: `{command.strip()}`", f"- machine: {describe()}", "",
             *table, ""]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    kept = without_blocks(text, title).rstrip("\n") + "\n\n"
    write_atomically(RESULTS, lambda path: Path(path).write_text(kept + "\n".join(block) + "\n", encoding="utf-8"))


def without_blocks(text: str, title: str) -> str:
    """RESULTS.md's text without the blocks headed ``## TITLE (date)``; a block runs from
    its heading to the next ``## `` heading."""
    parts = re.split(r"(?m)^(?=## )", text)
    heading = re.compile(r"## " + re.escape(title) + r" \([^)]*\)\n")
    return "".join(part for part in parts if not heading.match(part))
