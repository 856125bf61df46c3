"""The registry of topologies: ``get_topology(name)``; every test runs over ``TOPOLOGIES``.

A new topology is one module with a ``Topology`` subclass, registered below.
"""

from __future__ import annotations

from ..errors import UnknownNameError
from ..model.elements import PARTS, Element, elements, lines
from .base import RealisationOptions, Topology
from .diode import DiodeTopology
from .passive import PassiveTopology
from .precision import PrecisionTopology
from .resistive import ResistiveTopology

TOPOLOGIES: dict[str, Topology] = {t.name: t for t in (PassiveTopology(), DiodeTopology(), PrecisionTopology(),
                                                       ResistiveTopology())}
# The topologies whose networks are built from op-amp summers and rectifiers. An energy-based
# one has no op-amp inside its network: its -x inputs and its output read-out are ideal
# controlled sources outside it (so no op-amp offsets, supply or output current to model).
TOPOLOGIES_WITH_OPAMPS = tuple(name for name, topology in TOPOLOGIES.items() if not topology.energy_based)


def get_topology(name: str) -> Topology:
    """The registered topology called ``name``."""
    try:
        return TOPOLOGIES[name]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"unknown topology {name!r}; choose one of {', '.join(TOPOLOGIES)}"
        ) from None


__all__ = ["TOPOLOGIES", "TOPOLOGIES_WITH_OPAMPS", "RealisationOptions", "Topology", "get_topology"]


def realise(net, topology: str, options: RealisationOptions | None = None, **settings):
    """The circuit that realises ReLUNet ``net`` in ``topology``.

    Settings are those of RealisationOptions (diode, opamp, volts_per_unit, v_ref, v_on,
    r_load, r_feedback, r_inverter, resistor_range), given as an options object or as keywords.
    """
    if options is not None and settings:
        raise TypeError("give either options or keyword settings, not both")
    return get_topology(topology).realise(net, options or RealisationOptions(**settings))


def read_back(circuit):
    """The ideal ReLUNet that a circuit's component values realise: in data units, or in circuit
    units for a circuit with data scaling (``circuit.data_scaling`` maps those to data units)."""
    return get_topology(circuit.topology).read_back(circuit)


def netlist_lines(circuit, input_volts=None, input_elements=None, temperature_c=None) -> list[str]:
    """The circuit's element, comment, model and option lines; see Topology.netlist."""
    return lines(get_topology(circuit.topology).netlist(circuit, input_volts, input_elements, temperature_c))


def circuit_elements(circuit, input_elements=None) -> list[Element]:
    """Every element of the circuit (resistors, diodes, op-amps, sources), in netlist order;
    ``input_elements`` replace the DC input sources, as in ``netlist_lines``."""
    return elements(get_topology(circuit.topology).netlist(circuit, None, input_elements))


def part_counts(circuit) -> dict[str, int]:
    """How many of each part (``model.elements.PARTS``: resistors, diodes, op-amps, sources)
    the circuit's netlist has, as its bill of materials lists them."""
    counts = dict.fromkeys(PARTS, 0)
    for element in circuit_elements(circuit):
        counts[element.part] = counts.get(element.part, 0) + 1
    return counts


__all__ += ["circuit_elements", "netlist_lines", "part_counts", "read_back", "realise"]
