"""Classification data: the built-in digit sets, labelled CSV and image files, and the
stratified train / validation / test split.

A classification dataset is ``x`` of shape (n, n_inputs) in data units and ``labels`` of
shape (n,) (any sortable values). In a Split the target is the class *index* into the
sorted distinct labels, as a float column of shape (n, 1), so the run folder, checkpoints
and resumption treat it like any other target. Nothing here downloads: the digits ship
with scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import DataFileError, UnknownNameError
from ..formats.datafile import input_numbers, read_table, select_columns
from ..formats.imagefile import read_labelled_images
from .data import Split, column_names

DATASETS = {
    "digits": "scikit-learn's bundled 8x8 handwritten digits: 1,797 images, 10 classes, pixels 0-16 as 0-1",
    "digits28": "the same digits upsampled to 28x28 (784 inputs, MNIST's input size) by linear interpolation",
}
SPLIT_FRACTIONS = (0.6, 0.2, 0.2)  # train, validation, test


@dataclass(frozen=True)
class ClassDataset:
    """x: (n, n_inputs) data units; labels: (n,); image_shape: (height, width) when the inputs
    are an image's pixels (for galleries), else None; description: for data.json."""

    x: np.ndarray
    labels: np.ndarray
    image_shape: tuple[int, int] | None
    description: dict

    @property
    def classes(self) -> np.ndarray:
        return np.unique(self.labels)


def load_dataset(name: str) -> ClassDataset:
    """A built-in dataset by name (see DATASETS)."""
    if name not in DATASETS:
        raise UnknownNameError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = digits.images / 16.0
    if name == "digits28":
        from scipy.ndimage import zoom
        # order 1: linear interpolation keeps every pixel inside 0..1 (a cubic would ring past it)
        images = np.clip(zoom(images, (1, 28 / 8, 28 / 8), order=1), 0.0, 1.0)
    side = images.shape[1]
    return ClassDataset(images.reshape(len(images), -1), digits.target.astype(np.int64), (side, side),
                        {"dataset": name, "about": DATASETS[name], "rows": len(images)})


def read_images_dataset(images_path, labels_path=None) -> ClassDataset:
    """Images and labels from an IDX pair or an ``.npz`` (see formats.imagefile)."""
    found = read_labelled_images(images_path, labels_path)
    description = {"images": str(images_path), "rows": len(found.labels)}
    if labels_path is not None:
        description["labels"] = str(labels_path)
    return ClassDataset(found.flat, found.labels, found.images.shape[1:], description)


def read_classes_csv(path, x_columns: list[str] | None = None, y_column: str | None = None) -> ClassDataset:
    """Inputs and class labels from a CSV file. The label column (default: the last) may hold
    numbers or names; inputs must be numbers. Columns are header names or 1-based positions."""
    header, rows = read_table(path)
    width = len(header) if header is not None else len(rows[0])
    x_indices, y_index = select_columns(path, header, width, x_columns, y_column)
    x = input_numbers(path, header, rows, x_indices, y_index, chosen=x_columns is not None)
    raw = [row[y_index].strip() if y_index < len(row) else "" for row in rows]
    if "" in raw:
        line = raw.index("") + (2 if header is not None else 1)
        raise DataFileError(f"{path}: line {line} has no label in column {y_index + 1}")
    labels = _as_numbers(raw)
    return ClassDataset(x, labels, None, {"file": str(path), "rows": len(x),
                                          **column_names(header, x_indices, [y_index], "label")})


def _as_numbers(raw: list[str]) -> np.ndarray:
    """Labels as integers when every one is a whole number, else as the strings themselves."""
    try:
        values = np.array([float(cell) for cell in raw])
    except ValueError:
        return np.array(raw)
    return values.astype(np.int64) if np.all(values == np.round(values)) else values


def plain(label):
    """A label as a plain Python value (for messages and JSON): 3, not np.int64(3)."""
    return label.item() if hasattr(label, "item") else label


def class_indices(labels: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Each label's index into ``classes`` (sorted), shape (n,); an unknown label is an error."""
    index = np.searchsorted(classes, labels)
    index = np.clip(index, 0, len(classes) - 1)
    unknown = classes[index] != labels
    if np.any(unknown):
        raise DataFileError(f"label {plain(labels[np.argmax(unknown)])!r} is not one of the classes "
                            f"{', '.join(map(str, classes))}")
    return index


def stratified_split(dataset: ClassDataset, seed: int, fractions=SPLIT_FRACTIONS) -> Split:
    """Train / validation / test with every class in the same proportion in each part,
    deterministic for a seed; y is the class index, shape (n, 1). Needs at least 3 samples
    of every class (one for each part)."""
    from sklearn.model_selection import train_test_split
    classes, counts = np.unique(dataset.labels, return_counts=True)
    if len(classes) < 2:
        raise DataFileError(f"every sample has label {plain(classes[0])!r}; a classifier needs at least two classes")
    if counts.min() < 3:
        rare = classes[np.argmin(counts)]
        raise DataFileError(f"class {plain(rare)!r} has {counts.min()} sample(s); each class needs at least 3 "
                            f"(one each for training, validation and test)")
    index = class_indices(dataset.labels, classes)
    everything = np.arange(len(index))
    n_test = max(len(classes), int(round(fractions[2] * len(index))))
    n_val = max(len(classes), int(round(fractions[1] * len(index))))
    rest, test = train_test_split(everything, test_size=n_test, stratify=index, random_state=seed)
    train, val = train_test_split(rest, test_size=n_val, stratify=index[rest], random_state=seed)
    y = index.astype(float)[:, None]
    return Split(*(array[part] for part in (train, val, test) for array in (dataset.x, y)))
