"""What every report says about its op-amps: which model it used, how many op-amps and
packages, and their quiescent supply power (or that it is not included, for the generic model).

In backends, below training, so that ``simulate`` prints it without importing the training
package at start-up (tests/test_startup.py); fit, measure and compare use the same one."""

from __future__ import annotations

from ..model.board_amplifiers import board_inventory
from ..model.circuit import Circuit
from ..model.opamp_parts import describe_opamp, opamp_part, part_supply_rails
from ..topologies import circuit_elements
from .spice.power import OPAMP_SUPPLY_NOT_MODELLED


def opamp_summary(circuit: Circuit) -> dict[str, str | int | float | dict | None]:
    """The op-amp section of a report: ``model`` (one line naming it), ``part`` (or None),
    ``count`` (op-amps in the netlist), and for a real part the board it is built on
    (``model.board_amplifiers``, as the bill of materials lists it): ``packages``,
    ``amplifiers`` (each role's count: in_circuit, reference, rail_inverters, bias_followers,
    input_stages, readouts, spare; and used, total, counted_only, packages), ``board`` (one
    line: which are simulated and which only counted) and ``supply_power_w``, the quiescent
    supply power of every amplifier of the board: total x typical supply current x total
    supply voltage, watts. For the
    generic model these are None, with ``note`` saying the supply is not included."""
    elements = circuit_elements(circuit)
    count = sum(element.part == "opamp" for element in elements)
    opamp = circuit.opamp
    found: dict[str, str | int | float | dict | None] = {
        "model": describe_opamp(opamp), "part": opamp.part, "count": count, "packages": None, "amplifiers": None,
        "board": None, "supply_power_w": None, "note": OPAMP_SUPPLY_NOT_MODELLED}
    if opamp.part is not None:
        part = opamp_part(opamp.part)
        v_minus, v_plus = part_supply_rails(opamp, part)
        board = board_inventory(circuit, elements, part)
        found.update(packages=board.packages, amplifiers=board.to_dict(), board=board.describe(), note=None,
                     supply_power_w=board.supply_power_w(part, v_plus - v_minus))
    return found
