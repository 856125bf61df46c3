"""The symbols of circuitnet's KiCad schematic, drawn like KiCad's own (Device:R, Device:C,
Device:D, Simulation_SPICE:VDC, the Amplifier_Operational packages, power:GND, power:PWR_FLAG)
and embedded in the schematic's ``lib_symbols``, so KiCad needs no symbol library to open,
check or export it.

Geometry is KiCad's: millimetres, a symbol's own y axis upwards (the sheet's is downwards), a
pin's ``at`` is its connection point (its tip) and its angle points from the tip into the body.

Op-amps are units of real packages with the standard pinouts (quad: TL074, OPA4277; dual:
TL072, LM358, NE5532; single: OPA134 and the generic model): units A.. are the amplifiers,
the last unit holds the supply pins (V+, V-), as in KiCad's Amplifier_Operational library.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from .pins import SUPPLY_PINS, UNIT_PINS
from .sexpr import Atom

FONT = ("effects", ("font", ("size", 1.27, 1.27)))
HIDDEN_FONT = ("effects", ("font", ("size", 1.27, 1.27)), Atom("hide"))


@dataclass(frozen=True)
class Pin:
    """One pin of a symbol unit. number: the package pin; name: its function (``+``, ``OUT``,
    ``~`` for none); x, y: its tip in symbol coordinates (mm, y up); angle: degrees from the
    tip into the body; kind: KiCad's electrical type (``passive``, ``input``, ``output``,
    ``power_in``, ``power_out``)."""

    number: str
    name: str
    x: float
    y: float
    angle: int
    length: float
    kind: str = "passive"


@dataclass(frozen=True)
class Symbol:
    """One library symbol. name: its lib_id (``circuitnet:R``); prefix: its designator's letter
    (``R``; ``#PWR`` for power symbols); units: unit number -> its pins; graphics: unit number
    (0: every unit) -> drawing nodes; power: a power symbol (its pin names its net globally);
    fields: extra properties every instance carries (the simulation model's fields)."""

    name: str
    prefix: str
    units: Mapping[int, tuple[Pin, ...]]
    graphics: Mapping[int, tuple[tuple, ...]]
    power: bool = False
    fields: tuple[tuple[str, str], ...] = ()

    def pin(self, unit: int, number: str) -> Pin:
        for pin in self.units[unit]:
            if pin.number == number:
                return pin
        raise KeyError(f"{self.name} unit {unit} has no pin {number}")

    def node(self) -> tuple:
        """The ``(symbol ...)`` node of lib_symbols."""
        short = self.name.split(":", 1)[1]
        flags: list[tuple] = [("power",)] if self.power else []
        if self.prefix in ("R", "C", "D", "V") or self.power:
            flags.append(("pin_numbers", Atom("hide")))
        flags += [("pin_names", ("offset", 0.254)) if not self.power else ("pin_names", ("offset", 0), Atom("hide")),
                  ("exclude_from_sim", Atom("no")), ("in_bom", Atom("no" if self.power else "yes")),
                  ("on_board", Atom("no" if self.power else "yes"))]
        properties = [("property", "Reference", self.prefix, ("at", 0, 3.81, 0), HIDDEN_FONT if self.power else FONT),
                      ("property", "Value", short, ("at", 0, -3.81, 0), FONT),
                      ("property", "Footprint", "", ("at", 0, 0, 0), HIDDEN_FONT),
                      ("property", "Datasheet", "~", ("at", 0, 0, 0), HIDDEN_FONT)]
        properties += [("property", key, value, ("at", 0, 0, 0), HIDDEN_FONT) for key, value in self.fields]
        units = sorted(set(self.units) | set(self.graphics))
        bodies = [("symbol", f"{short}_{unit}_1", *self.graphics.get(unit, ()),
                   *(_pin_node(pin) for pin in self.units.get(unit, ()))) for unit in units]
        return ("symbol", self.name, *flags, *properties, *bodies)


def _pin_node(pin: Pin) -> tuple:
    return ("pin", Atom(pin.kind), Atom("line"), ("at", pin.x, pin.y, pin.angle), ("length", pin.length),
            ("name", pin.name, FONT), ("number", pin.number, FONT))


def _stroke(width: float = 0.254) -> tuple:
    return ("stroke", ("width", width), ("type", Atom("default")))


def _line(*points: tuple[float, float], fill: str = "none") -> tuple:
    return ("polyline", ("pts", *(("xy", x, y) for x, y in points)), _stroke(), ("fill", ("type", Atom(fill))))


def _rectangle(x0: float, y0: float, x1: float, y1: float, fill: str = "none") -> tuple:
    return ("rectangle", ("start", x0, y0), ("end", x1, y1), _stroke(), ("fill", ("type", Atom(fill))))


def _two_pins(length: float, reach: float = 3.81) -> tuple[Pin, ...]:
    """Pins 1 (top) and 2 (bottom) of a vertical two-terminal part."""
    return (Pin("1", "~", 0, reach, 270, length), Pin("2", "~", 0, -reach, 90, length))


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def resistor(fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    return Symbol("circuitnet:R", "R", {1: _two_pins(1.27)}, {0: (_rectangle(-1.016, -2.54, 1.016, 2.54),)},
                  fields=fields)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def capacitor(fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    plates = (_line((-2.032, 0.762), (2.032, 0.762)), _line((-2.032, -0.762), (2.032, -0.762)))
    return Symbol("circuitnet:C", "C", {1: _two_pins(2.794)}, {0: plates}, fields=fields)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def diode(name: str, fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    """A diode drawn anode (pin 2, left) to cathode (pin 1, right), as KiCad's Device:D."""
    pins = (Pin("1", "K", 3.81, 0, 180, 2.54), Pin("2", "A", -3.81, 0, 0, 2.54))
    body = (_line((-1.27, 1.27), (-1.27, -1.27), (1.27, 0), (-1.27, 1.27)), _line((1.27, 1.27), (1.27, -1.27)),
            _line((-1.27, 0), (1.27, 0)))
    return Symbol(f"circuitnet:{name}", "D", {1: pins}, {0: body}, fields=fields)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def dc_source(fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    """A DC voltage source, + (pin 1) at the top, as Simulation_SPICE:VDC."""
    pins = (Pin("1", "+", 0, 3.81, 270, 1.27), Pin("2", "-", 0, -3.81, 90, 1.27))
    body = (("circle", ("center", 0, 0), ("radius", 2.54), _stroke(), ("fill", ("type", Atom("background")))),
            _line((0, 1.905), (0, 0.635)), _line((-0.635, 1.27), (0.635, 1.27)), _line((-0.635, -1.27), (0.635, -1.27)))
    return Symbol("circuitnet:VDC", "V", {1: pins}, {0: body}, fields=fields)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def controlled_source(fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    """A voltage-controlled voltage source (a diamond): output + (pin 1) on top, - (pin 2) below,
    the sensed inputs C+ (pin 3) and C- (pin 4) on its left, level with + and -."""
    pins = (Pin("1", "+", 0, 3.81, 270, 1.27), Pin("2", "-", 0, -3.81, 90, 1.27),
            Pin("3", "C+", -5.08, 3.81, 0, 2.54, "input"), Pin("4", "C-", -5.08, -3.81, 0, 2.54, "input"))
    body = (_line((0, 2.54), (2.54, 0), (0, -2.54), (-2.54, 0), (0, 2.54), fill="background"),
            _line((0, 1.905), (0, 0.635)), _line((-0.635, 1.27), (0.635, 1.27)), _line((-0.635, -1.27), (0.635, -1.27)))
    return Symbol("circuitnet:VCVS", "V", {1: pins}, {0: body}, fields=fields)


# Package pinouts (pins.UNIT_PINS, the parts' usual ones): per amplifier its (OUT, -, +)
# package pins, then the supply pins (V+, V-).
PINOUTS = {per_package: (tuple((str(unit["out"]), str(unit["-"]), str(unit["+"])) for unit in units.values()),
                         (str(SUPPLY_PINS[per_package]["V+"]), str(SUPPLY_PINS[per_package]["V-"])))
           for per_package, units in UNIT_PINS.items()}


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def opamp_package(name: str, per_package: int, fields: tuple[tuple[str, str], ...] = ()) -> Symbol:
    """An op-amp package of ``per_package`` amplifiers: units 1..n amplifiers (+ input above
    the - input, output on the right), unit n+1 its supply pins."""
    amplifiers, (v_plus, v_minus) = PINOUTS[per_package]
    units: dict[int, tuple[Pin, ...]] = {}
    for index, (out, minus, plus) in enumerate(amplifiers):
        units[index + 1] = (Pin(plus, "+", -7.62, 2.54, 0, 2.54, "input"),
                            Pin(minus, "-", -7.62, -2.54, 0, 2.54, "input"),
                            Pin(out, "OUT", 7.62, 0, 180, 2.54, "output"))
    supply = len(amplifiers) + 1
    units[supply] = (Pin(v_plus, "V+", -2.54, 7.62, 270, 3.81, "power_in"),
                     Pin(v_minus, "V-", -2.54, -7.62, 90, 3.81, "power_in"))
    triangle = _line((-5.08, 5.08), (5.08, 0), (-5.08, -5.08), (-5.08, 5.08), fill="background")
    graphics = {unit: (triangle,) for unit in range(1, supply)}
    graphics[supply] = (_rectangle(-5.08, -3.81, 0, 3.81, fill="background"),)
    return Symbol(f"circuitnet:{name}", "U", units, graphics, fields=fields)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def power_port(net: str) -> Symbol:
    """A power port that names net ``net`` on every sheet: ``GND`` drawn as ground, others as
    a bar above (positive) or below (negative) the point."""
    pins = {1: (Pin("1", net, 0, 0, 90 if net == "GND" or net.startswith("-") else 270, 0, "power_in"),)}
    drawing: tuple[tuple, ...]
    if net == "GND":
        drawing = (_line((0, 0), (0, -1.27), (1.27, -1.27), (0, -2.54), (-1.27, -1.27), (0, -1.27)),)
    elif net.startswith("-"):
        drawing = (_line((0, 0), (0, -1.27)), _line((-0.762, -1.27), (0.762, -1.27)))
    else:
        drawing = (_line((0, 0), (0, 1.27)), _line((-0.762, 1.27), (0.762, 1.27)))
    return Symbol(f"power:{net}", "#PWR", pins, {0: drawing}, power=True)


@functools.cache  # one Symbol per kind: a large sheet places 10^5 of them
def power_flag() -> Symbol:
    """KiCad's PWR_FLAG: tells ERC that a net is driven (a supply from off the sheet)."""
    pins = {1: (Pin("1", "pwr", 0, 0, 90, 0, "power_out"),)}
    drawing = (_line((0, 0), (0, 1.27), (-1.016, 1.905), (0, 2.54), (1.016, 1.905), (0, 1.27)),)
    return Symbol("power:PWR_FLAG", "#FLG", pins, {0: drawing}, power=True)
