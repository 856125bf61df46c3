"""Model files: a circuit as JSON, written atomically, read as untrusted input.

Format ``circuitnet-model`` version 1::

    {"format": "circuitnet-model", "version": 1, "topology": "diode",
     "network": {"layers": [{"weights": [[...]], "biases": [...]}, ...]},
     "scaling": {"volts_per_unit": 1.0, "v_ref": 1.0, "v_on": 0.49},
     "devices": {"diode": {"name": "1N4148", "params": {"IS": ..., ...}},
                 "opamp": {"kind": "finite_gain", "gain": 100000.0, "v_pos": 15.0, "v_neg": -15.0}},
     "components": {"resistor_range": [1000.0, 1000000.0], "r_inverter": 10000.0,
                    "stages": [{"r_plain": [[...]], "r_inverted": [[...]], ...}, ...]}}

Optional keys: ``data_scaling`` (how data units map onto circuit units, see
``model.scaling``), ``series_pairs`` (resistors made of two E-series parts, see
``series_pairs_file``) and ``data`` (what the circuit was trained on, see
``model.data_record``)::

     "data": {"input_names": ["x"], "output_names": ["y"], "input_low": [0.0], "input_high": [5.0],
              "class_labels": ["setosa", "versicolor", "virginica"]}

``class_labels`` only for a classifier (one per output); input names are distinct.
``fit_rows`` (optional): a digest of each row that trained or validated the model
(``model.fit_rows``), so compare can tell held-out data from the fit's own. A file without
``data`` (every file written before it existed) loads as a circuit with no record; one without
``fit_rows`` as a record whose rows are not known.

``network`` is the ideal network (data units; weights of shape (n_out, n_in); hidden layers
are followed by ReLU, the last is linear) read back from the component values. The
component values define the circuit; on load, ``network`` must agree with them.
Resistances are ohms; ``null`` means "no resistor". Every other problem -- a missing or
unknown field, a wrong type, a negative, zero, NaN or infinite resistance, an unknown
topology or diode, absurd sizes -- raises ModelFileError naming the field.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from ..errors import CircuitnetError, ModelFileError
from ..model.circuit import STAGE_FIELDS, Circuit, Stage
from ..model.data_record import DataRecord
from ..model.devices import DIODE_LIBRARY, OPAMP_KINDS, DiodeModel, OpAmpModel, check_diode_params
from ..model.fit_rows import DIGEST_CHARS, MAX_RECORDED_ROWS, is_digest
from ..model.opamp_parts import OPAMP_PARTS, check_part_rails
from ..model.scaling import DataScaling
from ..topologies import TOPOLOGIES, get_topology
from ..util.atomic import write_text_atomically
from .bounds import (  # noqa: F401 (kept importable here)
    MAX_FILE_BYTES,
    MAX_INPUTS,
    MAX_LAYERS,
    MAX_NAME_CHARS,
    MAX_VOLTS,
    MAX_WIDTH,
)
from .series_pairs_file import pairs_from_dict, pairs_to_dict

FORMAT = "circuitnet-model"
VERSION = 1

# How far the stored network may differ from the one read back from the components.
NETWORK_TOLERANCE = 1e-9


# -- writing ----------------------------------------------------------------------------

def circuit_to_dict(circuit: Circuit) -> dict:
    """The model-file document of a circuit (plain JSON types; inf ohms -> null). ModelFileError
    for a board with op-amp offsets, which the format has no field for."""
    if circuit.opamp_offsets is not None:
        # written without them the file would load as another board: a wrong circuit, silently
        raise ModelFileError("this circuit is a board with op-amp input offsets and bias currents "
                             "(Board(opamp_offsets=True).apply), which a model file has no field for: save the "
                             "nominal circuit and draw the board again from the same seed, or write the board's "
                             "netlist with netlist_text (it carries the offset sources)")
    network = get_topology(circuit.topology).read_back(circuit)
    return {
        "format": FORMAT,
        "version": VERSION,
        "topology": circuit.topology,
        "network": {"layers": [{"weights": layer.weights.tolist(), "biases": layer.biases.tolist()}
                               for layer in network.layers]},
        "scaling": {"volts_per_unit": circuit.volts_per_unit, "v_ref": circuit.v_ref, "v_on": circuit.v_on},
        "devices": {
            "diode": {"name": circuit.diode.name, "params": {k: float(v) for k, v in circuit.diode.params.items()}},
            "opamp": {"kind": circuit.opamp.kind, "gain": circuit.opamp.gain, "v_pos": circuit.opamp.v_pos,
                      "v_neg": circuit.opamp.v_neg,
                      **({} if circuit.opamp.part is None else {"part": circuit.opamp.part})},  # optional key
        },
        "components": {
            "resistor_range": list(circuit.resistor_range),
            "r_inverter": circuit.r_inverter,
            **({} if circuit.buffer_loads is None else {"buffer_loads": circuit.buffer_loads}),  # optional key
            "stages": [{name: _to_json_array(getattr(stage, name)) for name in STAGE_FIELDS
                        if getattr(stage, name) is not None} for stage in circuit.stages],
        },
        **({} if circuit.data_scaling is None else {"data_scaling": circuit.data_scaling.to_dict()}),
        **({} if circuit.data_record is None else {"data": _record_to_dict(circuit.data_record)}),
        **({} if pairs_to_dict(circuit) is None else {"series_pairs": pairs_to_dict(circuit)}),
    }


def _record_to_dict(record: DataRecord) -> dict:
    document = {"input_names": list(record.input_names), "output_names": list(record.output_names),
                "input_low": record.input_low.tolist(), "input_high": record.input_high.tolist()}
    if record.class_labels is not None:
        document["class_labels"] = list(record.class_labels)
    if record.fit_rows is not None:
        document["fit_rows"] = sorted(record.fit_rows)
    return document


def dumps(circuit: Circuit) -> str:
    """The model file's text: indented, with each row of numbers on one line."""
    return _format(circuit_to_dict(circuit), 0) + "\n"


