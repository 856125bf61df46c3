"""The lecture's Figure 5.1 built as circuits: sin(pi x), its data points and the
piecewise-linear fit, in each topology.

For each topology: train 16 neurons on 500 noise-free points (the resistor values are
trained through the surrogate, so the fit accounts for the diodes' soft knees), then
simulate the circuit in ngspice and draw the data, the target, the ideal network read back
from the resistors and the simulated circuit. Writes OUT/<topology>/ (model.json,
circuit.cir, fit.png, loss.png, report.json, bom.csv) and OUT/fit-<topology>.png.

    python examples/lecture_picture.py --topologies diode --out out/demo
"""

import argparse
import shutil
from pathlib import Path

from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.interface.fit_outputs import write_outputs
from circuitnet.training.config import FitConfig
from circuitnet.training.data import get_target, target_split
from circuitnet.training.run import fit

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--topologies", default="passive,diode,precision", help="comma-separated topologies")
parser.add_argument("--out", default="out/demo", help="output folder")
args = parser.parse_args()

split = target_split("sine", 500, seed=0)  # 500 training points, 250 validation, 250 test
spice = SpiceBackend()
for topology in args.topologies.split(","):
    result = fit(split, FitConfig(topology=topology, hidden=[16], mode="surrogate", seed=0))
    folder = Path(args.out) / topology
    write_outputs(folder, result, split, spice, get_target("sine"), command="examples/lecture_picture.py")
    shutil.copy(folder / "fit.png", Path(args.out) / f"fit-{topology}.png")
    report = result.report
    print(f"{topology:>9}: test RMSE {report['test_rmse_spice']:.4f} (ngspice), ideal read-back "
          f"{report['test_rmse_ideal']:.4f}, {report['seconds']:.1f} s -> {Path(args.out) / f'fit-{topology}.png'}")
print(f"pictures and models written to {args.out}/")
