"""The canonical example networks, and the command that writes ``netlists/`` from them.

``python -m circuitnet.interface.catalogue netlists`` (``make netlists``) writes, for every example,
``NAME.json`` (the model file) and ``NAME.cir`` (its standalone netlist, a sweep of x1 over
-1:1:201) side by side. A test regenerates them and checks they equal the committed files.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..backends.spice.netlist import netlist_text
from ..formats import modelfile
from ..model.data_record import DataRecord
from ..model.network import ReLUNet
from ..model.sweep import Sweep
from ..topologies import TOPOLOGIES, realise
from ..util.atomic import write_text_atomically

SWEEP = Sweep(-1.0, 1.0, 201)


def elbow() -> ReLUNet:
    """One neuron, ``relu(x - 0.2)``."""
    return ReLUNet.from_arrays([([[1.0]], [-0.2]), ([[1.0]], [0.0])])


def eight_elbows() -> ReLUNet:
    """Eight neurons on one input, knees spread over [-0.875, 0.875], slopes of both signs."""
    knees = np.linspace(-0.875, 0.875, 8)
    w = np.array([1.0, -1.0, 1.5, -0.8, 1.2, -1.5, 0.9, -1.1])
    out = np.array([[0.9, -0.7, 0.6, 0.8, -0.9, 0.5, -0.6, 0.7]])
    return ReLUNet.from_arrays([(w[:, None], -w * knees), (out, [0.1])])


def two_inputs() -> ReLUNet:
    """Four neurons on two inputs."""
    weights = [[1.0, 0.5], [-0.5, 1.0], [0.8, -0.8], [-1.0, -0.6]]
    return ReLUNet.from_arrays([(weights, [0.1, -0.2, 0.0, 0.3]), ([[0.7, -0.5, 0.9, 0.4]], [0.0])])


def three_classes() -> ReLUNet:
    """A classifier of four inputs into three classes (the largest output wins), six neurons.

    Along x1 with the other inputs at 0 the class goes low (x1 below -0.4), middle, high
    (x1 above 0.5); x2..x4 move the boundaries (over [-1, 1]^4: 37 % low, 42 % middle,
    21 % high). Written by hand, not trained, so the golden netlist is the same on every
    machine.
    """
    weights = [[1.0, 0.0, 0.5, 0.0],    # x1 large (x3 helps): "high"
               [-1.0, 0.0, 0.0, -0.5],  # x1 small (x4 helps): "low"
               [0.0, 1.0, -1.0, 0.0],
               [0.0, -0.6, 0.0, 0.8],
               [1.0, -1.0, 0.0, 0.0],
               [0.3, 0.3, 0.3, 0.3]]
    biases = [-0.3, -0.3, 0.1, 0.0, 0.2, 0.1]
    scores = [[-0.5, 1.0, 0.0, 0.4, 0.0, -0.2],   # low
              [-0.6, -0.6, 0.2, 0.0, 0.0, 0.5],   # middle
              [1.0, -0.5, 0.0, -0.3, 0.1, 0.0]]   # high
    return ReLUNet.from_arrays([(weights, biases), (scores, [0.1, 0.25, 0.0])])


THREE_CLASS_LABELS = ("low", "middle", "high")  # the classes of three_classes(), in output order


def records() -> dict[str, DataRecord]:
    """Example name -> what its circuit stands for, for the examples that are classifiers: the
    model file keeps it (its ``data`` key) where the model file format has one."""
    inputs = tuple(f"x{k + 1}" for k in range(4))
    return {"three_class_diode": DataRecord(inputs, THREE_CLASS_LABELS, -np.ones(4), np.ones(4),
                                            THREE_CLASS_LABELS)}


def examples() -> dict[str, tuple[ReLUNet, str]]:
    """Example name -> (network, topology)."""
    found = {}
    for topology in TOPOLOGIES:
        found[f"elbow_{topology}"] = (elbow(), topology)
        found[f"eight_{topology}"] = (eight_elbows(), topology)
    found["two_input_diode"] = (two_inputs(), "diode")
    found["three_class_diode"] = (three_classes(), "diode")
    return found


def write_examples(folder: str | Path) -> list[Path]:
    """Write every example's model file and netlist into ``folder``; returns the paths written."""
    folder = Path(folder)
    written = []
    described = records()
    for name, (net, topology) in examples().items():
        circuit = replace(realise(net, topology), data_record=described.get(name))
        written.append(modelfile.save(circuit, folder / f"{name}.json"))
        command = f"circuitnet export netlists/{name}.json -o netlists/{name}.cir --sweep {SWEEP}"
        text = netlist_text(circuit, sweep=SWEEP, data_file=f"{name}.dat", command=command)
        written.append(write_text_atomically(folder / f"{name}.cir", text))
    return written


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else "netlists"
    for path in write_examples(target):
        print(path)
