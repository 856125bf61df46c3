"""The operating-limits check from the surrogate alone: no ngspice run (``circuitnet export``).

``model.limits.violations`` reads the volts of every node the circuit's elements touch. The
surrogate solves only the nodes it needs (each hidden neuron's reported nodes, its operating
point and the outputs; the inverters and summing junctions are folded into its stage
matrices), so the rest are completed here from those with the circuit's linear elements, the
same equations ngspice solves:

- a source's node is its value (an input's: the sample in circuit volts);
- an op-amp (a VCVS ``out ref in+ in-`` of gain A) gives ``V(out) = V(ref) + A (V(in+) - V(in-))``
  once its inputs are known, and its inverting input ``V(in-) = V(in+) - (V(out) - V(ref)) / A``
  once its output is;
- an inverting summer whose input resistors all hang from known nodes (an input inverter, a
  rectifier output's inverter) is solved from Kirchhoff's law at its junction together with
  the VCVS equation.

Repeated until no node is added. Every topology's nodes are completed this way
(tests/test_surrogate_limits.py); a node left unknown leaves its elements unchecked.
"""

from __future__ import annotations

import numpy as np

from ..model.circuit import Circuit
from ..model.elements import Element
from ..model.limits import Violation, violations
from ..model.nodes import input_node, output_node
from ..topologies import circuit_elements
from .result import circuit_inputs
from .surrogate import SurrogateBackend


def surrogate_violations(circuit: Circuit, x: np.ndarray, temperature_c: float = 27.0) -> list[Violation]:
    """``model.limits.violations`` of ``circuit`` at inputs x (n, n_inputs), data units, from
    the surrogate's node volts completed by ``completed_volts``, worst first."""
    elements = circuit_elements(circuit)
    volts = completed_volts(circuit, elements, x, temperature_c)
    checked = [e for e in elements if all(node.lower() in volts for node in e.nodes)]
    return violations(circuit, checked, volts, x)


def completed_volts(circuit: Circuit, elements: list[Element], x: np.ndarray,
                    temperature_c: float = 27.0) -> dict[str, np.ndarray]:
    """Node name (lower case) -> (n,) volts for every node of ``elements`` the surrogate's
    solution at x (n, n_inputs), data units, determines (see the module docstring)."""
    result, point = SurrogateBackend().operating_point(circuit, x, temperature_c)
    n = len(x)
    volts = {"0": np.zeros(n), **{k.lower(): v for k, v in result.nodes.items()},
             **{k.lower(): v for k, v in point.nodes.items()}}
    inside = circuit_inputs(circuit, np.asarray(x, dtype=float)) * circuit.volts_per_unit
    volts.update({input_node(k): inside[:, k] for k in range(circuit.n_inputs)})
    volts.update({output_node(k, circuit.n_outputs): result.y_volts[:, k] for k in range(circuit.n_outputs)})
    for element in elements:
        if element.part == "source" and str(element.value).upper().startswith("DC "):
            volts.setdefault(element.nodes[0].lower(), np.full(n, float(str(element.value).split()[1])))
    opamps = [e for e in elements if _is_vcvs(e)]
    resistors_at = _resistors_by_node(elements)
    while any([_solve_opamp(e, volts, resistors_at) for e in opamps]):  # a list: every op-amp each round
        pass
    return volts


def _resistors_by_node(elements: list[Element]) -> dict[str, list[tuple[str, float]]]:
    """Node -> (the other node, conductance S) of every resistor on it; a node that any other
    element but an op-amp's input touches gets None in the list (no summing junction)."""
    found: dict[str, list] = {}
    for element in elements:
        a, b = (node.lower() for node in element.nodes[:2])
        if element.part == "resistor":
            found.setdefault(a, []).append((b, 1.0 / float(element.value)))
            found.setdefault(b, []).append((a, 1.0 / float(element.value)))
        elif not _is_vcvs(element):
            for node in (node.lower() for node in element.nodes):
                found.setdefault(node, []).append(None)
    return found


def _is_vcvs(element: Element) -> bool:
    """An op-amp, or a source that is a VCVS (the resistive topology's input inverters, E of gain -1)."""
    return element.part == "opamp" or (element.name[:1].upper() == "E" and len(element.nodes) == 4)


def _solve_opamp(element: Element, volts: dict[str, np.ndarray], resistors_at: dict) -> bool:
    """Add what this op-amp's equations give to ``volts``; True when a node was added."""
    out, ref, plus, minus = (node.lower() for node in element.nodes[:4])
    gain = float(element.value)
    if ref not in volts or plus not in volts:
        return False
    if out in volts and minus not in volts:
        volts[minus] = volts[plus] - (volts[out] - volts[ref]) / gain
        return True
    if out in volts:
        return False
    if minus in volts:
        volts[out] = volts[ref] + gain * (volts[plus] - volts[minus])
        return True
    loads = resistors_at.get(minus, [None])
    if None in loads or not all(node == out or node in volts for node, _ in loads):
        return False
    # KCL at the junction: sum G_k (V_k - V-) + G_f (V_out - V-) = 0, V_out = V_ref + A (V+ - V-)
    g_feedback = sum(g for node, g in loads if node == out)
    driven = sum(g * volts[node] for node, g in loads if node != out)
    g_total = sum(g for _, g in loads)
    volts[minus] = (driven + g_feedback * (volts[ref] + gain * volts[plus])) / (g_total + g_feedback * gain)
    volts[out] = volts[ref] + gain * (volts[plus] - volts[minus])
    return True
