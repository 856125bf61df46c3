"""What ``circuitnet fit`` trains on, from its flags: a built-in target, a CSV file (values
or class labels), a built-in classification dataset, or a labelled image file.

Returns the split, the description recorded in data.json (which a resumed run and the
figures read back) and the task settings for FitConfig.
"""

from __future__ import annotations

from ..errors import CircuitnetError
from ..training.classes import (
    ClassDataset,
    load_dataset,
    plain,
    read_classes_csv,
    read_images_dataset,
    stratified_split,
)
from ..training.data import Split, fractions_split, get_target, read_dataset_table, target_split
from .parser import TARGET_POINTS


def choose_data(args) -> tuple[Split, dict, dict]:
    """(split, description, {"task": ..., "classes": ...}) for ``fit``'s arguments."""
    classify = args.task == "classify" or (args.task is None and (args.dataset or args.images))
    if classify and args.target:
        raise CircuitnetError(f"--target {args.target} is a function to fit; to classify, give --dataset, --images "
                              f"or --data FILE.csv")
    if (args.x_columns is not None or args.y_column is not None) and not args.data:
        raise CircuitnetError("--x-columns and --y-column choose the columns of --data FILE.csv; leave them out "
                              "with --target, --dataset or --images")
    if args.labels and not args.images:  # e.g. --target sine --labels FILE: it would be ignored without a word
        raise CircuitnetError("--labels goes with --images FILE (an IDX image file and its label file); leave it "
                              "out with --target, --data or --dataset")
    if (args.points is not None or args.noise is not None) and not args.target:  # they'd be ignored
        flag = "--points" if args.points is not None else "--noise"
        raise CircuitnetError(f"{flag} sets how --target NAME's data are drawn; leave it out with --data, "
                              f"--dataset or --images, whose rows are used as they are")
    if not classify and (args.dataset or args.images):
        raise CircuitnetError("--dataset and --images hold class labels: use --task classify (the default for them)")
    if args.target:
        target = get_target(args.target)
        points = TARGET_POINTS if args.points is None else args.points
        noise = 0.0 if args.noise is None else args.noise
        split = target_split(args.target, points, args.seed, noise)
        return split, {"target": args.target, "formula": target.formula, "points": points,
                       "noise": noise}, {"task": "regress"}
    x_columns = args.x_columns  # a list (flags.column_names) or None
    if not classify:
        x, y, columns = read_dataset_table(args.data, x_columns, args.y_column)
        return fractions_split(x, y, args.seed), {"file": args.data, "rows": len(x), **columns}, {"task": "regress"}
    return classes_split(class_dataset(args, x_columns), args.seed)


def class_dataset(args, x_columns: list[str] | None = None) -> ClassDataset:
    """The labelled data of --dataset, --images (with --labels) or --data (with --y-column)."""
    if args.labels and not args.images:
        raise CircuitnetError("--labels goes with --images FILE (an IDX image file and its label file)")
    if args.dataset:
        return load_dataset(args.dataset)
    if args.images:
        return read_images_dataset(args.images, args.labels)
    return read_classes_csv(args.data, x_columns, args.y_column)


def classes_split(dataset: ClassDataset, seed: int) -> tuple[Split, dict, dict]:
    classes = [plain(label) for label in dataset.classes]
    description = dict(dataset.description, task="classify", classes=classes,
                       image_shape=list(dataset.image_shape) if dataset.image_shape else None)
    return stratified_split(dataset, seed), description, {"task": "classify", "classes": classes}


def classifier_test_split(args, circuit, seed: int) -> tuple:
    """compare's classifier data: the test split of --dataset / --images / --data made with
    ``seed``, as fit made it with that --seed: (x (n, n_inputs) data units, class indices (n,))."""
    dataset = class_dataset(args)
    if dataset.x.shape[1] != circuit.n_inputs or len(dataset.classes) != circuit.n_outputs:
        raise CircuitnetError(f"the data have {dataset.x.shape[1]} inputs and {len(dataset.classes)} classes; the "
                              f"model has {circuit.n_inputs} inputs and {circuit.n_outputs} outputs: give the data "
                              f"it was fit on")
    split = stratified_split(dataset, seed)
    return split.x_test, split.y_test[:, 0].astype(int)


def check_unscaled_data(split: Split, description: dict, topology: str, volts_per_unit: float) -> None:
    """fit --scale none: data units are circuit units, so every input and target must fit the
    circuit before any training: within +-INPUT_LIMIT units, and (inputs are inverted and
    targets are summer outputs, both op-amp outputs) within the op-amps' rails at
    ``volts_per_unit``. Raises CircuitnetError naming the column and the fixes to type."""
    import numpy as np

    from ..model.sweep import INPUT_LIMIT
    from ..topologies import get_topology
    opamp = get_topology("diode" if topology == "auto" else topology).default_opamp
    rail = min(opamp.v_pos, -opamp.v_neg)
    inputs = np.vstack([x for x, _ in split.parts().values()])
    names = list(description.get("input_columns") or [f"x{k + 1}" for k in range(inputs.shape[1])])
    columns = [(name, np.max(np.abs(inputs[:, k]))) for k, name in enumerate(names)]
    if description.get("task") != "classify":  # class scores are the circuit's own, not data
        targets = np.vstack([y for _, y in split.parts().values()])
        columns.append(((description.get("output_columns") or ["the target"])[0], np.max(np.abs(targets))))
    name, largest = max(columns, key=lambda column: column[1])
    if largest > INPUT_LIMIT or largest * volts_per_unit > rail:
        raise CircuitnetError(
            f"--scale none: {name} reaches {largest:g} data units, which is {largest * volts_per_unit:g} V at "
            f"--volts-per-unit {volts_per_unit:g}, beyond the op-amps' +-{rail:g} V rails"
            + (f" and the circuit's +-{INPUT_LIMIT:g} unit input limit" if largest > INPUT_LIMIT else "")
            + f"; use --scale auto (it maps such columns onto the circuit's window), or --volts-per-unit "
              f"{rail / largest:.3g} or less")

