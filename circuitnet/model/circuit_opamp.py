"""A circuit with its op-amps made another part, or the same part on another supply: what
--opamp PART and --supply V do to the model a command reads (``interface.opamp_choice``), and
what ``build`` builds with (``build.writer``), so the checks and the files describe one circuit."""

from __future__ import annotations

from dataclasses import replace

from ..errors import UsageError
from .circuit import Circuit
from .opamp_parts import DEFAULT_SUPPLY_V, opamp_model, opamp_part, part_supply_rails


def circuit_with_opamp(circuit: Circuit, part: str | None, supply_v: float | None) -> Circuit:
    """``circuit`` with its op-amps made ``part`` on +-``supply_v`` volts (default 15); part
    None keeps the circuit's own part (moved to ``supply_v`` when given) or generic model."""
    if part is None and supply_v is None:
        return circuit
    if part is None:
        if circuit.opamp.part is None:
            raise UsageError("--supply sets a real op-amp's supply; this model's op-amp is the generic one: give "
                             "--opamp PART too")
        part = circuit.opamp.part
    elif supply_v is None and circuit.opamp.part is not None:
        # another part on the model's own supply
        supply_v = part_supply_rails(circuit.opamp, opamp_part(circuit.opamp.part))[1]
    chosen = opamp_model(part, DEFAULT_SUPPLY_V if supply_v is None else supply_v, circuit.opamp.gain)
    return replace(circuit, opamp=chosen)
