"""The op-amps' lines in the reports' power sections: their share of the power, or that it is not
included (the generic model). The op-amp section itself is ``backends.opamp_summary``."""

from __future__ import annotations

from ..analysis.compare_results import PowerFigures
from ..util.power_text import power_text


def opamp_power_rows(power: PowerFigures) -> list[dict]:
    """Rows of the static-power table for the op-amps' supply and output stages (compare's
    ``power`` figures), or one row saying they are not included."""
    if power.opamp_supply is None or power.opamp_output_stage is None:
        return [{"where": power.opamp_supply_note or "op-amp supply not included", "max_w": None, "mean_w": None}]
    return [{"where": "op-amp supply (quiescent, and the LM4040 reference feed)", **power.opamp_supply.to_dict()},
            {"where": "op-amp output stages", **power.opamp_output_stage.to_dict()}]


def opamp_power_line(power: PowerFigures) -> str:
    """One summary line on the op-amps' share of the static power."""
    if power.opamp_supply is None or power.opamp_output_stage is None:
        return power.opamp_supply_note or "op-amp supply not included"
    return (f"op-amp supply {power_text(power.opamp_supply.mean_w)} (quiescent, and the reference's feed) and "
            f"{power_text(power.opamp_output_stage.mean_w)} in the output stages, in the total")


def opamp_line(opamps: dict) -> str:
    """'op-amps: <model>; 133 op-amps in the circuit; the board: 136 amplifiers in 68 packages:
    133 in the circuit (simulated); counted only (quiescent current x supply): 2 for the +-V_ref
    reference, 1 spare; 5.71 W quiescent supply' (a report's ``opamps`` section,
    ``backends.opamp_summary``)."""
    board = opamps.get("board")
    on_board = "" if not board else f"; the board: {board}"
    supply = (f"; {opamps['supply_power_w']:.4g} W quiescent supply"
              if opamps.get("supply_power_w") is not None else f"; {opamps.get('note')}")
    return f"op-amps: {opamps['model']}; {opamps['count']} op-amps in the circuit{on_board}{supply}"


def inference_power_note(power: dict) -> str:
    """What a classifier's static power while inferring includes."""
    if power.get("opamp_supply_w") is None:
        return "from every input and reference source and the op-amp outputs; op-amp supply not included " \
               "(generic op-amp; give --opamp PART)"
    return (f"from every source and the op-amps' supply: {power['opamp_supply_w']:.4g} W of it is the op-amps' "
            "quiescent supply, the rest the signal currents and the output stages")
