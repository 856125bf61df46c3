"""Every amplifier a built board has, and so draws supply current for: not only the op-amps the
circuit's netlist simulates.

A board built with a real part (``circuitnet build``) has three kinds of amplifier:

- the circuit's own op-amps (its summers, inverters, rectifiers and any rail buffers), which
  the netlist simulates;
- the two of the +-V_ref reference (``build.reference``: a follower that drives the ``vref``
  rail and a unity inverter that makes ``vref_inv``), which the netlist models as ideal
  sources, placed after the circuit's last unit;
- the spare units of the last package: a TL074 holds four amplifiers, so 9 op-amps need
  3 packages, 12 amplifiers, and an idle amplifier draws its quiescent current like a busy one.

The fit report, ``compare``, ``transient`` and the bill of materials count the same board:
the netlist carries one quiescent-current source for each of these amplifiers
(``topologies.opamp_supply``), so ngspice's supply-source currents measure them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from .opamp_parts import OpAmpPart

# The op-amps of the +-V_ref reference that build puts on every board (build.reference: the
# follower and the unity inverter), taken from the circuit's own part after its last unit.
REFERENCE_UNITS = 2


@dataclass(frozen=True)
class BoardAmplifiers:
    """The amplifiers of a board built with one part.

    in_circuit: the circuit's op-amps (its netlist's); reference: the +-V_ref reference's
    (REFERENCE_UNITS, or 0 for a circuit without op-amps, which build does not draw);
    per_package: the part's amplifiers per package.
    """

    in_circuit: int
    reference: int
    per_package: int

    @property
    def used(self) -> int:
        """Amplifiers that do something: the circuit's and the reference's."""
        return self.in_circuit + self.reference

    @property
    def packages(self) -> int:
        """Packages on the board (the BOM's op-amp IC count)."""
        return -(-self.used // self.per_package)

    @property
    def total(self) -> int:
        """Every amplifier in those packages, the spare ones included: all draw supply current."""
        return self.packages * self.per_package

    @property
    def spare(self) -> int:
        """Unused units of the last package."""
        return self.total - self.used

    def supply_power_w(self, part: OpAmpPart, supply_v: float) -> float:
        """Their quiescent supply power, watts: total x the part's typical supply current per
        amplifier (A) x ``supply_v``, the total supply voltage V+ - V- (volts)."""
        return self.total * part.supply_current_typ_a * supply_v

    def to_dict(self) -> dict[str, int]:
        return {"in_circuit": self.in_circuit, "reference": self.reference, "spare": self.spare,
                "total": self.total, "packages": self.packages}


def board_amplifiers(in_circuit: int, part: OpAmpPart) -> BoardAmplifiers:
    """The board of a circuit with ``in_circuit`` op-amps built with ``part``."""
    return BoardAmplifiers(int(in_circuit), REFERENCE_UNITS if in_circuit > 0 else 0, part.amplifiers_per_package)


__all__ = ["REFERENCE_UNITS", "BoardAmplifiers", "board_amplifiers"]
