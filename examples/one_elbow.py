"""One elbow in every topology: the ideal ReLU against its ngspice simulation.

Builds relu(x - 0.2) as a circuit in each topology (passive, diode, precision), simulates
its transfer curve with stock ngspice, prints the max and RMS deviation from the ideal
elbow, and writes one PNG per topology.

    python examples/one_elbow.py --out out/demo
"""

import argparse
from pathlib import Path

from circuitnet import TOPOLOGIES, parse_sweep
from circuitnet.analysis.elbow import compare_elbow
from circuitnet.interface.plotting import elbow_figure, save_figure

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--out", default="out/demo", help="folder for the PNGs")
parser.add_argument("--w", type=float, default=1.0, help="weight")
parser.add_argument("--b", type=float, default=-0.2, help="bias")
args = parser.parse_args()

sweep = parse_sweep("-1:1:401")
# resistive's untrained resistors are no elbow (its read-back is not its function): not here
for topology in [name for name, kind in TOPOLOGIES.items() if kind.read_back_is_its_function]:
    result = compare_elbow(topology, args.w, args.b, sweep, diode="1N4148")
    path = Path(args.out) / f"elbow-{topology}.png"
    save_figure(elbow_figure(result, f"{topology}: relu({args.w:g} x {args.b:+g}), 1N4148"), path)
    print(f"{topology:>9}: max deviation {1e3 * result.max_deviation:8.3f} mV, "
          f"RMS {1e3 * result.rms_deviation:7.3f} mV  -> {path}")
print(f"pictures written to {args.out}/")