def save(circuit: Circuit, path: str | os.PathLike) -> Path:
    """Write ``circuit`` to ``path`` atomically (the folder is created if missing)."""
    return write_text_atomically(path, dumps(circuit))


def _to_json_array(array: np.ndarray) -> list:
    """Nested lists of floats, with None (JSON null) for an absent resistor (inf ohms)."""
    # numpy's stubs allow no None here, which numpy takes (an object array)
    return np.where(np.isfinite(array), array, None).tolist()  # type: ignore[call-overload]


def _format(value, depth: int) -> str:
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(key)}: {_format(item, depth + 1)}" for key, item in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * depth + "}"
    if isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        return "[\n" + ",\n".join(pad + _format(item, depth + 1) for item in value) + "\n" + "  " * depth + "]"
    if isinstance(value, list):
        return "[" + ", ".join(json.dumps(item) for item in value) + "]"
    return json.dumps(value)


# -- reading ----------------------------------------------------------------------------

def load(path: str | os.PathLike) -> Circuit:
    """Read a model file; ModelFileError (naming the file and field) if it is not a valid one."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelFileError(f"{path}: {size} bytes is larger than a model file can be ({MAX_FILE_BYTES} bytes)")
        data = path.read_bytes()
    except OSError as error:
        raise ModelFileError(f"{path}: can't read the model file: {error.strerror or error}") from None
    try:
        return loads(data)
    except ModelFileError as error:
        raise ModelFileError(f"{path}: {error}") from None


def _refuse_repeated_keys(pairs: list) -> dict:
    """A JSON object, unless it names a key twice (JSON would keep the last one silently)."""
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise ModelFileError(f"the key {key!r} appears twice in one object; keep one of them")
        seen.add(key)
    return dict(pairs)


def _looks_like_a_netlist(text: str) -> bool:
    """SPICE text: a first line that is a title or a '*' comment, and an '.end' card."""
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    return bool(lines) and not lines[0].startswith(("{", "[")) and ".end" in lines


def loads(data: str | bytes) -> Circuit:
    """Parse and validate a model file's contents."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ModelFileError(f"{len(data)} bytes is larger than a model file can be ({MAX_FILE_BYTES} bytes)")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ModelFileError(f"not UTF-8 text (byte {error.start}); is this a circuitnet model file?") from None
    try:
        document = json.loads(data, object_pairs_hook=_refuse_repeated_keys)
    except json.JSONDecodeError as error:
        if _looks_like_a_netlist(data):  # e.g. a fit folder's circuit.cir given where its model.json goes
            raise ModelFileError("a SPICE netlist, not a circuitnet model file (JSON): give the model.json it "
                                 "was made from (compare imports a netlist drawn elsewhere with --netlist "
                                 "FILE.cir)") from None
        raise ModelFileError(f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                             f"the file may be truncated") from None
    except RecursionError:
        raise ModelFileError("JSON nested too deeply to be a model file") from None
    return circuit_from_dict(document)


