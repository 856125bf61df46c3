"""Run a netlist in the stock ``ngspice -b`` program, isolated, and read what it wrote.

Used for exported netlists and as the reference the in-process backend is checked against.
ngspice runs in an empty temporary folder with HOME pointing there and ``-n``, so no
``.spiceinit`` of the user's (which could run shell commands) is executed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from ...errors import NgspiceNotFoundError, SimulationError
from .messages import failure_lines

DEFAULT_TIMEOUT_S = 120.0


def ngspice_program() -> str:
    """Path of the ngspice program, or NgspiceNotFoundError saying how to install it."""
    path = shutil.which("ngspice")
    if path is None:
        raise NgspiceNotFoundError(
            "the ngspice program is not installed; install it with 'sudo apt-get install ngspice libngspice0' "
            "(make demo and make test do this for you)"
        )
    return path


def run_batch(netlist: str, data_file: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> dict[str, np.ndarray]:
    """Run ``netlist`` with ``ngspice -b -n`` and return the columns of its ``wrdata`` file.

    netlist: a standalone netlist whose control block writes ``data_file`` (a bare file name).
    Returns column name -> array of shape (n_rows,). Raises SimulationError with ngspice's own
    words when ngspice exits non-zero, prints a failure, times out or writes no data.
    """
    program = ngspice_program()
    with tempfile.TemporaryDirectory(prefix="circuitnet-ngspice-") as folder:
        Path(folder, "circuit.cir").write_text(netlist, encoding="utf-8")
        env = {key: value for key, value in os.environ.items() if key not in ("SPICE_SCRIPTS", "SPICE_LIB_DIR")}
        env["HOME"] = folder
        try:
            done = subprocess.run([program, "-b", "-n", "circuit.cir"], cwd=folder, env=env, capture_output=True,
                                  text=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SimulationError(f"ngspice -b did not finish within {timeout_s:g} s") from None
        output = done.stdout + "\n" + done.stderr
        failures = failure_lines(output)
        if done.returncode != 0 or failures:
            words = "; ".join(failures) or output.strip()[-2000:]
            raise SimulationError(f"ngspice -b failed (exit status {done.returncode}): {words}")
        data_path = Path(folder, data_file)
        if not data_path.exists():
            raise SimulationError(f"ngspice -b wrote no {data_file}: {output.strip()[-2000:]}")
        return read_wrdata(data_path.read_text())


def read_wrdata(text: str) -> dict[str, np.ndarray]:
    """Columns of a file written by ``wrdata`` with ``wr_singlescale`` and ``wr_vecnames`` set."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise SimulationError("ngspice wrote an empty data file")
    names = lines[0].split()
    values = np.array([[float(v) for v in line.split()] for line in lines[1:]], dtype=float).reshape(-1, len(names))
    return {name: values[:, k] for k, name in enumerate(names)}
