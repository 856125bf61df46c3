"""What spice-loop training is for: a board that differs from its model.

The built board's resistors are off by up to 5 % and it runs at 60 C; the surrogate knows
only the nominal values at 27 C. Surrogate training fits the model and misses the board;
spice-loop training simulates the board in ngspice for the forward pass and uses the
surrogate only for the direction of each step, so it fits the board.

    python examples/board_differs.py --out out/board
"""

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from circuitnet.backends.registry import simulate
from circuitnet.interface.plotting import save_figure
from circuitnet.model.board import Board
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.run import fit

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--out", default="out/board", help="output folder")
args = parser.parse_args()

board = {"tolerance": 0.05, "seed": 1, "temperature_c": 60.0}
split = target_split("sine", 500, seed=0)
grid = np.linspace(-1, 1, 401)[:, None]
figure = Figure(figsize=(7.2, 4.6), layout="constrained")
ax = figure.subplots()
ax.plot(grid[:, 0], np.sin(np.pi * grid[:, 0]), color="tab:blue", linewidth=2.2, label="sin(pi x)")
for mode, color in (("surrogate", "tab:orange"), ("spice-loop", "tab:red")):
    result = fit(split, FitConfig(topology="diode", hidden=[16], mode=mode, seed=0, board=board))
    built = Board(**board).apply(result.circuit)
    curve = simulate(built, grid, backend="spice", temperature_c=board["temperature_c"]).y[:, 0]
    rmse = result.report["test_rmse_spice"]
    ax.plot(grid[:, 0], curve, color=color, linewidth=1.5, label=f"board after {mode} training (test RMSE {rmse:.4f})")
    print(f"{mode:>10}: test RMSE on the board {rmse:.4f} ({result.report['seconds']:.1f} s)")
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("diode circuit, board: resistors +-5 %, 60 C")
ax.grid(True, alpha=0.3)
ax.legend(frameon=False, fontsize=9)
save_figure(figure, Path(args.out) / "board-differs.png")
print(f"picture: {Path(args.out) / 'board-differs.png'}")
