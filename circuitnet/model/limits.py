"""The safe operating area: what a built circuit's parts can take, and where a circuit leaves it.

A circuit is right only if it could be built, so every result is checked against its parts:

- an op-amp's output stays inside its rails (the model's ``v_neg`` .. ``v_pos``: +-15 V unless
  set, for the finite-gain model too, whose E source would otherwise swing without bound);
- a diode's reverse voltage stays below its breakdown voltage BV, with a margin (ngspice's
  diode model conducts in breakdown, and the surrogate models no breakdown);
- a resistor dissipates at most its rating (1/4 W unless set);
- where the op-amps are a real part (``OpAmpModel.part``), each op-amp's output current (the
  current out of its output node through every resistor and diode on it, ``currents``) stays
  within the part's ``output_current_a``. An input inverter that drives a hundred neurons'
  weight resistors is where it is passed first; ``range_for_current`` says which resistor range
  would bring the worst one back inside.

``violations`` reads node voltages (from any simulation that has them all) and the
circuit's elements, and names each part that leaves its area: the part, the quantity, the
worst value, the limit and the input where the worst value happens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .circuit import Circuit
from .currents import output_currents_array
from .element_arrays import ElementArrays, Elements, as_arrays
from .elements import Part
from .opamp_parts import opamp_part

MESSAGE_INPUTS = 8  # inputs a message shows of the sample where a part is worst


@dataclass(frozen=True)
class OperatingLimits:
    """resistor_rating_w: the most any resistor may dissipate, watts. breakdown_margin: a
    diode's reverse voltage must stay below (1 - margin) x BV."""

    resistor_rating_w: float = 0.25
    breakdown_margin: float = 0.2


# The limits a check uses unless told otherwise (one shared, frozen instance for defaults).
DEFAULT_LIMITS = OperatingLimits()


@dataclass(frozen=True)
class Violation:
    """One part outside its safe operating area, at its worst input.

    element: the SPICE element name; quantity: what is out of range; value and limit in
    ``unit``; x: the input sample (data units) where the value is worst.
    """

    element: str
    quantity: str
    value: float
    limit: float
    unit: str
    x: tuple[float, ...]

    def message(self) -> str:
        shown = MESSAGE_INPUTS
        inputs = ", ".join(f"{v:.4g}" for v in self.x[:shown])
        if len(self.x) > shown:  # an image's pixels would fill the screen; to_dict keeps them all
            inputs += f", ... ({len(self.x)} inputs)"
        return (f"{self.element}: {self.quantity} {self.value:.4g} {self.unit} is beyond its limit "
                f"{self.limit:.4g} {self.unit}, at input x = ({inputs})")

    def to_dict(self) -> dict:
        return {"element": self.element, "quantity": self.quantity, "value": self.value, "limit": self.limit,
                "unit": self.unit, "x": list(self.x)}


def violations(circuit: Circuit, elements: Elements, volts: dict[str, np.ndarray], x: np.ndarray,
               limits: OperatingLimits = DEFAULT_LIMITS) -> list[Violation]:
    """Every element outside its safe operating area, worst case first.

    elements: the circuit's elements (``topologies.circuit_elements``), or their
    ``ElementArrays`` (built once for many checks). volts: node name (lower case) -> shape
    (n,), volts, for every node the elements touch ("0" may be left out). x: shape
    (n, n_inputs), data units, the inputs the voltages belong to.
    """
    found = []
    for crossing in _crossings(circuit, elements, volts, len(x), limits):
        index = int(np.argmax(crossing.sign * crossing.values))
        if crossing.sign * crossing.values[index] > crossing.sign * crossing.limit:
            found.append(Violation(crossing.element, crossing.quantity, float(crossing.values[index]),
                                   float(crossing.limit), crossing.unit, tuple(float(v) for v in x[index])))
    return sorted(found, key=lambda v: -abs(v.value / v.limit) if v.limit else -math.inf)


def rows_beyond(circuit: Circuit, elements: Elements, volts: dict[str, np.ndarray], n: int,
                limits: OperatingLimits = DEFAULT_LIMITS) -> list[str]:
    """For each of the n samples, the worst limit a part crosses there, in words ("U3: output
    above its positive rail 33.1 V, limit 13.5 V"), or "" where every part stays inside:
    the rows whose outputs no built circuit gives. Arguments as ``violations``."""
    worst = np.zeros(n)  # each row's largest value / limit among the limits it crosses
    words = [""] * n
    for crossing in _crossings(circuit, elements, volts, n, limits):
        for row in np.flatnonzero(crossing.sign * crossing.values > crossing.sign * crossing.limit):
            value = float(crossing.values[row])
            ratio = abs(value / crossing.limit) if crossing.limit else math.inf
            if ratio > worst[row] or not words[row]:
                worst[row] = ratio
                words[row] = (f"{crossing.element}: {crossing.quantity} {value:.4g} {crossing.unit}, limit "
                              f"{crossing.limit:.4g} {crossing.unit}")
    return words


