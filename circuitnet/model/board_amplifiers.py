"""Every amplifier a built board has, and so draws supply current for: not only the op-amps the
circuit's netlist simulates. THE one inventory: the fit report's ``opamps`` section, the
netlist's quiescent supply sources (so compare's and transient's supply power), the fit's
bom.csv, and ``circuitnet build``'s bom.csv and BUILD.md all count from it.

A board built with a real part (``circuitnet build``) has these amplifiers, in this order of
their units (``build`` gives them designators in the same order):

- ``in_circuit``: the circuit's own op-amps (its summers, inverters, rectifiers and any rail
  buffers), which the netlist simulates;
- ``reference``: the two of the +-V_ref reference (``build.reference``: a follower that drives
  the ``vref`` rail and a unity inverter that makes ``vref_inv``); the netlist has ideal sources;
- ``rail_inverters``: the resistive topology's unity inverter per ``-x`` rail (its netlist's
  ideal ``ExK_inv`` sources; ``build.resistive_rails``);
- ``bias_followers``: the follower that makes its diodes' bias rail (the netlist's ``Vvdiode``);
- ``input_stages``: two units (an inverting summer and a unity inverter) per input whose data
  scaling is not 1 V per data unit (``model.input_stage``), in front of the circuit;
- ``readouts``: per output read across a node pair (the resistive topology's ``Ey``
  sources), a follower on each node of the pair and a difference amplifier
  (``UNITS_PER_READOUT``), so that the output is a voltage against ground as simulated and
  nothing loads the network;
- ``spare``: the unused units of the last package: a TL074 holds four amplifiers, and an
  idle amplifier draws its quiescent current like a busy one.

Only ``in_circuit`` is simulated as an amplifier; every other one is only counted: its power
is its quiescent supply current x the supply voltage (the netlist carries one quiescent-current
source per amplifier, ``topologies.opamp_supply``, so ngspice's supply currents include them).
"""

from __future__ import annotations

from dataclasses import dataclass

from .circuit import Circuit
from .elements import Element
from .input_stage import input_stages
from .opamp_parts import OpAmpPart

# The op-amps of the +-V_ref reference that build puts on every board (build.reference: the
# follower and the unity inverter), taken from the circuit's own part after its last unit.
REFERENCE_UNITS = 2
UNITS_PER_INPUT_STAGE = 2  # an inverting summer, then a unity inverter (model.input_stage)
UNITS_PER_READOUT = 3  # two followers (the pair's nodes), then a difference amplifier (build.board_stages)
BIAS_SOURCE = "Vvdiode"  # the resistive topology's diode bias source, made by a follower

# Each role that is only counted (not simulated): (field, the quiescent sources' name stem, words)
# (words read after the count: "2 for the +-V_ref reference", "1 spare in the last package")
COUNTED_ROLES = (("reference", "ref", "for the +-V_ref reference"),
                 ("rail_inverters", "rail", "for the -x rail inverters"),
                 ("bias_followers", "bias", "for the diode-bias follower"),
                 ("input_stages", "input", "for the input stages (data scaling)"),
                 ("readouts", "readout", "for the output readouts (followers and difference amplifiers)"),
                 ("spare", "spare", "spare in the last package"))


@dataclass(frozen=True)
class BoardAmplifiers:
    """The amplifiers of a board built with one part, by role (see the module docstring);
    per_package: the part's amplifiers per package. Every count is of amplifiers (units)."""

    in_circuit: int
    reference: int
    per_package: int
    rail_inverters: int = 0
    bias_followers: int = 0
    input_stages: int = 0
    readouts: int = 0

    @property
    def used(self) -> int:
        """Amplifiers that do something: every role but the spare units."""
        return (self.in_circuit + self.reference + self.rail_inverters + self.bias_followers + self.input_stages
                + self.readouts)

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

    @property
    def counted_only(self) -> int:
        """Amplifiers that are not simulated as such, only counted (quiescent current x supply)."""
        return self.total - self.in_circuit

    def counted_roles(self) -> list[tuple[str, int, str]]:
        """(name stem, count, words) of each role that is only counted and has any amplifier."""
        return [(stem, getattr(self, name), words) for name, stem, words in COUNTED_ROLES if getattr(self, name)]

    def supply_power_w(self, part: OpAmpPart, supply_v: float) -> float:
        """Their quiescent supply power, watts: total x the part's typical supply current per
        amplifier (A) x ``supply_v``, the total supply voltage V+ - V- (volts)."""
        return self.total * part.supply_current_typ_a * supply_v

    def describe(self) -> str:
        """'18 amplifiers in 5 packages: 11 in the circuit (simulated); counted only: 2 for
        the +-V_ref reference, 4 for the input stages (data scaling), 1 spare in the last package'."""
        counted = ", ".join(f"{count} {words}" for _, count, words in self.counted_roles())
        return (f"{self.total} amplifiers in {self.packages} packages: {self.in_circuit} in the circuit (simulated)"
                + (f"; counted only (quiescent current x supply): {counted}" if counted else ""))

    def to_dict(self) -> dict[str, int]:
        return {"in_circuit": self.in_circuit, "reference": self.reference, "rail_inverters": self.rail_inverters,
                "bias_followers": self.bias_followers, "input_stages": self.input_stages,
                "readouts": self.readouts, "spare": self.spare, "used": self.used, "total": self.total,
                "counted_only": self.counted_only, "packages": self.packages}


def board_inventory(circuit: Circuit, elements: list[Element], part: OpAmpPart) -> BoardAmplifiers:
    """Every amplifier of ``circuit``'s board built with ``part``; ``elements``: its netlist's
    elements (``topologies.circuit_elements``), whose op-amps, inverted-rail sources (an E
    source sensing a node against ground) and pair readouts (an E source sensing a node pair)
    are counted."""
    controlled = [e for e in elements if e.part == "source" and e.name[:1].upper() == "E" and len(e.nodes) == 4]
    return BoardAmplifiers(
        in_circuit=sum(e.part == "opamp" for e in elements), reference=REFERENCE_UNITS,
        per_package=part.amplifiers_per_package,
        rail_inverters=sum(e.nodes[3] == "0" for e in controlled),
        bias_followers=sum(e.name == BIAS_SOURCE for e in elements),
        input_stages=UNITS_PER_INPUT_STAGE * sum(stage.needed for stage in input_stages(circuit)),
        readouts=UNITS_PER_READOUT * sum(e.nodes[3] != "0" for e in controlled))


def board_driven_sources(circuit: Circuit, elements: list[Element]) -> frozenset[str]:
    """Names of the netlist's ideal sources that a board amplifier makes (the +-V_ref rails, a
    resistive circuit's -x rails and diode bias, each input with an input stage), so that the
    current each delivers is drawn from the op-amps' supply: every source in ``elements``
    (``topologies.circuit_elements``) but an input without a stage, which is the user's own
    signal, and a readout, which senses a node pair and drives nothing of the network."""
    unstaged = {stage.node for stage in input_stages(circuit) if not stage.needed}  # whatever its source's kind
    return frozenset(e.name for e in elements if e.part == "source" and e.nodes[0] not in unstaged
                     and not (e.name[:1].upper() == "E" and len(e.nodes) == 4 and e.nodes[3] != "0"))


__all__ = ["BIAS_SOURCE", "COUNTED_ROLES", "REFERENCE_UNITS", "UNITS_PER_INPUT_STAGE", "UNITS_PER_READOUT",
           "BoardAmplifiers", "board_driven_sources", "board_inventory"]
