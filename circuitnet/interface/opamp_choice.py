"""--opamp PART and --supply V on a command that reads a model file: the circuit it works on.

A model keeps the op-amp it was fit with (``devices.opamp`` in the model file, with ``part``
where it was a real one). --opamp builds the same circuit with another part (its rails on its
supply, its supply current in the power figures); --supply moves the part's supply. Without
either the model's own op-amp is used, the generic finite-gain model for most model files.
"""

from __future__ import annotations

from ..model.circuit import Circuit
from ..model.circuit_opamp import circuit_with_opamp
from ..model.dynamics import OpAmpDynamics, opamp_dynamics

__all__ = ["circuit_from_flags", "circuit_with_opamp", "transient_dynamics"]

GENERIC_DYNAMICS = "TL072"  # the generic op-amp's transient dynamics, as before parts existed


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