def circuit_from_dict(document) -> Circuit:
    """Validate a parsed model-file document and build its Circuit."""
    optional = {}
    if isinstance(document, dict):  # the optional parts, validated once the circuit is known
        document = dict(document)
        optional = {key: document.pop(key) for key in ("data_scaling", "data", "series_pairs") if key in document}
    doc = _object(document, "the file", ("format", "version", "topology", "network", "scaling", "devices",
                                          "components"))
    if doc["format"] != FORMAT:
        raise ModelFileError(f"format = {_show(doc['format'])}; a circuitnet model file has format {FORMAT!r}")
    if _is_bool(doc["version"]) or doc["version"] != VERSION:
        raise ModelFileError(f"version = {_show(doc['version'])}; this circuitnet reads version {VERSION}")
    if not isinstance(doc["topology"], str) or doc["topology"] not in TOPOLOGIES:
        raise ModelFileError(f"topology = {_show(doc['topology'])}; allowed: {', '.join(TOPOLOGIES)}")
    topology = get_topology(doc["topology"])

    scaling = _object(doc["scaling"], "scaling", ("volts_per_unit", "v_ref", "v_on"))
    devices = _object(doc["devices"], "devices", ("diode", "opamp"))
    components, buffer_loads = _buffer_loads(doc["components"])
    components = _object(components, "components", ("resistor_range", "r_inverter", "stages"))

    resistor_range = _vector(components["resistor_range"], "components.resistor_range", 2)
    r_min, r_max = (float(r) for r in resistor_range)
    if not (0 < r_min < r_max):
        raise ModelFileError(f"components.resistor_range = [{r_min!r}, {r_max!r}]; need 0 < min < max, in ohms")
    circuit = Circuit(
        topology=topology.name,
        stages=(),
        diode=_diode(devices["diode"]),
        opamp=_opamp(devices["opamp"]),
        volts_per_unit=_number(scaling["volts_per_unit"], "scaling.volts_per_unit", 1e-6, MAX_VOLTS),
        v_ref=_number(scaling["v_ref"], "scaling.v_ref", 1e-6, MAX_VOLTS),
        v_on=_number(scaling["v_on"], "scaling.v_on", 0.0, MAX_VOLTS),
        r_inverter=_resistance(components["r_inverter"], "components.r_inverter", (r_min, r_max)),
        resistor_range=(r_min, r_max),
        buffer_loads=buffer_loads,
    )
    stages = _stages(components["stages"], topology, (r_min, r_max))
    circuit = replace(circuit, stages=stages)
    _check_network(doc["network"], circuit)
    if "data_scaling" in optional:
        circuit = replace(circuit, data_scaling=_data_scaling(optional["data_scaling"], circuit))
    if "data" in optional:
        circuit = replace(circuit, data_record=_data_record(optional["data"], circuit))
    if "series_pairs" in optional:
        circuit = replace(circuit, series_pairs=pairs_from_dict(optional["series_pairs"], circuit))
    return circuit


def _data_record(value, circuit: Circuit) -> DataRecord:
    """data: distinct input names, output names, finite input ranges (low <= high), and for a
    classifier one distinct label per output."""
    optional = [key for key in ("class_labels", "fit_rows") if isinstance(value, dict) and key in value]
    fields = _object(value, "data", ("input_names", "output_names", "input_low", "input_high", *optional))
    inputs = _names(fields["input_names"], "data.input_names", circuit.n_inputs, distinct=True)
    outputs = _names(fields["output_names"], "data.output_names", circuit.n_outputs, distinct=False)
    labels = None
    if "class_labels" in fields:
        labels = _names(fields["class_labels"], "data.class_labels", circuit.n_outputs, distinct=True)
    low = _vector(fields["input_low"], "data.input_low", circuit.n_inputs)
    high = _vector(fields["input_high"], "data.input_high", circuit.n_inputs)
    reversed_at = np.flatnonzero(low > high)
    if reversed_at.size:
        k = int(reversed_at[0])
        raise ModelFileError(f"data.input_low[{k}] = {float(low[k])!r} is above data.input_high[{k}] = "
                             f"{float(high[k])!r}; "
                             f"the range of an input goes from its smallest value to its largest")
    return DataRecord(inputs, outputs, low, high, labels, _fit_rows(fields.get("fit_rows")))


