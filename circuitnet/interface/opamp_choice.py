"""--opamp PART and --supply V on a command that reads a model file: the circuit it works on.

A model keeps the op-amp it was fit with (``devices.opamp`` in the model file, with ``part``
where it was a real one). --opamp builds the same circuit with another part (its rails on its
supply, its supply current in the power figures); --supply moves the part's supply. Without
either the model's own op-amp is used, the generic finite-gain model for most model files.
"""

from __future__ import annotations

from dataclasses import replace

from ..errors import UsageError
from ..model.circuit import Circuit
from ..model.dynamics import OpAmpDynamics, opamp_dynamics
from ..model.opamp_parts import DEFAULT_SUPPLY_V, opamp_model, opamp_part, part_supply_rails

GENERIC_DYNAMICS = "TL072"  # the generic op-amp's transient dynamics, as before parts existed


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


def circuit_from_flags(circuit: Circuit, args) -> Circuit:
    """``circuit_with_opamp`` with a command's --opamp and --supply."""
    return circuit_with_opamp(circuit, args.opamp, args.supply)


def transient_dynamics(circuit: Circuit, rails_v: float | None = None) -> OpAmpDynamics:
    """The dynamics of a transient run of ``circuit``: its part's, or TL072's for the generic
    op-amp; ``rails_v`` (transient --rails) clamps the outputs at +-rails_v. A part's outputs
    are not clamped at its rails by default: the DC limits check already refuses a circuit
    that reaches them, and a clamp made ngspice's transient Newton iterations two to many
    times slower on the digits classifier (measured: 12.8 s against 6.1 s for 3 steps, and
    20 steps did not finish in 300 s on a loaded machine) for the same energies."""
    rails = None if rails_v is None else (-rails_v, rails_v)
    return opamp_dynamics(circuit.opamp.part or GENERIC_DYNAMICS, rails)
