"""The surrogate against ngspice over one neuron's knee.

Simulates the diode-topology elbow relu(x - 0.2) from netlists/ with in-process ngspice
and with the NumPy surrogate over x in [0, 0.4] (the knee is at 0.2), and plots both
rectifier-output curves and their difference in microvolts.

    python examples/surrogate_knee.py --out out/demo
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from circuitnet import load_model
from circuitnet.backends.registry import simulate
from circuitnet.interface.plotting import save_figure

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--out", default="out/demo", help="folder for the PNG")
args = parser.parse_args()

circuit = load_model(Path(__file__).resolve().parent.parent / "netlists" / "elbow_diode.json")
x = np.linspace(0.0, 0.4, 401)[:, None]
spice = simulate(circuit, x, backend="spice")
surrogate = simulate(circuit, x, backend="surrogate")
ideal = simulate(circuit, x, backend="ideal")
node = "l1n1_h"
difference_uv = 1e6 * (surrogate.nodes[node] - spice.nodes[node])

figure = Figure(figsize=(6.4, 5.2), layout="constrained")
top, bottom = figure.subplots(2, 1, sharex=True, height_ratios=[2.2, 1])
top.plot(x[:, 0], ideal.nodes[node], color="black", linestyle="--", linewidth=1.2, label="ideal ReLU")
top.plot(x[:, 0], spice.nodes[node], color="tab:red", linewidth=3.5, alpha=0.5, label="ngspice")
top.plot(x[:, 0], surrogate.nodes[node], color="tab:blue", linewidth=1.2, label="NumPy surrogate")
top.set_ylabel(f"rectifier output {node} (V)")
top.set_title("diode topology, 1N4148: one neuron's knee")
top.grid(True, alpha=0.3)
top.legend(loc="upper left", frameon=False)
bottom.plot(x[:, 0], difference_uv, color="tab:blue", linewidth=1.2)
bottom.axhline(0.0, color="0.6", linewidth=0.8)
bottom.set_xlabel("input x (data units)")
bottom.set_ylabel("surrogate - ngspice (uV)")
bottom.grid(True, alpha=0.3)
bottom.text(0.01, 0.95, f"max |difference| {np.max(np.abs(difference_uv)):.3g} uV", transform=bottom.transAxes,
            va="top", fontsize=9)
path = Path(args.out) / "surrogate-knee.png"
save_figure(figure, path)
print(f"max |surrogate - ngspice| over the knee: {np.max(np.abs(difference_uv)):.3g} uV -> {path}")
