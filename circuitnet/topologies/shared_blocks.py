"""Building blocks every topology shares: the inverting summer, unity inverters, sources.

Sizing rules (network -> resistor values) and netlist fragments sit side by side, so a
block's wiring and its arithmetic can be read together.

The inverting summer: an op-amp with its + input grounded, feedback R_f from its output
to its - input (the virtual ground), and one resistor per weight from a rail into the
virtual ground. Its output is ``-R_f * sum_k G_k * V_k``; a weight that must come out
positive therefore takes its resistor from the *inverted* rail. In terms of the plain rail
voltages P_k, ``out = sum_k c_k P_k`` with ``c_k = R_f * (G_inverted_k - G_plain_k)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import RealisationError
from ..model import nodes
from ..model.circuit import Circuit, Stage
from ..model.elements import Element, NetlistEntry, number, resistor


def conductance(resistance: np.ndarray) -> np.ndarray:
    """1/R in siemens; an absent resistor (inf ohms) conducts 0."""
    return 1.0 / np.asarray(resistance, dtype=float)


def summer_coefficients(stage: Stage) -> np.ndarray:
    """Gains c of shape (n_out, n_in + 1), V/V: each summer output is ``sum_k c[j, k] * P_k``
    with P the plain rail voltages (the last column is +v_ref)."""
    return stage.required("r_feedback")[:, None] * (conductance(stage.r_inverted) - conductance(stage.r_plain))


def size_summer(coefficients: np.ndarray, r_preferred: float, resistor_range: tuple[float, float],
                label: WeightLabel, fixed: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Resistors of one inverting summer that realise the gains ``coefficients``.

    coefficients: shape (n_in + 1,), V/V with respect to the plain rails (last: +v_ref).
    r_preferred: the feedback resistor to use when the weights allow it, ohms.
    label: column index -> the name of the weight it realises, for error messages.
    fixed: use ``r_preferred`` as the feedback resistor as it is (error if it can't serve).
    Returns (r_plain, r_inverted, r_feedback): ohms, inf where there is no resistor.

    Every input resistor is ``R_f / |c_k|``, so R_f must lie in
    ``[r_min * max|c|, r_max * min|c|]`` (and in the range itself); the preferred value is
    clipped into that interval.
    """
    r_min, r_max = resistor_range
    magnitude = np.abs(coefficients)
    used = magnitude > 0
    low, high = r_min, r_max
    if used.any():
        largest = int(np.argmax(np.where(used, magnitude, -np.inf)))
        smallest = int(np.argmin(np.where(used, magnitude, np.inf)))
        low = max(low, r_min * magnitude[largest])
        high = min(high, r_max * magnitude[smallest])
        if fixed:
            low, high = max(low, r_preferred), min(high, r_preferred)
        if low > high * (1 + 1e-12):
            raise _too_small(label, smallest, RealisationError(
                f"{label(smallest)} needs gain {magnitude[smallest]:.6g} and {label(largest)} needs gain "
                f"{magnitude[largest]:.6g} in the same summer; that ratio "
                f"({magnitude[largest] / magnitude[smallest]:.4g}:1) needs resistors outside the range "
                f"{r_min:g}..{r_max:g} ohm (at most {r_max / r_min:g}:1). Set the small weight to 0 "
                f"(no resistor), rescale the network, or widen resistor_range"
            ))
    r_feedback = float(r_preferred) if fixed else float(min(max(r_preferred, low), high))
    with np.errstate(divide="ignore"):
        resistance = np.where(used, r_feedback / np.where(used, magnitude, 1.0), np.inf)
    r_plain = np.where(coefficients < 0, resistance, np.inf)
    r_inverted = np.where(coefficients > 0, resistance, np.inf)
    return r_plain, r_inverted, r_feedback


@dataclass(frozen=True)
class WeightLabel:
    """Column index of a stage row -> ``layers[l].weights[j][k]`` or ``layers[l].biases[j]``.
    It carries ``layer`` and ``unit`` so an error can say which weight to drop."""

    layer: int
    unit: int
    n_in: int

    def __call__(self, column: int) -> str:
        if column == self.n_in + 1:
            return f"the diode-drop offset of layers[{self.layer}] unit {self.unit}"
        if column == self.n_in:
            return f"layers[{self.layer}].biases[{self.unit}]"
        return f"layers[{self.layer}].weights[{self.unit}][{column}]"


