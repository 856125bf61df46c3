"""Where one chunk of a sharded ngspice run spends its time (issue #19), step by step.

- chunk: one chunk of the digits28 test split (the 784-100-10 circuit of the solver suite),
  45 samples (a chunk of the 8 the split was cut into before) and 179 (one of the 2 now), as
  ``sharded.simulate_chunk`` runs it, each step timed on its own: the circuit's template
  (once per circuit), writing the chunk's netlist, sending it to a worker, ngspice's parse
  and load (``ngSpice_Circ``, with ngspice's own ``rusage`` split), the analysis, reading the
  vectors back, removing the circuit, sending the vectors back, the limits check and the
  static power. libngspice runs in a fresh process in an empty folder with HOME there (no
  ``.spiceinit`` is read), one step after another, so the steps are not mixed up with a
  worker pool's parallelism. The limits check and the power read the elements as arrays
  built once per circuit (``model.element_arrays``), as every chunk of a sharded run does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from .solver_cases import ROOT

SIZES = (45, 179)
# Runs in the fresh process: prints one JSON object, step -> seconds (and ngspice's rusage).
_STEPS = """
import json, os, pickle, re, sys, time
from circuitnet.backends.result import circuit_inputs
from circuitnet.backends.spice import backend, sample_set
from circuitnet.backends.spice.library import NgspiceLibrary
from circuitnet.backends.spice.ordering import neighbour_order
from circuitnet.backends.spice.power import static_power
from circuitnet.backends.spice.solver import with_solver
from circuitnet.model.limits import violations
from circuitnet.training.classes import load_dataset, stratified_split
from benchmarks.solver_cases import digits28_circuit
circuit, n, found = digits28_circuit(), int(sys.argv[1]), {}
x = stratified_split(load_dataset("digits28"), 0).x_test[:n]
def timed(name, step):
    started = time.perf_counter(); value = step(); found[name] = time.perf_counter() - started; return value
library = NgspiceLibrary(); shared = library._shared
timed("pickle the task (circuit, x) for a Dask worker", lambda: pickle.loads(pickle.dumps((circuit, x))))
timed("build the circuit's template (once per circuit)", lambda: sample_set.sample_set_template(circuit, 27.0))
def ordered():
    volts = circuit_inputs(circuit, x)
    return volts[neighbour_order(volts)]
volts = timed("inputs into volts, neighbour order", ordered)
text = timed("write the chunk's netlist (its pwl input lines)",
             lambda: backend.samples_netlist(circuit, volts, 27.0, save_all=True))
timed("send the netlist to a worker (pickle both ways)", lambda: pickle.loads(pickle.dumps(text)))
text = with_solver(text, library.info.solver) if library.info.has_klu else text
shared.captured.clear()
timed("ngSpice_Circ: Python's line array, ngspice's parse and load", lambda: shared.load(text))
timed("the .dc analysis", lambda: shared.command("run"))
vectors = timed("read every vector back (save-all)", shared.vectors)
shared.captured.clear(); shared.command("rusage everything"); usage = "\\n".join(shared.captured)
timed("destroy the plot, remove the circuit", lambda: (shared.command("destroy all"), shared.command("remcirc")))
timed("send the vectors back (pickle both ways)", lambda: pickle.loads(pickle.dumps(vectors)))
nodes = {name: v for name, v in vectors.items() if "#" not in name}
elements = timed("the circuit's elements as arrays (once per circuit)", lambda: backend.sample_set_arrays(circuit))
timed("operating-limits check", lambda: violations(circuit, elements, nodes, x))
timed("static power", lambda: static_power(circuit, vectors, len(x), elements))
for key in ("Netlist parsing time", "Netlist loading time", "Total iterations", "Matrix load time",
            "Matrix factor time", "Matrix solve time"):
    match = re.search(re.escape(key) + r"[^=\\n]*=\\s*([0-9.eE+-]+)", usage)
    found[key] = float(match.group(1)) if match else float("nan")
found["vectors"], found["solver"] = len(vectors), library.info.describe()
print(json.dumps(found))
"""


def chunk_steps(n: int) -> dict:
    """Step -> seconds for one chunk of the first n test samples (see the module docstring)."""
    with tempfile.TemporaryDirectory(prefix="circuitnet-chunk-") as folder:
        env = dict(os.environ, HOME=folder, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
        done = subprocess.run([sys.executable, "-c", _STEPS, str(n)], cwd=folder, env=env,
                              capture_output=True, text=True, check=True, timeout=3600)
    return json.loads(done.stdout.strip().splitlines()[-1])


def chunk_case(sizes: tuple[int, ...] = SIZES) -> list[str]:
    found = [chunk_steps(n) for n in sizes]
    rows = ["| step | " + " | ".join(f"{n} samples (s)" for n in sizes) + " |",
            "| --- |" + " --- |" * len(sizes)]
    for step, value in found[0].items():
        if isinstance(value, str):
            continue
        if step == "Total iterations":
            cells = [f"{f[step]:.0f} ({f[step] / n:.1f} per sample)" for f, n in zip(found, sizes, strict=True)]
        else:
            cells = [f"{f[step]:.3f}" if step != "vectors" else f"{f[step]:,}" for f in found]
        label = f"ngspice's rusage: {step}" if step[0].isupper() else step
        rows.append(f"| {label} | " + " | ".join(cells) + " |")
        print(rows[-1], flush=True)
    rows.append(f"| ngspice | {found[0]['solver']} |" + " |" * (len(sizes) - 1))
    return rows


def chunk_suite() -> list[tuple[str, list[str]]]:
    return [("Solver: one chunk of the digits28 test split, step by step (45 and 179 samples, one ngspice)",
             chunk_case())]


if __name__ == "__main__":  # a quick look without appending to RESULTS.md
    print("\n".join(chunk_case(tuple(int(n) for n in sys.argv[1:]) or SIZES)))
