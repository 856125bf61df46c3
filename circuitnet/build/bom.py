"""The parts list a person orders from: ``bom.csv``, grouped by part and value.

- resistors: one row per (value to buy, tolerance, power rating): the value of the coarsest
  E-series that holds every resistor exactly, else each value's nearest E96 (1 %) value (BUILD.md
  says what that changes); the rating is the smallest standard one at least ``POWER_MARGIN``
  times the worst dissipation computed in ngspice (``worst_case``);
- diodes by part number; op-amp ICs by package (units of a package share it); 100 nF
  decoupling capacitors, one per package per supply rail;
- the parts of the reference supply (``reference``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model.opamp_parts import OpAmpPart
from ..training.eseries import SERIES, TOLERANCE, series_values, snap
from ..util.csv_text import csv_text
from . import footprints
from .placement import Placement
from .reference import ReferenceDesign
from .values import engineering, part_value
from .worst_case import WorstCase

POWER_MARGIN = 2.0  # a resistor's rating is at least twice what it dissipates at the worst case
RATINGS_W = (0.125, 0.25, 0.5, 1.0, 2.0)
FALLBACK_SERIES = "E96"
COLUMNS = ["kind", "value", "series", "tolerance", "power rating", "worst dissipation", "package", "footprint",
           "count", "designators", "notes"]


@dataclass(frozen=True)
class ResistorChoice:
    """What is bought for each resistor: the series, and each designator's value to buy (ohms)."""

    series: str
    exact: bool  # every resistor is a value of ``series`` already
    value: dict[str, float]


def choose_values(placement: Placement) -> ResistorChoice:
    """The coarsest series every resistor is a value of, else the nearest E96 value of each."""
    parts = [p for p in placement.parts if p.element.part == "resistor"]
    ohms = np.array([float(p.element.value) for p in parts])
    low, high = (ohms.min(), ohms.max()) if len(ohms) else (1.0, 10.0)
    for name in SERIES:
        values = series_values(name, low, high)
        if len(ohms) and np.allclose(snap(ohms, values), ohms, rtol=1e-6, atol=0.0):
            return ResistorChoice(name, True, {p.designator: float(r) for p, r in zip(parts, ohms, strict=True)})
    snapped = snap(ohms, series_values(FALLBACK_SERIES, low / 2, high * 2))
    return ResistorChoice(FALLBACK_SERIES, False, {p.designator: float(r) for p, r in zip(parts, snapped, strict=True)})


def power_rating(watts: float) -> float:
    """The smallest standard rating at least POWER_MARGIN x ``watts`` (the largest if none is)."""
    return next((r for r in RATINGS_W if r >= POWER_MARGIN * watts), RATINGS_W[-1])


def resistor_footprints(placement: Placement, worst: WorstCase) -> dict[str, str]:
    """Designator -> footprint of every resistor, by its rating (``power_rating``)."""
    watts = worst.dissipation_w
    return {part.designator: footprints.resistor_footprint(power_rating(watts.get(part.element.name, 0.0)))
            for part in placement.parts if part.element.part == "resistor"}


def bom_rows(placement: Placement, worst: WorstCase, opamp: OpAmpPart, reference: ReferenceDesign) -> list[list]:
    """Every row of bom.csv (COLUMNS), resistors first."""
    choice = choose_values(placement)
    groups: dict[tuple, list] = {}
    for part in placement.parts:
        if part.element.part == "resistor":
            watts = worst.dissipation_w.get(part.element.name, 0.0)
            key = (choice.value[part.designator], power_rating(watts))
            groups.setdefault(key, []).append((part.designator, watts))
    tolerance = f"{100 * TOLERANCE[choice.series]:g}%"
    rows = []
    for (ohms, rating), members in sorted(groups.items()):
        footprint = footprints.resistor_footprint(rating)
        notes = [] if choice.exact else ["nearest E96 value; see BUILD.md"]
        if any(d[-1] in "AB" for d, _ in members):  # R12A, R12B: placement.designators
            notes.append("parts of series pairs: each RnA + RnB in series is one resistor of the circuit")
        rows.append(["resistor", engineering(ohms), choice.series, tolerance, f"{rating:g} W",
                     f"{max(w for _, w in members) * 1e3:.3g} mW", "axial " + footprint.split("_")[3], footprint,
                     len(members), " ".join(d for d, _ in members), "; ".join(notes)])
    diodes: dict[str, list[str]] = {}
    for part in placement.parts:
        if part.element.part == "diode":
            diodes.setdefault(part_value(part.element), []).append(part.designator)
    for name, members in diodes.items():
        rows.append(["diode", name, "", "", "", "", "DO-35", footprints.DIODE, len(members), " ".join(members), ""])
    packages = board_packages(placement, reference)
    dip = footprints.opamp_footprint(opamp.amplifiers_per_package)
    rows.append(["op-amp IC", opamp.name, "", "", "", "", footprints.short_name(dip).split("_")[0], dip,
                 len(packages), " ".join(packages), f"{opamp.amplifiers_per_package} amplifiers per package "
                 f"(also sold as {opamp.package})"])
    capacitors = [f"C{k + 1}" for k in range(2 * len(packages))]
    rows.append(["capacitor", "100nF", "", "10%", "50 V", "", "ceramic disc, X7R", footprints.CAPACITOR,
                 len(capacitors), " ".join(capacitors),
                 "decoupling: one from each package's V+ and one from its V- to ground, at the pins"])
    rows += reference.bom_rows()
    return rows


def package_designators(placement: Placement) -> list[str]:
    """U1, U2, ...: every op-amp package the circuit's units use, in order."""
    found: list[str] = []
    for part in placement.parts:
        if part.element.part == "opamp":
            package = part.designator.rstrip("ABCD")
            if package not in found:
                found.append(package)
    return found


def board_packages(placement: Placement, reference: ReferenceDesign) -> list[str]:
    """Every package on the board: the circuit's, then any the reference's two units add."""
    packages = package_designators(placement)
    return packages + [p for p in dict.fromkeys(u.rstrip("ABCD") for u in reference.units) if p not in packages]


def bom_csv(rows: list[list]) -> str:
    return csv_text(COLUMNS, rows)
