"""Node names shared by the netlist builder and every backend that reads node voltages.

Names show the structure: ``x1`` is input 1 and ``x1_inv`` its inverted rail; ``l1n3_a`` is
layer 1 neuron 3's pre-activation, ``l1n3_h`` its rectifier output; ``y`` is the network
output (``y1``, ``y2``... with several outputs). Indices in names are 1-based; ngspice
lowercases every name, so all names here are lowercase already.
"""

from __future__ import annotations

REF = "vref"


def inverted(node: str) -> str:
    """The inverted rail of a node (the output of its unity inverter)."""
    return f"{node}_inv"


def input_node(index: int) -> str:
    """Input ``index`` (0-based) -> ``x1``, ``x2``, ..."""
    return f"x{index + 1}"


def neuron(stage: int, unit: int, role: str) -> str:
    """Hidden neuron node, 0-based stage and unit.

    role: ``sum`` (summer's virtual ground), ``a`` (pre-activation, summer output),
    ``s`` (passive pre-activation node), ``o`` (superdiode op-amp output),
    ``h`` (rectifier output).
    """
    return f"l{stage + 1}n{unit + 1}_{role}"


def output_node(unit: int, n_outputs: int) -> str:
    """The network output: ``y`` for a single output, else ``y1``, ``y2``, ..."""
    return "y" if n_outputs == 1 else f"y{unit + 1}"


def stage_inputs(stage: int, n_in: int) -> list[str]:
    """The signal nodes that feed stage ``stage`` (0-based): inputs or previous rectifier outputs."""
    if stage == 0:
        return [input_node(k) for k in range(n_in)]
    return [neuron(stage - 1, k, "h") for k in range(n_in)]