def _fit_rows(value) -> frozenset[str] | None:
    """data.fit_rows: at most MAX_RECORDED_ROWS digests (``model.fit_rows``), or absent."""
    if value is None:
        return None
    if not isinstance(value, list) or len(value) > MAX_RECORDED_ROWS:
        raise ModelFileError(f"data.fit_rows must be a list of at most {MAX_RECORDED_ROWS} row digests; got "
                             f"{_show(value)}")
    bad = next((k for k, digest in enumerate(value) if not is_digest(digest)), None)
    if bad is not None:
        raise ModelFileError(f"data.fit_rows[{bad}] = {_show(value[bad])}; a row digest is {DIGEST_CHARS} "
                             f"lower-case hex characters (leave fit_rows out if it is not known)")
    return frozenset(value)


def _names(value, where: str, length: int, distinct: bool) -> tuple[str, ...]:
    """A list of ``length`` non-empty strings (each at most MAX_NAME_CHARS), distinct if asked."""
    if not isinstance(value, list) or len(value) != length:
        raise ModelFileError(f"{where} must be a list of {length} names, one per "
                             f"{'input' if 'input' in where else 'output'}; got {_show(value)}")
    for k, name in enumerate(value):
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_CHARS:
            raise ModelFileError(f"{where}[{k}] = {_show(name)}; a name must be non-empty text of at most "
                                 f"{MAX_NAME_CHARS} characters")
    if distinct and len(set(value)) < len(value):
        repeated = next(name for name in value if value.count(name) > 1)
        raise ModelFileError(f"{where} names {repeated!r} twice; each must be distinct")
    return tuple(value)


def _data_scaling(value, circuit: Circuit) -> DataScaling:
    """data_scaling: offsets and positive scales, one per input and one per output."""
    fields = _object(value, "data_scaling", ("x_offset", "x_scale", "y_offset", "y_scale"))
    parts = {}
    for name in fields:
        length = circuit.n_inputs if name.startswith("x") else circuit.n_outputs
        vector = _vector(fields[name], f"data_scaling.{name}", length)
        low = 1e-12 if name.endswith("scale") else -1e12
        for k, number in enumerate(vector):
            _number(float(number), f"data_scaling.{name}[{k}]", low, 1e12)
        parts[name] = vector
    return DataScaling(**parts)


