"""``wiring.csv``: every net of the board with the pins on it, for a breadboard.

A pin is ``designator.pin``: ``R3.1`` and ``R3.2`` (a resistor's ends, in netlist order),
``D1.A`` and ``D1.K`` (anode, cathode), ``U2.6`` (an op-amp package's pin number, from its
unit's usual pinout, ``pins.UNIT_PINS``). The supply nets ``+15V`` and ``-15V`` carry each
package's supply pins and its decoupling capacitors; the reference supply's parts are on their
own nets. The simulation's sources are not parts of the board: their nets say what drives them.
"""

from __future__ import annotations

from ..model.opamp_parts import OpAmpPart
from ..util.csv_text import csv_text
from .bom import board_packages
from .pins import package_pin
from .placement import Placement
from .reference import ReferenceDesign
from .resistive_rails import readouts

COLUMNS = ["net", "pin count", "pins", "notes"]


def pin_name(designator: str, pin: str, opamp: OpAmpPart) -> str:
    """``R3.1``, ``D1.K``, or an op-amp unit's package pin (``U2B`` pin ``-`` -> ``U2.6``)."""
    if designator.startswith("U"):
        package, unit = designator.rstrip("ABCD"), designator[len(designator.rstrip("ABCD")):]
        return f"{package}.{package_pin(opamp.amplifiers_per_package, unit, pin)}"
    return f"{designator}.{pin}"


def board_nets(placement: Placement, opamp: OpAmpPart, reference: ReferenceDesign) -> dict[str, list[str]]:
    """Net -> the board's pins on it, in the order met (simulation sources left out)."""
    nets: dict[str, list[str]] = {}
    for part in placement.parts:
        if part.element.part == "source":
            continue
        for pin in part.pins:
            nets.setdefault(pin.net.lower(), []).append(pin_name(part.designator, pin.name, opamp))
    for extra in reference.parts:
        for extra_pin, net in extra.pins.items():
            nets.setdefault(net, []).append(pin_name(extra.designator, extra_pin, opamp))
    for index, package in enumerate(board_packages(placement, reference)):
        for rail, capacitor in (("V+", 2 * index + 1), ("V-", 2 * index + 2)):
            supply = "+15V" if rail == "V+" else "-15V"
            nets.setdefault(supply, []).append(f"{package}.{package_pin(opamp.amplifiers_per_package, '', rail)}")
            nets[supply].append(f"C{capacitor}.1")
            nets.setdefault("0", []).append(f"C{capacitor}.2")
    return nets


def wiring_rows(placement: Placement, opamp: OpAmpPart, reference: ReferenceDesign) -> list[list]:
    """Every net (COLUMNS), in netlist order, supply nets last."""
    notes = {source.pins[0].net.lower(): _driven_by(source.element.nodes[0].lower(), reference)
             for source in placement.parts if source.element.part == "source"}
    for readout in readouts([part.element for part in placement.parts]):  # a resistive circuit's output pairs
        notes[readout.plus] = f"output `{readout.out}`: measure against {readout.minus} (BUILD.md)"
        notes[readout.minus] = f"output `{readout.out}`: the pair's - side"
    notes["0"] = "ground: the supply's 0 V"
    notes["+15V"] = notes["-15V"] = "supply rail: 100 nF from each package's pin to ground, at the pin"
    nets = board_nets(placement, opamp, reference)
    ordered = sorted(nets, key=lambda net: (net in ("+15V", "-15V", "0"), 0))
    return [[net, len(nets[net]), " ".join(nets[net]), notes.get(net, "")] for net in ordered]


def _driven_by(net: str, reference: ReferenceDesign) -> str:
    if net == "vref":
        return f"+V_ref, {reference.made_v:.4g} V: driven by the reference follower {reference.units[0]}"
    if net == "vref_inv":
        return f"-V_ref: driven by the reference inverter {reference.units[1]}"
    driver = next((part for part in reference.parts if part.kind == "op-amp" and part.pins.get("out") == net), None)
    if driver is not None:  # a resistive circuit's -x rail or diode bias (resistive_rails)
        return f"driven by {driver.designator}, {driver.note}"
    return "circuit input: your signal, through the input stage in BUILD.md"


def wiring_csv(rows: list[list]) -> str:
    return csv_text(COLUMNS, rows)
