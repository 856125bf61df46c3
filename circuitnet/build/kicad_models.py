"""The SPICE models a KiCad schematic's symbols point to (their Sim.Library field): the
circuit's diode ``.model`` line and one subcircuit per op-amp package, written into one
library file next to the schematic.

The op-amp subcircuit holds the very model circuitnet simulates: each amplifier is the element
``circuit.opamp.element`` writes (a finite-gain E source, or the rail-limited B source), with
the package's pins as its nodes; the supply pins are on the subcircuit (the package has them)
and carry no current in the model, as in circuitnet's own netlist.
"""

from __future__ import annotations

import re

from ..errors import BuildError
from ..model.circuit import Circuit
from ..model.elements import Element
from .kicad_symbols import PINOUTS
from .pins import opamp_nodes

LIBRARY_FILE = "circuit.lib"


class KicadExportError(BuildError):
    """The circuit, or its placement, can't be drawn as a KiCad schematic that simulates as
    circuitnet does; the message says what and what to change."""


def subcircuit_name(package: str) -> str:
    """The subcircuit of an op-amp package (``CN_TL074``): letters, digits and _ only."""
    return "CN_" + re.sub(r"[^A-Za-z0-9]", "_", package).upper()


def package_pins(per_package: int) -> list[str]:
    """A package's pin numbers in order (the subcircuit's nodes)."""
    amplifiers, supply = PINOUTS[per_package]
    return sorted({pin for amplifier in amplifiers for pin in amplifier} | set(supply), key=int)


def opamp_terminals(circuit: Circuit, element: Element) -> tuple[str, str, str]:
    """(output, + input, - input) nodes of one of the circuit's op-amp elements, read from the
    element and checked against ``circuit.opamp.element``: the schematic's subcircuit is that
    model, so any other op-amp element would simulate differently."""
    try:
        out, plus, minus = opamp_nodes(element)
    except ValueError as error:
        raise KicadExportError(f"{error}; the KiCad schematic carries E and B source op-amps") from None
    if circuit.opamp.element(element.name[1:], out, plus, minus) != element:
        raise KicadExportError(f"op-amp element {element.name} ({element.line()}) is not this circuit's op-amp "
                               f"model ({circuit.opamp.kind}); the KiCad schematic's subcircuit could not "
                               "simulate it as circuitnet does")
    return out, plus, minus


def controlled_source_name(gain: str) -> str:
    """The subcircuit of a voltage-controlled voltage source of gain ``gain`` (its netlist text,
    ``-1``, ``25``): ``CN_VCVS_M1``, ``CN_VCVS_25`` (- as M, . as P: SPICE names' letters)."""
    return "CN_VCVS_" + re.sub(r"[^A-Za-z0-9]", "_", gain.replace("-", "M").replace(".", "P").replace("+", "")).upper()


def controlled_source_lines(gains: list[str]) -> list[str]:
    """One subcircuit per gain: nodes 1 2 (out +, -) and 3 4 (sensed +, -), as the symbol's pins."""
    lines = []
    for gain in sorted(set(gains)):
        name = controlled_source_name(gain)
        lines += [f"* an ideal amplifier of gain {gain} off the network (the board's is in BUILD.md)",
                  f".subckt {name} 1 2 3 4", f"E1 1 2 3 4 {gain}", f".ends {name}"]
    return lines


def library_text(circuit: Circuit, package: str, per_package: int, gains: list[str] = ()) -> str:
    """The library file: the diode model, the op-amp package's subcircuit and one subcircuit
    per controlled source gain of ``gains`` (``controlled_source_lines``)."""
    amplifiers, _ = PINOUTS[per_package]
    lines = [f"* SPICE models of the KiCad schematic of a circuitnet {circuit.topology} circuit",
             f"* diode: {circuit.diode.name} ({circuit.diode.source})",
             circuit.diode.model_line(),
             f"* op-amp package {package}: {per_package} amplifier(s), circuitnet's {circuit.opamp.kind} model "
             f"(gain {circuit.opamp.gain:g}); pins numbered as the package's",
             f".subckt {subcircuit_name(package)} {' '.join(package_pins(per_package))}"]
    for index, (out, minus, plus) in enumerate(amplifiers):
        lines.append(circuit.opamp.element(f"{'ABCD'[index]}", out, plus, minus).line())
    lines += [f".ends {subcircuit_name(package)}", *controlled_source_lines(list(gains)), ""]
    return "\n".join(lines)
