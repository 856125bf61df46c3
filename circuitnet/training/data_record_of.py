"""The data record of a fit run: what its circuit remembers of the data it was trained on.

Built from the split (the training inputs' range) and the data description that data.json
keeps (column names, the target, an image's shape), so a resumed run records the same.
"""

from __future__ import annotations

import numpy as np

from ..model.data_record import DataRecord
from ..model.fit_rows import recorded_digests
from .data import Split


def data_record_of(split: Split, description: dict, classes: list | None = None) -> DataRecord:
    """split: the user's units; description: the run's data.json (``input_columns``,
    ``output_columns`` from a CSV, ``class_labels`` from the estimator, ``image_shape`` for
    images); classes: a classifier's labels in output order, None for a regressor.

    Names, when the description has none: an image's pixels ``pixel_ROW_COL``; otherwise
    ``x`` for one input (a built-in target's), ``x1``..``xn`` for several; outputs ``y`` (or
    ``y1``..). Ranges: each input's smallest and largest value in the training split.
    fit_rows: the digests of the training and validation rows (``model.fit_rows``), so
    compare can tell the fit's own rows from held-out ones.
    """
    n_inputs, n_outputs = split.x_train.shape[1], (len(classes) if classes is not None else split.y_train.shape[1])
    names = description.get("input_columns") or _default_input_names(n_inputs, description.get("image_shape"))
    labels = None
    if classes is not None:
        labels = [str(label) for label in description.get("class_labels") or classes]
        outputs = labels
    else:
        outputs = description.get("output_columns") or (["y"] if n_outputs == 1
                                                        else [f"y{k + 1}" for k in range(n_outputs)])
    seen = recorded_digests(np.vstack([split.x_train, split.x_val]), np.vstack([split.y_train, split.y_val]))
    return DataRecord(tuple(names), tuple(outputs), np.min(split.x_train, axis=0), np.max(split.x_train, axis=0),
                      None if labels is None else tuple(labels), seen)


def _default_input_names(n_inputs: int, image_shape) -> list[str]:
    if image_shape:
        width = int(image_shape[1])
        return [f"pixel_{k // width}_{k % width}" for k in range(n_inputs)]
    return ["x"] if n_inputs == 1 else [f"x{k + 1}" for k in range(n_inputs)]