def _stages(value, topology, resistor_range) -> tuple[Stage, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LAYERS:
        raise ModelFileError(f"components.stages must be a list of 1 to {MAX_LAYERS} stages; got {_show(value)}")
    n_hidden = len(value) - 1
    if topology.max_hidden_layers is not None and n_hidden > topology.max_hidden_layers:
        raise ModelFileError(f"components.stages has {n_hidden} hidden stages; the {topology.name} topology "
                             f"allows at most {topology.max_hidden_layers}")
    stages, n_in = [], None
    for index, item in enumerate(value):
        where = f"components.stages[{index}]"
        hidden = index < n_hidden
        own_fields = topology.hidden_stage_fields() if hidden else topology.output_stage_fields()
        required = ["r_plain", "r_inverted", *own_fields]
        stage = _object(item, where, tuple(required))
        r_plain = _matrix(stage["r_plain"], f"{where}.r_plain", n_in)
        n_out, columns = r_plain.shape
        if n_in is None and not 1 <= columns - 1 <= MAX_INPUTS:
            raise ModelFileError(f"{where}.r_plain has {columns} columns; need 2 to {MAX_INPUTS + 1} "
                                 f"(one per input, one for the bias)")
        fields = {"r_plain": r_plain, "r_inverted": _matrix(stage["r_inverted"], f"{where}.r_inverted", columns - 1,
                                                            rows=n_out)}
        for name in ("r_plain", "r_inverted"):
            _check_resistances(fields[name], f"{where}.{name}", resistor_range, optional=True)
        for name in required[2:]:
            vector = _vector(stage[name], f"{where}.{name}", n_out, allow_null=name == "r_ground")
            if name == "activation_scale":
                bad = ~(np.isfinite(vector) & (vector > 0) & (vector <= 1e6))
                if bad.any():
                    k = int(np.argmax(bad))
                    raise ModelFileError(f"{where}.activation_scale[{k}] = {_show(vector[k])}; it must be a "
                                         f"positive number up to 1e6")
            else:
                _check_resistances(vector, f"{where}.{name}", resistor_range, optional=name == "r_ground")
            fields[name] = vector
        stages.append(Stage(**fields))
        n_in = n_out
    return tuple(stages)


def _check_network(value, circuit: Circuit) -> None:
    network = _object(value, "network", ("layers",))
    layers = network["layers"]
    if not isinstance(layers, list) or len(layers) != len(circuit.stages):
        raise ModelFileError(f"network.layers must be a list of {len(circuit.stages)} layers, one per stage")
    expected = get_topology(circuit.topology).read_back(circuit)
    for index, (item, layer) in enumerate(zip(layers, expected.layers, strict=False)):
        where = f"network.layers[{index}]"
        entry = _object(item, where, ("weights", "biases"))
        weights = _matrix(entry["weights"], f"{where}.weights", layer.n_in, rows=layer.n_out, allow_null=False)
        biases = _vector(entry["biases"], f"{where}.biases", layer.n_out)
        for name, stored, derived in (("weights", weights, layer.weights), ("biases", biases, layer.biases)):
            off = np.abs(stored - derived) > NETWORK_TOLERANCE * np.maximum(1.0, np.abs(derived))
            if off.any():
                at = tuple(int(i) for i in np.argwhere(off)[0])
                raise ModelFileError(
                    f"{where}.{name}{list(at)} = {float(stored[at])!r} but the component values give "
                    f"{float(derived[at])!r}; "
                    f"the components define the circuit: fix the resistor or rewrite the file with circuitnet"
                )


def _diode(value) -> DiodeModel:
    diode = _object(value, "devices.diode", ("name", "params"))
    name, params = diode["name"], diode["params"]
    if not isinstance(params, dict):
        raise ModelFileError(f"devices.diode.params must be an object of SPICE parameters; got {_show(params)}")
    try:
        check_diode_params(params, "devices.diode.params")
    except CircuitnetError as error:
        raise ModelFileError(str(error)) from None
    if name == "custom":
        return DiodeModel("custom", {k: float(v) for k, v in params.items()}, "user-defined Shockley diode")
    if not isinstance(name, str) or name not in DIODE_LIBRARY:
        raise ModelFileError(f"devices.diode.name = {_show(name)}; allowed: {', '.join(DIODE_LIBRARY)}, custom")
    library = DIODE_LIBRARY[name]
    if {k: float(v) for k, v in params.items()} != library.params:
        raise ModelFileError(f"devices.diode.params differ from the library's {name}; name a modified diode "
                             f"'custom'")
    return library


def _buffer_loads(components) -> tuple:
    """(components without the optional ``buffer_loads``, its value or None): a whole number of
    at least 1, the most resistors one op-amp output drives (files before it have none)."""
    if not isinstance(components, dict) or "buffer_loads" not in components:
        return components, None
    value = components["buffer_loads"]
    if _is_bool(value) or not isinstance(value, int) or value < 1:
        raise ModelFileError(f"components.buffer_loads = {_show(value)}; give a whole number of at least 1")
    return {key: item for key, item in components.items() if key != "buffer_loads"}, value


def _opamp(value) -> OpAmpModel:
    """devices.opamp: kind, gain, rails, and (optional: files before op-amp parts have none)
    the part's name, which must be one of ``OPAMP_PARTS`` and have those rails on its supply."""
    part = value.get("part") if isinstance(value, dict) else None
    if isinstance(value, dict) and "part" in value:
        value = {key: item for key, item in value.items() if key != "part"}
        if not isinstance(part, str) or part not in OPAMP_PARTS:
            raise ModelFileError(f"devices.opamp.part = {_show(part)}; allowed: {', '.join(OPAMP_PARTS)}")
    opamp = _object(value, "devices.opamp", ("kind", "gain", "v_pos", "v_neg"))
    if opamp["kind"] not in OPAMP_KINDS:
        raise ModelFileError(f"devices.opamp.kind = {_show(opamp['kind'])}; allowed: {', '.join(OPAMP_KINDS)}")
    numbers = {key: _number(opamp[key], f"devices.opamp.{key}", -MAX_VOLTS if key == "v_neg" else 0.0,
                            1e9 if key == "gain" else MAX_VOLTS) for key in ("gain", "v_pos", "v_neg")}
    try:
        model = OpAmpModel(opamp["kind"], gain=numbers["gain"], v_pos=numbers["v_pos"], v_neg=numbers["v_neg"],
                           part=part)
        if part is not None:
            check_part_rails(model)
        return model
    except CircuitnetError as error:
        raise ModelFileError(f"devices.opamp: {error}") from None


# -- small validators: each names the field it rejects ------------------------------------

def _show(value) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_bool(value) -> bool:
    return isinstance(value, bool)


def _object(value, where: str, required: tuple[str, ...]) -> dict:
    if not isinstance(value, dict):
        raise ModelFileError(f"{where} must be a JSON object; got {_show(value)}")
    missing = [key for key in required if key not in value]
    if missing:
        raise ModelFileError(f"{where} is missing {', '.join(repr(k) for k in missing)}")
    unknown = [key for key in value if key not in required]
    if unknown:
        raise ModelFileError(f"{where} has unknown field {unknown[0]!r}; allowed: {', '.join(required)}")
    return value


def _number(value, where: str, low: float, high: float) -> float:
    if _is_bool(value) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise ModelFileError(f"{where} = {_show(value)}; it must be a finite number from {low:g} to {high:g}")
    return float(value)


def _resistance(value, where: str, resistor_range) -> float:
    array = np.array([_number(value, where, 0.0, math.inf)])
    _check_resistances(array, where, resistor_range, optional=False)
    return float(array[0])


def _check_resistances(array: np.ndarray, where: str, resistor_range, optional: bool) -> None:
    """Resistances must be finite and inside the range; NaN (JSON null) marks an absent one."""
    r_min, r_max = resistor_range
    absent = np.isnan(array)
    bad = ~absent & ~((array >= r_min * (1 - 1e-12)) & (array <= r_max * (1 + 1e-12)))
    if not optional:
        bad |= absent
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        suffix = "".join(f"[{i}]" for i in at)
        value = array[at]
        shown = "null" if np.isnan(value) else repr(float(value))
        raise ModelFileError(
            f"{where}{suffix} = {shown} ohm; resistances must be finite and inside components.resistor_range "
            f"{r_min:g}..{r_max:g} ohm" + ("; use null for no resistor" if optional else "")
        )
    # absent resistors become inf ohms (no conductance) in the circuit
    array[absent] = np.inf


def _vector(value, where: str, length: int | None, allow_null: bool = False) -> np.ndarray:
    if not isinstance(value, list) or (length is not None and len(value) != length) or len(value) > MAX_WIDTH:
        wanted = f"{length} numbers" if length is not None else "a list of numbers"
        raise ModelFileError(f"{where} must be {wanted}; got {_show(value)}")
    out = np.empty(len(value))
    for k, item in enumerate(value):
        if item is None and allow_null:
            out[k] = np.nan
        elif _is_bool(item) or not isinstance(item, (int, float)) or not math.isfinite(item):
            raise ModelFileError(f"{where}[{k}] = {_show(item)}; it must be a finite number"
                                 + (" or null" if allow_null else ""))
        else:
            out[k] = item
    return out


def _matrix(value, where: str, n_in: int | None, rows: int | None = None, allow_null: bool = True) -> np.ndarray:
    """A list of rows; resistor matrices have n_in + 1 columns, weight matrices n_in."""
    if not isinstance(value, list) or not value or len(value) > MAX_WIDTH or (rows is not None and len(value) != rows):
        wanted = f"{rows} rows" if rows is not None else f"1 to {MAX_WIDTH} rows"
        raise ModelFileError(f"{where} must be a list of {wanted}; got {_show(value)}")
    columns = None if n_in is None else n_in + (1 if allow_null else 0)
    out = []
    for j, row in enumerate(value):
        vector = _vector(row, f"{where}[{j}]", columns, allow_null=allow_null)
        columns = len(vector) if columns is None else columns
        out.append(vector)
    return np.array(out, dtype=float)
