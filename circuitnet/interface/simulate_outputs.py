"""What ``circuitnet simulate`` prints: the outputs in the model's own terms.

A model that records its data (``Circuit.data_record``) names its columns as it was trained
(``sepal length (cm)``, ``y``) and a classifier prints its predicted class beside the output
voltages; a model without a record uses x1.., y1.. and no classes.
"""

from __future__ import annotations

import numpy as np

from ..backends.result import SimulationResult
from ..model.circuit import Circuit

SAMPLES_LISTED = 20  # a classifier's predictions printed one line each, at most


def column_names(circuit: Circuit) -> tuple[list[str], list[str]]:
    """(input names, output names): the record's, or x1..xn and y1..ym."""
    record = circuit.data_record
    if record is not None:
        return list(record.input_names), list(record.output_names)
    return [f"x{k + 1}" for k in range(circuit.n_inputs)], [f"y{k + 1}" for k in range(circuit.n_outputs)]


def predicted_classes(circuit: Circuit, y: np.ndarray) -> list[str] | None:
    """A classifier's label of the highest output at each sample, shape (n,); None when the
    circuit records no class labels."""
    record = circuit.data_record
    if record is None or record.class_labels is None:
        return None
    return [record.class_labels[k] for k in np.argmax(y, axis=1)]


def csv_lines(circuit: Circuit, result: SimulationResult, ideal: np.ndarray, beyond: list[str] | None = None,
              raw: bool = False) -> list[str]:
    """Header and one row per sample: inputs, outputs, their volts, the ideal outputs, for a
    classifier the predicted class, and ``beyond_limit``: the limit a part crosses at that
    row ("" inside every limit). beyond: one entry per row (``simulate_limits``), None
    when not checked. A row beyond a limit has empty output, volts and class cells unless
    ``raw``: no built circuit gives those numbers."""
    inputs, outputs = column_names(circuit)
    classes = predicted_classes(circuit, result.y)
    beyond = beyond or [""] * len(result.x)
    # without a record, the ideal columns keep the names these tables always had (ideal1, ...)
    ideal_names = ([f"ideal_{name}" for name in outputs] if circuit.data_record is not None
                   else [f"ideal{k + 1}" for k in range(len(outputs))])
    header = inputs + outputs + [f"{name}_volts" for name in outputs] + ideal_names
    lines = [",".join(_csv_cell(name) for name in header + (["class"] if classes else []) + ["beyond_limit"])]
    n_in, n_out = len(inputs), len(outputs)
    for k, row in enumerate(np.hstack([result.x, result.y, result.y_volts, ideal])):
        cells = [f"{v:.12g}" for v in row] + ([_csv_cell(classes[k])] if classes else [])
        if beyond[k] and not raw:  # the outputs, their volts and the class: not numbers to report
            cells[n_in:n_in + 2 * n_out] = [""] * (2 * n_out)
            cells[len(row):] = [""] * (len(cells) - len(row))
        lines.append(",".join(cells + [_csv_cell(beyond[k])]))
    return lines


def json_outputs(circuit: Circuit, result: SimulationResult, beyond: list[str], raw: bool) -> dict:
    """simulate --json's outputs: y, y_volts (null rows where a part is beyond its limits,
    unless ``raw``), predicted_class (a classifier's), beyond_limit (per row, null inside
    every limit) and raw_outputs."""
    given = [raw or not words for words in beyond]
    classes = predicted_classes(circuit, result.y)
    document = {"y": [row.tolist() if ok else None for row, ok in zip(result.y, given, strict=True)],
                "y_volts": [row.tolist() if ok else None for row, ok in zip(result.y_volts, given, strict=True)]}
    if classes is not None:
        document["predicted_class"] = [label if ok else None for label, ok in zip(classes, given, strict=True)]
    return {**document, "beyond_limit": [words or None for words in beyond], "raw_outputs": raw}


def inside_rows(result: SimulationResult, beyond: list[str]) -> SimulationResult | None:
    """The rows of ``result`` where every part stays inside its limits, None when none does."""
    keep = np.array([not words for words in beyond], dtype=bool)
    if not keep.any():
        return None
    return SimulationResult(result.x[keep], result.y[keep], result.y_volts[keep], backend=result.backend,
                            temperature_c=result.temperature_c)


def class_lines(circuit: Circuit, result: SimulationResult, beyond: list[str] | None = None,
                raw: bool = False) -> list[str]:
    """For a classifier: the predicted class of the first SAMPLES_LISTED samples, each beside
    its output voltages, or the limit a part crosses there (``csv_lines``); nothing for a
    regressor."""
    classes = predicted_classes(circuit, result.y)
    if classes is None:
        return []
    beyond = beyond or [""] * len(classes)
    _, outputs = column_names(circuit)
    lines = []
    for k in range(min(len(classes), SAMPLES_LISTED)):
        volts = ", ".join(f"{name} {v:.4g} V" for name, v in zip(outputs, result.y_volts[k], strict=False))
        if beyond[k] and not raw:
            lines.append(f"sample {k + 1}: beyond a limit, no class ({beyond[k]})")
            continue
        lines.append(f"sample {k + 1}: class {classes[k]} ({volts})" + (f"; beyond a limit: {beyond[k]}"
                                                                         if beyond[k] else ""))
    if len(classes) > SAMPLES_LISTED:
        lines.append(f"... {len(classes) - SAMPLES_LISTED} more; --csv or --json lists every sample's class")
    return lines


def _csv_cell(text: str) -> str:
    """A CSV cell: quoted when it holds a comma or a quote."""
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def summary_line(circuit: Circuit, result: SimulationResult, ideal: np.ndarray, setting: str) -> str:
    """simulate's last line. setting: '{backend} at {temp} C'. A regressor: its outputs' range
    and their distance to the read-back network, data units. A classifier (one that records
    class labels): its class scores' range, how many samples each class is predicted for, and
    at how many the read-back network predicts the same class."""
    deviation = np.abs(result.y - ideal)
    distance = f"max |{{}} - ideal| = {deviation.max():.4g}, RMS {np.sqrt(np.mean(deviation ** 2)):.4g}"
    classes = predicted_classes(circuit, result.y)
    if classes is None:
        return (f"{circuit.topology} circuit, {len(result.x)} point(s), {setting}: output {result.y.min():.6g} .. "
                f"{result.y.max():.6g}; {distance.format('y')} (data units)")
    record = circuit.data_record
    assert record is not None and record.class_labels is not None  # predicted_classes found the labels
    labels = record.class_labels
    # 'label for n sample(s)': '4 3' read as two classes where the labels are numbers
    counts = ", ".join(f"{label} for {classes.count(label)} sample(s)" for label in labels if classes.count(label))
    agree = int(np.sum(np.argmax(result.y, axis=1) == np.argmax(ideal, axis=1)))
    return (f"{circuit.topology} classifier, {len(result.x)} sample(s), {setting}: class scores "
            f"{result.y.min():.6g} .. {result.y.max():.6g} (the highest output names the class); predicted "
            f"classes: {counts}; the read-back network predicts the same class at {agree} of {len(result.x)}; "
            f"{distance.format('score')}")
