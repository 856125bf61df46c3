"""Standalone SPICE netlists: ``ngspice -b FILE.cir`` runs them unmodified and exits 0.

A netlist has a header that says what it is and how it was made, the circuit, one analysis
(a ``.dc`` sweep of the first input, or an operating point) and a ``.control`` block that
runs it, writes the results with ``wrdata`` and ends with ``quit 0`` (without it, batch
ngspice exits 1 even when every analysis succeeded).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from ...errors import UsageError
from ...model import nodes
from ...model.circuit import Circuit
from ...model.comments import array_text, comment_lines, header_lines
from ...model.devices import OpAmpKind
from ...model.sweep import Sweep, held_values
from ...topologies import circuit_elements, netlist_lines, read_back

# a wrdata file name the control language reads as one word: it splits words at spaces and
# takes quotes literally, so "my circuit.dat" would write to "my" (checked in ngspice 39 and 46)
_DATA_FILE = re.compile(r"^[A-Za-z0-9_+][A-Za-z0-9._+\-]*$")  # no leading - or .: not an option, not hidden


def data_file_for(netlist: str | os.PathLike) -> str:
    """The data file a netlist's control block writes, beside it: its file name with
    ``.dat``, every character the control language would split at or misread made ``_``
    (``my circuit.cir`` -> ``my_circuit.dat``)."""
    name = Path(netlist).with_suffix(".dat").name
    safe = re.sub(r"[^A-Za-z0-9._+\-]", "_", name)
    return "_" + safe if safe.startswith((".", "-")) else safe


def check_data_file(data_file: str) -> str:
    """``data_file``, if ngspice's ``wrdata`` reads it as the one bare file name it is;
    UsageError otherwise."""
    if not _DATA_FILE.match(data_file):
        raise UsageError(f"data file {data_file!r}: wrdata needs a bare file name of letters, digits and . _ + -, "
                         f"such as {data_file_for(data_file)!r}")
    return data_file


def result_columns(circuit: Circuit) -> list[str]:
    """Vectors the control block writes, in order (after the sweep's scale column):
    each input and output in data units (``x1_units``, ``y_units``) then in volts."""
    inputs = [nodes.input_node(k) for k in range(circuit.n_inputs)]
    outputs = [nodes.output_node(k, circuit.n_outputs) for k in range(circuit.n_outputs)]
    return [f"{node}_units" for node in inputs + outputs] + [f"v({node})" for node in inputs + outputs]


def netlist_text(circuit: Circuit, *, sweep: Sweep | None = None, inputs=None, data_file: str = "circuit.dat",
                 command: str = "circuitnet.netlist_text(...)") -> str:
    """The whole standalone netlist.

    sweep: sweep the first input over these data-unit values (``.dc``); other inputs stay at
        ``inputs`` (default: the sweep's held inputs). Without a sweep: one operating point at
        ``inputs`` (default: the middle of each input's training range, ``held_values``; 0
        for a circuit that records none).
    inputs: shape (n_inputs,), data units.
    data_file: where the control block's ``wrdata`` writes (relative to ngspice's working folder):
        a bare file name (``check_data_file``; ``data_file_for`` makes one from a netlist's path).
    command: the command that made the netlist, for the header.
    """
    s = circuit.volts_per_unit
    check_data_file(data_file)
    chosen = ""
    if inputs is None and sweep is not None:
        inputs = sweep.held_values(circuit.n_inputs)
    elif inputs is None:  # an operating point where every sweep holds an input (model.sweep.held_values)
        inputs = held_values(circuit.data_record, circuit.n_inputs)
        chosen = (" (no training range recorded)" if circuit.data_record is None
                  else " (the middle of each input's training range)")
    inputs = np.asarray(inputs, dtype=float)
    lines = _header(circuit, sweep, inputs, data_file, command, chosen)
    held = inputs if circuit.data_scaling is None else circuit.data_scaling.to_circuit(inputs[None, :])[0]
    lines += netlist_lines(circuit, held * s)
    lines.append("")
    if sweep is not None:
        source = "V" + nodes.input_node(0)
        start, stop, step, _ = circuit_sweep(circuit, sweep, inputs)
        lines += comment_lines(f"sweep of x1 from {sweep.start:g} to {sweep.stop:g} data units, {sweep.n} points, "
                               "in volts")
        lines.append(f".dc {source} {start * s:.17g} {stop * s:.17g} {step * s:.17g}")
    else:
        lines.append(".op")
    columns = result_columns(circuit)
    lets = [f"let {column} = {_in_data_units(circuit, column[:-len('_units')])}" for column in columns
            if column.endswith("_units")]
    lines += [*control_block(data_file, columns, lets), ".end"]
    return "\n".join(lines) + "\n"


def control_block(data_file: str, columns: list[str], lets: list[str] | None = None) -> list[str]:
    """The ``.control`` block of a standalone netlist: run its analysis, define ``lets``
    (control-language ``let`` lines), write ``columns`` after the scale column to
    ``data_file`` (15 digits, one scale column, a header of vector names) and ``quit 0``,
    without which batch ngspice exits 1 even when every analysis succeeded."""
    return [".control", "set wr_singlescale", "set wr_vecnames", "set numdgt=15", "run", *(lets or []),
            f"wrdata {data_file} {' '.join(columns)}", "quit 0", ".endc"]


def circuit_sweep(circuit: Circuit, sweep: Sweep, held=None) -> tuple[float, float, float, np.ndarray]:
    """(start, stop, step of input 1, every input's held value (n_inputs,)) in circuit units,
    for a sweep in data units with the other inputs at ``held`` data units (default: the
    sweep's own held inputs)."""
    held = sweep.held_values(circuit.n_inputs) if held is None else np.asarray(held, dtype=float)
    scaling = circuit.data_scaling
    if scaling is None:
        return sweep.start, sweep.stop, sweep.step, held
    return (*scaling.sweep_to_circuit(sweep.start, sweep.stop, sweep.n), scaling.to_circuit(held[None, :])[0])


def _in_data_units(circuit: Circuit, node: str) -> str:
    """The control-language expression of a node's voltage in the user's data units."""
    s = circuit.volts_per_unit
    plain = f"v({node})/{s:.17g}"
    scaling = circuit.data_scaling
    if scaling is None:
        return plain
    inputs = [nodes.input_node(k) for k in range(circuit.n_inputs)]
    if node in inputs:
        offset, scale = scaling.x_offset[inputs.index(node)], scaling.x_scale[inputs.index(node)]
    else:
        outputs = [nodes.output_node(k, circuit.n_outputs) for k in range(circuit.n_outputs)]
        offset, scale = scaling.y_offset[outputs.index(node)], scaling.y_scale[outputs.index(node)]
    return f"{offset:.17g} + {scale:.17g}*{plain}"


def _scaling_text(circuit: Circuit) -> str:
    """What maps to what: data units -> circuit units -> volts, per input and output when the
    circuit has a data scaling (its training range shown, when it records one)."""
    volts = circuit.volts_per_unit
    if circuit.data_scaling is None:
        return f"{volts:g} V per data unit (no data scaling: data units are circuit units, for every signal)"
    scaling, record = circuit.data_scaling, circuit.data_record
    inputs = [f"x{k + 1}" for k in range(circuit.n_inputs)] if record is None else list(record.input_names)
    outputs = [f"y{j + 1}" for j in range(circuit.n_outputs)] if record is None else list(record.output_names)
    parts = []
    for k, (name, offset, scale) in enumerate(zip(inputs, scaling.x_offset, scaling.x_scale, strict=True)):
        mapping = f"input {name}: (data - {offset:.6g}) / {scale:.6g} circuit units, x {volts:g} V per unit"
        if record is not None:
            low, high = record.input_low[k], record.input_high[k]
            mapping += (f" (its training range {low:.6g} .. {high:.6g} data units -> {(low - offset) / scale:.4g} .. "
                        f"{(high - offset) / scale:.4g} units -> {volts * (low - offset) / scale:.4g} .. "
                        f"{volts * (high - offset) / scale:.4g} V)")
        parts.append(mapping)
    parts += [f"output {name}: data = {offset:.6g} + {scale:.6g} x circuit units ({volts:g} V per unit)"
              for name, offset, scale in zip(outputs, scaling.y_offset, scaling.y_scale, strict=True)]
    return f"{volts:g} V per circuit unit (activations); data scaling per signal: " + "; ".join(parts)


def _pair_texts(circuit: Circuit) -> list[str]:
    """The header's lines naming each resistor that is two E-series parts in series (the
    netlist writes their sum as one resistor); none for a circuit without pairs."""
    if circuit.series_pairs is None:
        return []
    found = []
    for element in circuit_elements(circuit):
        # a resistor's value is its ohms (Element.value is text only for the other parts)
        parts = circuit.series_pairs.parts(float(element.value)) if element.part == "resistor" else None
        if parts is not None:
            found.append(f"*   {element.name} = {parts[0]:.6g} + {parts[1]:.6g} ohm")
    if not found:
        return []
    return [f"series pairs ({circuit.series_pairs.series}): each resistor below is two parts in series, "
            f"written as one resistor of their sum:", *found]


def _header(circuit: Circuit, sweep: Sweep | None, inputs: np.ndarray, data_file: str, command: str,
            chosen: str = "") -> list[str]:
    """The header's comment lines: what the circuit is, how it was made and how to run it
    (``header_lines``: arrays and paths can make text of any length, and it stays comment).
    chosen: why an operating point's inputs are where they are, e.g. " (the middle of each
    input's training range)"."""
    net = read_back(circuit)
    hidden = ", ".join(str(h) for h in circuit.hidden_sizes) or "none"
    analysis = (f".dc sweep of x1 over {sweep} (START:STOP:N, data units)" if sweep is not None
                else "operating point")
    if sweep is None:  # an operating point holds every input, input 1 too
        held = f"; inputs at {array_text(inputs)} data units{chosen}"
    else:
        held = "" if circuit.n_inputs == 1 else f"; other inputs held at {array_text(inputs[1:])}"
    title = (f"circuitnet netlist: {circuit.topology} topology, {circuit.n_inputs} input(s), hidden layers "
             f"[{hidden}], {circuit.n_outputs} output(s)")
    texts = [
        (f"scaling: {_scaling_text(circuit)}; v_ref = {circuit.v_ref:g} V; diode drop absorbed by biases "
         f"v_on = {circuit.v_on:.6g} V"),
        f"devices: diode {circuit.diode.name}; op-amp "
        + (f"{circuit.opamp.part}: " if circuit.opamp.part is not None else "")
        + f"{circuit.opamp.kind}, gain {circuit.opamp.gain:g}"
        + (f", rails {circuit.opamp.v_neg:g}..{circuit.opamp.v_pos:g} V"
           if circuit.opamp.kind == OpAmpKind.RAIL_LIMITED else ""),
    ]
    if circuit.data_scaling is not None:
        texts.append("data scaling (fit chose it: the data reach beyond the circuit's window); the network "
                     "below is in circuit units, and these give the data units:")
        texts += [f"*   {line}" for line in circuit.data_scaling.describe()]
    texts += _pair_texts(circuit)
    units = "data units" if circuit.data_scaling is None else "circuit units"  # read_back's: see its scaling
    texts.append(f"ideal network ({units}), read back from the component values; hidden layers use ReLU:")
    for index, layer in enumerate(net.layers):
        kind = "hidden" if index < len(net.layers) - 1 else "output"
        texts.append(f"*   layer {index + 1} ({kind}): weights {array_text(layer.weights)} "
                     f"biases {array_text(layer.biases)}")
    texts += [
        f"analysis: {analysis}{held}",
        (f"run: ngspice -b THIS_FILE  -> writes {data_file}: the sweep in volts, then "
         f"{' '.join(result_columns(circuit))}"),
        ("nodes: x1.. inputs, x1_inv inverted rails, lLnJ_sum/_a/_s/_o/_h neuron J of layer L "
         "(summer junction, pre-activation, passive node, superdiode op-amp, rectifier output), y output (volts)"),
    ]
    return header_lines(title, command, texts)