def weight_label(layer: int, unit: int, n_in: int) -> WeightLabel:
    """The label of row ``unit`` of layer ``layer`` (see WeightLabel)."""
    return WeightLabel(layer, unit, n_in)


def _too_small(label: WeightLabel, column: int, error: RealisationError) -> RealisationError:
    """Mark which weight (layer, unit, column) is too small to realise beside the others."""
    error.weight = (label.layer, label.unit, column)
    return error


def check_in_range(name: str, value: float, resistor_range: tuple[float, float]) -> None:
    r_min, r_max = resistor_range
    if not (r_min * (1 - 1e-12) <= value <= r_max * (1 + 1e-12)):
        raise RealisationError(
            f"{name} = {value:.6g} ohm is outside the resistor range {r_min:g}..{r_max:g} ohm; "
            f"choose {name} inside it or widen resistor_range"
        )


# ---------------------------------------------------------------------------------------
# Netlist fragments: each block's elements (see ``model.elements``), in netlist order.


def rails(circuit: Circuit, stage_index: int) -> list[tuple[str, str]]:
    """(plain, inverted) node names of each column of a stage: its input signals, then vref."""
    stage = circuit.stages[stage_index]
    signals = nodes.stage_inputs(stage_index, stage.n_in)
    return [(node, nodes.inverted(node)) for node in signals] + [(nodes.REF, nodes.inverted(nodes.REF))]


# ngspice's default RELTOL (1e-3) lets a converged node voltage depend on the path to it by
# millivolts (a .dc sweep against a fresh .op: docs/spice.md, "Accuracy"); these make any two
# analyses of the same circuit agree to well under a microvolt.
ACCURACY_OPTIONS = ".options reltol=1e-7 vntol=1e-10"
# ngspice 42+ has the KLU solver, about 4x faster than its default Sparse 1.3 on large circuits
# with the same outputs; ngspice 39 ignores the option (checked: exit status 0, same outputs).
SOLVER_OPTIONS = ".options klu"
# KLU keeps the pivots of its first factorization for the rest of a .dc sweep (it pivots again
# only on a singular matrix), where Sparse 1.3 re-pivots whenever a pivot has grown too small.
# With ngspice's default pivrel (1e-3) KLU may take a pivot a thousandth of its column's largest
# entry; on a board with op-amp offsets such pivots lose the solution's accuracy a few samples
# into a sweep, Newton stalls and ngspice falls back to gmin stepping, which can fail too
# (docs/opamp-offsets.md, "Boards in ngspice"). With the largest entry of each column as its pivot
# (pivrel=1) those boards take Sparse's and the nominal circuit's Newton iterations.
PIVOT_OPTIONS = ".options pivrel=1"


def option_lines(temperature_c: float | None = None, strict_pivots: bool = False) -> list[str]:
    """The accuracy and solver options, and the temperature when one is given (degrees Celsius).
    strict_pivots: also pivot on each column's largest entry (``PIVOT_OPTIONS``; for
    boards with op-amp input errors, whose sweeps stall on KLU's reused pivots without it)."""
    lines = ["* accuracy: any two analyses of this circuit agree to well under a microvolt", ACCURACY_OPTIONS,
             "* solver: KLU where ngspice has it (42 and newer); older versions ignore this line", SOLVER_OPTIONS]
    if strict_pivots:
        lines += ["* pivots: each column's largest entry (KLU reuses a sweep's first pivots; on a board with op-amp "
                  "offsets the default pivrel's stall Newton)", PIVOT_OPTIONS]
    if temperature_c is not None:
        lines.append(f".temp {number(temperature_c)}")
    return lines


def sources(circuit: Circuit, input_volts=None, input_elements: list[Element] | None = None) -> list[NetlistEntry]:
    """Input sources (DC, volts; 0 unless given, or ``input_elements``) and the two bias references."""
    if input_volts is None:
        input_volts = np.zeros(circuit.n_inputs)
    entries: list[NetlistEntry] = ["* inputs (volts = volts_per_unit * data units) and bias references"]
    if input_elements is not None:
        entries += input_elements
    for k, volts in enumerate(input_volts if input_elements is None else ()):
        node = nodes.input_node(k)
        entries.append(Element(f"V{node}", (node, "0"), f"DC {number(volts)}", "source"))
    ref, minus_ref = nodes.REF, nodes.inverted(nodes.REF)
    entries.append(Element(f"V{ref}", (ref, "0"), f"DC {number(circuit.v_ref)}", "source"))
    entries.append(Element(f"V{minus_ref}", (minus_ref, "0"), f"DC {number(-circuit.v_ref)}", "source"))
    return entries