@dataclass(frozen=True)
class _Crossing:
    """One limit of one part over n samples: values (n,) in ``unit``, crossed where
    sign * values > sign * limit (sign -1 for a lower limit)."""

    element: str
    quantity: str
    values: np.ndarray
    limit: float
    unit: str
    sign: float = 1.0


def _crossings(circuit: Circuit, elements: Elements, volts: dict[str, np.ndarray], n: int,
               limits: OperatingLimits) -> list[_Crossing]:
    """Every limit that ``violations`` and ``rows_beyond`` check that some part crosses at some
    sample, as _Crossing: the op-amps' rails and the diodes' breakdown (in the element list's
    order), a real part's output current, each resistor's rating. Only the crossed ones: a
    large circuit has thousands of parts, and the check reads them as arrays."""
    arrays = as_arrays(elements)
    stacked = arrays.voltages(volts, n)
    found = _rail_and_breakdown_crossings(circuit, arrays, stacked, limits)
    if circuit.opamp.part is not None:  # the generic op-amp has no output-current limit
        limit = opamp_part(circuit.opamp.part).output_current_a
        current = np.abs(output_currents_array(arrays, stacked))
        names = arrays.part(Part.OPAMP.value).names
        found += [_Crossing(names[k], "output current", current[k], limit, "A")
                  for k in np.flatnonzero((current > limit).any(axis=1))]
    return found + _dissipation_crossings(arrays, stacked, limits.resistor_rating_w)


# A resistor's drop is compared with the drop at which it dissipates its rating, sqrt(P R), less
# this much (far above the rounding of drop^2 / R), so that no resistor past its rating is
# passed over; the few it lets through are checked with drop^2 / R itself.
DROP_SLACK = 1e-9


def _dissipation_crossings(arrays: ElementArrays, stacked: np.ndarray, rating_w: float) -> list[_Crossing]:
    """Each resistor that dissipates more than ``rating_w`` watts at some sample, in the element
    list's order. stacked: (nodes, n) volts. Its drop's largest and smallest sample against
    sqrt(rating x R) find the few to look at, without the square and the division for all."""
    resistors = arrays.part(Part.RESISTOR.value)
    largest_drop = np.sqrt(rating_w * arrays.ohms) * (1.0 - DROP_SLACK)
    found = []
    for rows, drops in arrays.resistor_blocks(stacked):
        bound = largest_drop[rows]
        for k in np.flatnonzero((drops.max(axis=1) > bound) | (drops.min(axis=1) < -bound)):
            dissipation = drops[k] * drops[k] / arrays.ohms[rows.start + k]
            if (dissipation > rating_w).any():
                found.append(_Crossing(resistors.names[rows.start + k], "dissipation", dissipation, rating_w, "W"))
    return found


def _rail_and_breakdown_crossings(circuit: Circuit, arrays: ElementArrays, stacked: np.ndarray,
                                  limits: OperatingLimits) -> list[_Crossing]:
    """The op-amp outputs beyond a rail and the diodes' reverse voltages past breakdown (with
    its margin), in the order of the element list (an op-amp's positive rail before its
    negative): the order ties among equally bad parts keep. stacked: (nodes, n) volts."""
    opamp, diode = arrays.part(Part.OPAMP.value), arrays.part(Part.DIODE.value)
    out = stacked[opamp.a]
    placed = [(opamp.positions[k], 0, _Crossing(opamp.names[k], "output above its positive rail", out[k],
                                                circuit.opamp.v_pos, "V"))
              for k in np.flatnonzero((out > circuit.opamp.v_pos).any(axis=1))]
    placed += [(opamp.positions[k], 1, _Crossing(opamp.names[k], "output below its negative rail", out[k],
                                                 circuit.opamp.v_neg, "V", -1.0))
               for k in np.flatnonzero((out < circuit.opamp.v_neg).any(axis=1))]
    breakdown = float(circuit.diode.params.get("BV", math.inf))
    if math.isfinite(breakdown):
        reverse, limit = stacked[diode.b] - stacked[diode.a], (1.0 - limits.breakdown_margin) * breakdown
        placed += [(diode.positions[k], 0, _Crossing(diode.names[k], "reverse voltage", reverse[k], limit, "V"))
                   for k in np.flatnonzero((reverse > limit).any(axis=1))]
    return [crossing for _, _, crossing in sorted(placed, key=lambda entry: (entry[0], entry[1]))]


CURRENT_MARGIN = 1.1  # a suggested range leaves the worst op-amp 10 % below its output-current limit


