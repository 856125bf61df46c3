"""What every report says about its op-amps: which model it used, how many op-amps and
packages, and their share of the power (or that it is not included, for the generic model)."""

from __future__ import annotations

from ..model.circuit import Circuit
from ..model.opamp_parts import describe_opamp, opamp_part, supply_volts
from ..topologies import part_counts


def opamp_summary(circuit: Circuit) -> dict:
    """The op-amp section of a report: ``model`` (one line naming it), ``part`` (or None),
    ``count`` (op-amps in the netlist), ``packages`` (of the part; None for the generic model)
    and ``supply_power_w``: the quiescent supply power of all of them, count x typical supply
    current x total supply voltage, watts (None for the generic model, with ``note`` saying
    it is not included)."""
    from ..backends.spice.power import OPAMP_SUPPLY_NOT_MODELLED
    count = part_counts(circuit)["opamp"]
    opamp = circuit.opamp
    found = {"model": describe_opamp(opamp), "part": opamp.part, "count": count, "packages": None,
             "supply_power_w": None, "note": OPAMP_SUPPLY_NOT_MODELLED}
    if opamp.part is not None:
        part = opamp_part(opamp.part)
        found.update(packages=part.packages_for(count), note=None,
                     supply_power_w=count * part.supply_current_typ_a * supply_volts(opamp))
    return found


def opamp_power_rows(power: dict) -> list[dict]:
    """Rows of the static-power table for the op-amps' supply and output stages (compare's
    ``power`` numbers), or one row saying they are not included."""
    if power.get("opamp_supply") is None:
        return [{"where": power.get("opamp_supply_note") or "op-amp supply not included", "max_w": None,
                 "mean_w": None}]
    return [{"where": "op-amp supply (quiescent)", **power["opamp_supply"]},
            {"where": "op-amp output stages", **power["opamp_output_stage"]}]


def opamp_power_line(power: dict) -> str:
    """One summary line on the op-amps' share of the static power."""
    if power.get("opamp_supply") is None:
        return power.get("opamp_supply_note") or "op-amp supply not included"
    return (f"op-amp supply {1e3 * power['opamp_supply']['mean_w']:.3g} mW (quiescent) and "
            f"{1e3 * power['opamp_output_stage']['mean_w']:.3g} mW in the output stages, in the total")