def inverters(circuit: Circuit, stage_index: int) -> list[Element]:
    """Unity inverters for the stage's input signals that some weight takes inverted."""
    stage = circuit.stages[stage_index]
    signals = nodes.stage_inputs(stage_index, stage.n_in)
    parts = []
    for k, (node, needed) in enumerate(zip(signals, stage.inverted_signals(), strict=False)):
        if not needed:
            continue
        out = nodes.inverted(node)
        junction = f"{out}_sum"
        parts += [
            resistor(f"{out}_in", node, junction, circuit.r_inverter),
            resistor(f"{out}_f", out, junction, circuit.r_inverter),
            *opamp(circuit, out, junction, ("inverter", stage_index, k)),
        ]
    return parts


def weight_resistors(column_rails: list[tuple[str, str]], r_plain_row: np.ndarray,
                     r_inverted_row: np.ndarray, into: str) -> list[Element]:
    """One resistor per weight, from the rail it needs into node ``into``."""
    parts = []
    for (plain, inverted_rail), r_p, r_i in zip(column_rails, r_plain_row, r_inverted_row, strict=False):
        if math.isfinite(r_p):
            parts.append(resistor(f"{into}_{plain}", plain, into, r_p))
        if math.isfinite(r_i):
            parts.append(resistor(f"{into}_{inverted_rail}", inverted_rail, into, r_i))
    return parts


def summer(circuit: Circuit, stage_index: int, unit: int, junction: str, out: str) -> list[Element]:
    """An inverting summer for one unit: weight resistors into ``junction``, feedback, op-amp."""
    stage = circuit.stages[stage_index]
    parts = weight_resistors(rails(circuit, stage_index), stage.r_plain[unit], stage.r_inverted[unit], junction)
    if stage.r_offset is not None:
        parts.append(resistor(f"{junction}_offset", nodes.inverted(nodes.REF), junction, stage.r_offset[unit]))
    return parts + [
        resistor(f"{out}_f", out, junction, stage.required("r_feedback")[unit]),
        *opamp(circuit, out, junction, ("unit", stage_index, unit)),
    ]


def opamp(circuit: Circuit, out: str, minus: str, site: tuple[str, int, int]) -> list[Element]:
    """An op-amp whose + input is grounded, output ``out``, - input ``minus``; on a board with
    op-amp input errors (``circuit.opamp_offsets``) also its offset source in series with the +
    input (node ``<out>_vos``) and a bias-current source from each input to ground.

    site: ("inverter", stage, input signal) or ("unit", stage, unit), which op-amp this is.
    """
    offsets = circuit.opamp_offsets
    if offsets is None:
        return [circuit.opamp.element(out, out, "0", minus)]
    kind, stage, index = site
    vos, ib_plus, ib_minus = offsets.inverter(stage, index) if kind == "inverter" else offsets.unit(stage, index)
    plus = f"{out}_vos"
    # an I source's current flows from its first node through it to the second: it leaves the input
    # node as a bias current does that flows into the op-amp's input pin
    return [Element(f"V{out}_os", (plus, "0"), f"DC {number(vos)}", "opamp_input"),
            Element(f"I{out}_bp", (plus, "0"), f"DC {number(ib_plus)}", "opamp_input"),
            Element(f"I{out}_bm", (minus, "0"), f"DC {number(ib_minus)}", "opamp_input"),
            circuit.opamp.element(out, out, plus, minus)]


def output_stage(circuit: Circuit) -> list[NetlistEntry]:
    """The linear output layer: one inverting summer per output, driving node ``y``."""
    index = len(circuit.stages) - 1
    entries: list[NetlistEntry] = [f"* output layer: inverting summer(s) -> {nodes.output_node(0, circuit.n_outputs)}"]
    entries += inverters(circuit, index)
    for unit in range(circuit.n_outputs):
        out = nodes.output_node(unit, circuit.n_outputs)
        entries += summer(circuit, index, unit, f"{out}_sum", out)
    return entries
