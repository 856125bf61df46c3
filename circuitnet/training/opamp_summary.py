"""What every report says about its op-amps: which model it used, how many op-amps and
packages, and their quiescent supply power (or that it is not included, for the generic model)."""

from __future__ import annotations

from ..backends.spice.power import OPAMP_SUPPLY_NOT_MODELLED
from ..model.circuit import Circuit
from ..model.opamp_parts import describe_opamp, opamp_part, part_supply_rails
from ..topologies import part_counts


def opamp_summary(circuit: Circuit) -> dict[str, str | int | float | None]:
    """The op-amp section of a report: ``model`` (one line naming it), ``part`` (or None),
    ``count`` (op-amps in the netlist), ``packages`` (of the part; None for the generic model)
    and ``supply_power_w``: the quiescent supply power of all of them, count x typical supply
    current x total supply voltage, watts (None for the generic model, with ``note`` saying
    it is not included)."""
    count = part_counts(circuit)["opamp"]
    opamp = circuit.opamp
    found: dict[str, str | int | float | None] = {
        "model": describe_opamp(opamp), "part": opamp.part, "count": count, "packages": None,
        "supply_power_w": None, "note": OPAMP_SUPPLY_NOT_MODELLED}
    if opamp.part is not None:
        part = opamp_part(opamp.part)
        v_minus, v_plus = part_supply_rails(opamp, part)
        found.update(packages=part.packages_for(count), note=None,
                     supply_power_w=count * part.supply_current_typ_a * (v_plus - v_minus))
    return found
