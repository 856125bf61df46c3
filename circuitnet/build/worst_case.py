"""What each part of a circuit must take, computed in ngspice at the worst case of the range
the circuit was trained on: each resistor's dissipation, each op-amp's output current, the
current each reference source delivers.

The worst case of a box of inputs lies at its corners for the resistors a ReLU network's
weights hang between (each drop is piecewise linear in the inputs), so the samples are the
corners of the training range (``DataRecord.input_low .. input_high``; ``UNRECORDED_SWEEP``
for a circuit that records none) and its centre; past the sample budget a seeded random choice
of corners, with the all-low and all-high ones (those two alone give every first-layer
weight resistor its worst drop: each sits between an input and a virtual ground).

The budget is ``MAX_CORNERS`` samples, fewer for a large circuit (``SAMPLE_RESISTORS``
resistor-samples in all, ``MIN_CORNERS`` at least): ngspice solves a 784-100-10 classifier's
80,000 resistors at about 2 samples a second on one core.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

from ..backends.spice.backend import SpiceBackend, spice_for_call
from ..model.circuit import Circuit
from ..model.element_arrays import resistor_drops
from ..model.elements import Element
from ..model.limits import Violation, violations
from ..model.sweep import UNRECORDED_SWEEP
from .pins import opamp_nodes

MAX_CORNERS = 256
MIN_CORNERS = 8
SAMPLE_RESISTORS = 1_000_000
CORNER_SEED = 0


@dataclass(frozen=True)
class WorstCase:
    """The worst over the samples, per element name: resistor dissipation (W), op-amp output
    current magnitude (A), source current magnitude (A); the samples (data units); and the parts
    that leave their safe operating area at them (``model.limits``)."""

    dissipation_w: dict[str, float]
    opamp_current_a: dict[str, float]
    source_current_a: dict[str, float]
    x: np.ndarray
    violations: list[Violation] = field(default_factory=list)  # parts outside their limits there, worst first


def corner_inputs(circuit: Circuit) -> np.ndarray:
    """The samples (n, n_inputs), data units: the training range's corners and its centre."""
    n = circuit.n_inputs
    budget = int(np.clip(SAMPLE_RESISTORS // max(circuit.resistor_count(), 1), MIN_CORNERS, MAX_CORNERS))
    record = circuit.data_record
    low = record.input_low if record is not None else np.full(n, UNRECORDED_SWEEP[0])
    high = record.input_high if record is not None else np.full(n, UNRECORDED_SWEEP[1])
    if n <= 20 and 2 ** n <= budget:
        picks = np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)
    else:
        rng = np.random.default_rng(CORNER_SEED)
        picks = np.vstack([np.zeros(n), np.ones(n), rng.integers(0, 2, (budget - 2, n))]).astype(float)
    corners = low + picks * (high - low)
    return np.vstack([corners, (low + high) / 2])


def worst_case(circuit: Circuit, elements: list[Element], backend: SpiceBackend | None = None) -> WorstCase:
    """Simulate the circuit at ``corner_inputs`` in ngspice (on ``backend``, the caller's; without
    one, on a backend made for this call, whose workers stop when it returns) and take each
    part's worst."""
    x = corner_inputs(circuit)
    with spice_for_call(backend) as spice:
        volts = spice.node_voltages(circuit, x)
    found = violations(circuit, elements, volts, x)  # from the same run: an op-amp past its rail, a diode...
    volts["0"] = np.zeros(len(x))
    dissipation: dict[str, float] = {}
    into: dict[str, np.ndarray] = {}  # node -> current the resistors carry away from it, (n,) A
    for block, drops in resistor_drops(elements, volts):
        ohms = np.array([float(e.value) for e in block])[:, None]
        current = drops / ohms
        for row, element in enumerate(block):
            dissipation[element.name] = float(np.max(drops[row] * current[row]))
            a, b = (node.lower() for node in element.nodes)
            into[a] = into.get(a, 0.0) + current[row]
            into[b] = into.get(b, 0.0) - current[row]
    diode_current = _diode_currents(elements, into)
    opamps, sources = {}, {}
    for element in elements:
        if element.part == "opamp":
            out = opamp_nodes(element)[0].lower()
            total = into.get(out, 0.0) + sum(sign * diode_current[name] for name, sign in _diodes_at(elements, out))
            opamps[element.name] = float(np.max(np.abs(total)))
        elif element.part == "source":
            sources[element.name] = float(np.max(np.abs(into.get(element.nodes[0].lower(), np.zeros(len(x))))))
    return WorstCase(dissipation, opamps, sources, x, found)


def _diode_currents(elements: list[Element], into: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Each diode's forward current, (n,) A, from Kirchhoff's law at whichever of its nodes only
    resistors otherwise touch (the rectifier output, or a precision rectifier's junction)."""
    others: dict[str, list[str]] = {}
    for element in elements:
        if element.part != "resistor":
            for node in (opamp_nodes(element)[:1] if element.part == "opamp" else element.nodes[:2]):
                others.setdefault(node.lower(), []).append(element.name)
    found: dict[str, np.ndarray] = {}
    zero = np.zeros(len(next(iter(into.values())))) if into else np.zeros(0)
    for element in elements:
        if element.part == "diode":
            anode, cathode = (node.lower() for node in element.nodes)
            if others.get(cathode) == [element.name]:
                found[element.name] = into.get(cathode, zero)
            else:
                found[element.name] = -into.get(anode, zero)
    return found


def _diodes_at(elements: list[Element], node: str) -> list[tuple[str, float]]:
    """Diodes on ``node``: +1 where it is the anode (current leaves the node), -1 the cathode."""
    return [(e.name, 1.0 if e.nodes[0].lower() == node else -1.0) for e in elements
            if e.part == "diode" and node in (n.lower() for n in e.nodes)]
