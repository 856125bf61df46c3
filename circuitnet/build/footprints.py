"""The through-hole footprint of each part, by the name KiCad's standard footprint libraries
give it (``Library:Footprint``), so that the KiCad schematic can go to a PCB as it is and
``bom.csv`` says which package to buy: parts a hobbyist solders or plugs into a breadboard.

- resistors: axial DIN 0207 (1/4 W, the usual metal-film size) up to DIN 0617 (2 W), by the
  power rating ``bom.power_rating`` chose; 0.4 inch (10.16 mm) pitch for the 1/4 W part;
- diodes: DO-35 (1N4148, 1N914 and most small-signal diodes);
- op-amps: DIP-8 for singles and duals, DIP-14 for quads, 0.3 inch (7.62 mm) rows;
- decoupling capacitors: 5 mm ceramic discs at 5 mm pitch;
- the LM4040 reference: TO-92, its through-hole package;
- a simulation source (an input, a reference rail, the bench supply): a 2-pin header, where
  that signal comes onto the board; a controlled source (the resistive topology's -x rails
  and readouts), a 4-pin one: its output and the pair it senses.

Every name was checked against KiCad's footprint library (KiCad/kicad-footprints); where the
libraries are installed (``KICAD_FOOTPRINTS``), ``missing_footprints`` checks them there.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import BuildError

KICAD_FOOTPRINTS = Path("/usr/share/kicad/footprints")  # Debian's kicad-footprints package
# (largest rating in watts, footprint): the smallest body that takes the rating
RESISTORS = ((0.25, "Resistor_THT:R_Axial_DIN0207_L6.3mm_D2.5mm_P10.16mm_Horizontal"),
             (0.5, "Resistor_THT:R_Axial_DIN0309_L9.0mm_D3.2mm_P12.70mm_Horizontal"),
             (1.0, "Resistor_THT:R_Axial_DIN0414_L11.9mm_D4.5mm_P15.24mm_Horizontal"),
             (2.0, "Resistor_THT:R_Axial_DIN0617_L17.0mm_D6.0mm_P20.32mm_Horizontal"))
DIODE = "Diode_THT:D_DO-35_SOD27_P7.62mm_Horizontal"
CAPACITOR = "Capacitor_THT:C_Disc_D5.0mm_W2.5mm_P5.00mm"
REFERENCE = "Package_TO_SOT_THT:TO-92_Inline"
SOURCE = "Connector_PinHeader_2.54mm:PinHeader_1x02_P2.54mm_Vertical"
CONTROLLED_SOURCE = "Connector_PinHeader_2.54mm:PinHeader_1x04_P2.54mm_Vertical"  # its output and sensed pairs
DIP = {8: "Package_DIP:DIP-8_W7.62mm", 14: "Package_DIP:DIP-14_W7.62mm"}


def resistor_footprint(rating_w: float = 0.25) -> str:
    """The axial footprint of a resistor of ``rating_w`` watts."""
    for largest, footprint in RESISTORS:
        if rating_w <= largest * (1 + 1e-9):
            return footprint
    raise BuildError(f"a resistor rated {rating_w:g} W has no axial footprint here (2 W at most); "
                     "lower the circuit's currents (larger resistor_range) or mount a power resistor off the board")


def opamp_footprint(amplifiers_per_package: int) -> str:
    """DIP-8 for a single or dual op-amp, DIP-14 for a quad."""
    return DIP[8 if amplifiers_per_package <= 2 else 14]


def short_name(footprint: str) -> str:
    """``Package_DIP:DIP-14_W7.62mm`` -> ``DIP-14_W7.62mm`` (the package, as a parts list names it)."""
    return footprint.split(":", 1)[-1]


def missing_footprints(footprints: Iterable[str], libraries: Path = KICAD_FOOTPRINTS) -> list[str]:
    """The footprints of ``footprints`` that the installed libraries lack (each is a file
    ``Library.pretty/Footprint.kicad_mod``); empty where the libraries are not installed."""
    if not libraries.is_dir():
        return []
    return sorted({name for name in footprints
                   if not (libraries / f"{name.split(':')[0]}.pretty" / f"{name.split(':')[1]}.kicad_mod").is_file()})
