"""Which KiCad symbol each netlist element is, with its simulation fields and the net on each
of its pins.

A resistor carries ``Sim.Device R`` and its ohms to 17 digits in ``Sim.Params`` (its Value
shows 4); the diode points to the circuit's ``.model`` in the library beside the schematic;
a source is a DC simulation source (``Sim.Device V``, ``Sim.Type DC``); an op-amp is one unit
of its package, whose subcircuit (``Sim.Device SUBCKT``) is circuitnet's op-amp model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ..model.circuit import Circuit
from ..model.elements import Element, number
from . import footprints
from . import kicad_symbols as symbols
from .kicad_models import (
    LIBRARY_FILE,
    KicadExportError,
    controlled_source_name,
    opamp_terminals,
    package_pins,
    subcircuit_name,
)
from .kicad_symbols import Symbol
from .pins import element_pins, is_controlled_source
from .placement import PlacedPart

# KiCad rotation of each symbol at the placement's rotation 0, where pin 1 is left of pin 2
# (our resistor and source are drawn upright, pin 1 on top) and an op-amp's inverting input is
# on top (ours is mirrored for that).
_TURN = {"resistor": 90, "source": 90, "diode": 0, "opamp": 0}


@dataclass(frozen=True)
class PartSymbol:
    """One element as a placed symbol unit.

    reference: KiCad's reference (an op-amp's package, ``U2``, its unit apart); at: (x mm,
    y mm, rotation degrees); mirror: flipped top to bottom before the rotation; fields: the
    instance's properties after Reference; pins: symbol pin number -> (the placement's pin
    name: ``1``/``2``, ``A``/``K``, ``+``/``-``, ``out``; the net on it).
    """

    symbol: Symbol
    unit: int
    reference: str
    at: tuple[float, float, int]
    mirror: bool
    fields: list[tuple[str, str]]
    pins: dict[str, tuple[str, str]]


def part_symbol(circuit: Circuit, part: PlacedPart, package: str, per_package: int, x_offset: float,
                resistor_footprints: Mapping[str, str] | None = None) -> PartSymbol:
    """The symbol of a placed part, moved right by ``x_offset`` mm (its sheet's place), with its
    footprint (``footprints``): a resistor's from ``resistor_footprints`` by designator (the
    rating bom.csv chose; default 1/4 W)."""
    element = part.element
    fields: list[tuple[str, str]]
    if element.part == "resistor":
        symbol, unit = symbols.resistor(), 1
        pins = {"1": ("1", element.nodes[0]), "2": ("2", element.nodes[1])}
        footprint = (resistor_footprints or {}).get(part.designator, footprints.resistor_footprint())
        fields = [("Value", ohms_text(float(element.value))), ("Footprint", footprint), ("Sim.Device", "R"),
                  ("Sim.Params", f"r={number(float(element.value))}")]
    elif element.part == "diode":
        symbol, unit = symbols.diode(circuit.diode.name), 1
        pins = {"2": ("A", element.nodes[0]), "1": ("K", element.nodes[1])}
        fields = [("Value", circuit.diode.name), ("Footprint", footprints.DIODE), ("Sim.Device", "D"),
                  ("Sim.Library", LIBRARY_FILE), ("Sim.Name", circuit.diode.spice_name), ("Sim.Pins", "1=K 2=A")]
    elif is_controlled_source(element):  # an ideal amplifier off the network (BUILD.md: the board's)
        symbol, unit = symbols.controlled_source(), 1
        pins = {str(k + 1): pin for k, pin in enumerate(element_pins(element))}
        fields = [("Value", f"gain {element.value}"), ("Footprint", footprints.CONTROLLED_SOURCE),
                  ("Sim.Device", "SUBCKT"), ("Sim.Library", LIBRARY_FILE),
                  ("Sim.Name", controlled_source_name(str(element.value))), ("Sim.Pins", "1=1 2=2 3=3 4=4")]
    elif element.part == "source":
        symbol, unit = symbols.dc_source(), 1
        pins = {"1": ("+", element.nodes[0]), "2": ("-", element.nodes[1])}
        fields = dc_source_fields(dc_volts(element))
    elif element.part == "opamp":
        out, plus, minus = opamp_terminals(circuit, element)
        unit = unit_of(part.designator)
        symbol = symbols.opamp_package(package, per_package)
        out_pin, minus_pin, plus_pin = symbols.PINOUTS[per_package][0][unit - 1]
        pins = {out_pin: ("out", out), minus_pin: ("-", minus), plus_pin: ("+", plus)}
        fields = package_fields(package, per_package)
    else:
        raise KicadExportError(f"element {element.name} is a {element.part!r}; the KiCad schematic knows "
                               "resistors, diodes, op-amps and sources")
    reference = package_reference(part.designator) if element.part == "opamp" else part.designator
    at = (on_grid(part.x_mm + x_offset), on_grid(part.y_mm), (part.rotation_deg + _TURN[element.part]) % 360)
    return PartSymbol(symbol, unit, reference, at, element.part == "opamp", fields, pins)


def dc_source_fields(volts: float) -> list[tuple[str, str]]:
    """A DC simulation source's Value, Footprint (the header its signal comes in on) and Sim
    fields (volts to 17 digits)."""
    return [("Value", f"{volts:g} V"), ("Footprint", footprints.SOURCE), ("Sim.Device", "V"), ("Sim.Type", "DC"),
            ("Sim.Params", f"dc={number(volts)}")]


def package_fields(package: str, per_package: int) -> list[tuple[str, str]]:
    """An op-amp package's Value and Sim fields: its subcircuit, every pin mapped to the
    subcircuit's node of the same number."""
    pins = " ".join(f"{pin}={pin}" for pin in package_pins(per_package))
    return [("Value", package), ("Footprint", footprints.opamp_footprint(per_package)), ("Sim.Device", "SUBCKT"),
            ("Sim.Library", LIBRARY_FILE),
            ("Sim.Name", subcircuit_name(package)), ("Sim.Pins", pins)]


def package_reference(designator: str) -> str:
    """U3B -> U3 (KiCad's reference; the unit is separate)."""
    return re.sub(r"[A-D]$", "", designator)


def unit_of(designator: str) -> int:
    """U3B -> 2; U3 (a single op-amp) -> 1."""
    return "ABCD".index(designator[-1]) + 1 if designator[-1] in "ABCD" else 1


def ohms_text(ohms: float) -> str:
    """A resistor's value as a schematic shows it: 4 significant digits with k or M (``10.02k``)."""
    for scale, suffix in ((1e6, "M"), (1e3, "k"), (1.0, "")):
        if ohms >= scale:
            return f"{ohms / scale:.4g}{suffix}"
    return f"{ohms:.4g}"


def dc_volts(element: Element) -> float:
    """The volts of a ``DC v`` source element."""
    words = str(element.value).split()
    if len(words) != 2 or words[0].upper() != "DC":
        raise KicadExportError(f"source {element.name} is {element.value!r}; the KiCad schematic carries DC sources")
    return float(words[1])


def on_grid(mm: float, grid: float = 1.27) -> float:
    """A coordinate on KiCad's 1.27 mm (50 mil) grid."""
    return round(round(mm / grid) * grid, 4)