def range_for_current(circuit: Circuit, found: list[Violation]) -> tuple[float, float] | None:
    """The resistor range (min, max) ohms in which the worst output current of ``found`` would
    fit its limit with CURRENT_MARGIN to spare: the circuit's range scaled by that current's
    ratio to its limit (every resistor k times larger carries 1/k of the current, and the
    voltage ratios a circuit computes with stay). None when no op-amp passes its limit."""
    ratios = [v.value / v.limit for v in found if v.quantity == "output current"]
    if not ratios:
        return None
    scale = CURRENT_MARGIN * max(ratios)
    low, high = circuit.resistor_range
    return _rounded_up(low * scale), _rounded_up(high * scale)


def current_remedy(circuit: Circuit, found: list[Violation]) -> str:
    """A sentence for an error: which --resistor-range would fit every op-amp's output current,
    or "" when none passes it."""
    fitting = range_for_current(circuit, found)
    if fitting is None:
        return ""
    worst = max((v for v in found if v.quantity == "output current"), key=lambda v: v.value / v.limit)
    return (f" {worst.element} drives {1e3 * worst.value:.3g} mA, beyond {circuit.opamp.part}'s "
            f"{1e3 * worst.limit:.3g} mA: every resistor {fitting[0] / circuit.resistor_range[0]:.3g} x larger "
            f"would fit, --resistor-range {ohms_text(fitting[0])}:{ohms_text(fitting[1])}; or split the loads of "
            f"an output that drives many over followers with --buffer-rails N.")


RAIL_QUANTITIES = ("output above its positive rail", "output below its negative rail")


def rail_remedy(circuit: Circuit, found: list[Violation]) -> str:
    """A sentence for an error: the op-amp of the worst output beyond a rail, its output swing
    and what brings it back: for a real part first the --supply whose rail moves past the value
    it reached (``_supply_remedy``), then a smaller --volts-per-unit (every summer's volts scale
    with it, though not a diode summer's v_on lift, and training re-fits, so no number is
    promised), a wider resistor range, a finer series; "" when no op-amp passes its rails."""
    beyond = [v for v in found if v.quantity in RAIL_QUANTITIES]
    if not beyond:
        return ""
    worst = max(beyond, key=lambda v: abs(v.value / v.limit))
    opamp = circuit.opamp
    part = f"{article(opamp.part)} {opamp.part}" if opamp.part is not None else "the generic op-amp"
    low, high = circuit.resistor_range
    return (f" {worst.element} is {part}, whose output swings {opamp.v_neg:g}..{opamp.v_pos:g} V, and it reaches "
            f"{worst.value:.4g} V: fit with {_supply_remedy(circuit, worst)}a smaller --volts-per-unit (now "
            f"{circuit.volts_per_unit:g}; every summer's volts scale with it), a wider "
            f"--resistor-range (now {ohms_text(low)}:{ohms_text(high)}), or a finer --e-series (or --e-series-pairs).")


def article(word: str) -> str:
    """'an' before a word read with a vowel sound (an LM358, an OPA134, an NE5532), else 'a'
    (a TL072): part names are read letter by letter, and A, E, F, H, I, L, M, N, O, R, S, X
    begin with a vowel sound."""
    return "an" if word[:1].upper() in "AEFHILMNORSX" else "a"


def _supply_remedy(circuit: Circuit, worst: Violation) -> str:
    """'a --supply of 3.5 or more (+-V; now 3), ': the symmetric supply that moves the rail
    ``worst`` passes beyond the value it reached, within the part's supply range; '' for the
    generic op-amp, or where the part's largest supply would not."""
    if circuit.opamp.part is None:
        return ""
    part = opamp_part(circuit.opamp.part)
    supply_v = (circuit.opamp.v_pos + part.swing_to_pos_v - circuit.opamp.v_neg + part.swing_to_neg_v) / 2
    needed = math.ceil(2 * (supply_v + abs(worst.value - worst.limit)) + 1e-9) / 2  # half-volt steps
    if 2 * needed > part.supply_max_v:
        return ""
    return f"a --supply of {needed:g} or more (+-V; now {supply_v:g}), "


def ohms_text(ohms: float) -> str:
    """12000.0 -> '12k', 1.5e6 -> '1.5M', 470.0 -> '470' (as --resistor-range reads it)."""
    for factor, suffix in ((1e6, "M"), (1e3, "k")):
        if ohms >= factor:
            return f"{ohms / factor:.4g}{suffix}"
    return f"{ohms:.4g}"


def _rounded_up(ohms: float) -> float:
    """``ohms`` rounded up to two significant digits (a value a person types)."""
    magnitude = 10.0 ** (math.floor(math.log10(ohms)) - 1)
    return math.ceil(ohms / magnitude - 1e-9) * magnitude
