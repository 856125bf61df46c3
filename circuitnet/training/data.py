"""Data to fit: built-in targets, CSV files, and seeded train / validation / test splits.

Every dataset is ``x`` of shape (n_samples, n_inputs) and ``y`` of shape (n_samples, 1), in
data units. Splits never share a point, and the test split is meant to be touched once,
at the end (the lecture's doctrine: it must not influence any choice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..errors import DataFileError, InputShapeError, UnknownNameError
from ..formats.datafile import input_numbers, numbers, read_table, select_columns


@dataclass(frozen=True)
class Target:
    """A built-in function to fit: ``function(x)`` with x of shape (n, n_inputs) -> (n,)."""

    name: str
    formula: str
    n_inputs: int
    function: Callable[[np.ndarray], np.ndarray]
    low: float = -1.0
    high: float = 1.0


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("sine", "sin(pi x)", 1, lambda x: np.sin(np.pi * x[:, 0])),
    Target("abs", "|x|", 1, lambda x: np.abs(x[:, 0])),
    Target("tanh", "tanh(4 x)", 1, lambda x: np.tanh(4 * x[:, 0])),
    Target("sine3", "sin(3 x) + 0.3 x", 1, lambda x: np.sin(3 * x[:, 0]) + 0.3 * x[:, 0]),
    Target("bump", "exp(-x^2 / (2 * 0.25^2))", 1, lambda x: np.exp(-x[:, 0] ** 2 / (2 * 0.25 ** 2))),
    Target("step", "(1 + tanh(10 x)) / 2", 1, lambda x: 0.5 * (1 + np.tanh(10 * x[:, 0]))),
    Target("bumps", "0.8 exp(-((x + 0.4) / 0.2)^2) - 0.5 exp(-((x - 0.5) / 0.15)^2) + 0.3 x", 1,
           lambda x: (0.8 * np.exp(-((x[:, 0] + 0.4) / 0.2) ** 2) - 0.5 * np.exp(-((x[:, 0] - 0.5) / 0.15) ** 2)
                      + 0.3 * x[:, 0])),
    Target("kinks", "relu(x + 0.5) - 2 relu(x) + 1.5 relu(x - 0.6)", 1,
           lambda x: np.maximum(x[:, 0] + 0.5, 0) - 2 * np.maximum(x[:, 0], 0) + 1.5 * np.maximum(x[:, 0] - 0.6, 0)),
    Target("small", "0.05 sin(2 pi x)", 1, lambda x: 0.05 * np.sin(2 * np.pi * x[:, 0])),
    Target("large", "3 tanh(2 x)", 1, lambda x: 3 * np.tanh(2 * x[:, 0])),
    Target("saddle", "x1^2 - x2^2", 2, lambda x: x[:, 0] ** 2 - x[:, 1] ** 2),
    Target("ring", "exp(-((|x| - 0.6) / 0.2)^2)", 2,
           lambda x: np.exp(-((np.hypot(x[:, 0], x[:, 1]) - 0.6) / 0.2) ** 2)),
)}


def get_target(name: str) -> Target:
    if name not in TARGETS:
        raise UnknownNameError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)} or give --data FILE.csv")
    return TARGETS[name]


@dataclass(frozen=True)
class Split:
    """Train / validation / test parts of one dataset; each x (n, n_inputs), y (n, 1)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    @property
    def n_inputs(self) -> int:
        return self.x_train.shape[1]

    def parts(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        return {"train": (self.x_train, self.y_train), "val": (self.x_val, self.y_val),
                "test": (self.x_test, self.y_test)}

    def all_inputs(self) -> np.ndarray:
        """Every input of the split, train then validation then test, shape (n, n_inputs)."""
        return np.vstack([self.x_train, self.x_val, self.x_test])


def sample_target(target: Target, n: int, rng: np.random.Generator, noise: float = 0.0,
                  low: float | None = None, high: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """n points drawn uniformly from [low, high]^n_inputs, y = target + N(0, noise^2)."""
    low = target.low if low is None else low
    high = target.high if high is None else high
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise InputShapeError(f"range {low}..{high}: need two finite numbers with low < high")
    if noise < 0 or not np.isfinite(noise):
        raise InputShapeError(f"noise = {noise}; give a standard deviation >= 0")
    x = rng.uniform(low, high, (n, target.n_inputs))
    y = target.function(x) + (rng.normal(0.0, noise, n) if noise > 0 else 0.0)
    return x, y[:, None]


def target_split(name: str, n_train: int, seed: int, noise: float = 0.0, n_val: int | None = None,
                 n_test: int | None = None, low: float | None = None, high: float | None = None) -> Split:
    """A built-in target sampled at n_train + n_val + n_test distinct random points, split
    at random (default: validation and test each half the size of the training set)."""
    target = get_target(name)
    n_val = max(n_train // 2, 1) if n_val is None else n_val
    n_test = max(n_train // 2, 1) if n_test is None else n_test
    rng = np.random.default_rng(seed)
    x, y = sample_target(target, n_train + n_val + n_test, rng, noise, low, high)
    return split_arrays(x, y, (n_train, n_val, n_test), rng)


def split_arrays(x: np.ndarray, y: np.ndarray, sizes: tuple[int, int, int], rng: np.random.Generator) -> Split:
    """Shuffle the rows and cut them into train / validation / test of the given sizes."""
    if sum(sizes) > len(x) or min(sizes) < 1:
        raise InputShapeError(f"can't split {len(x)} samples into train/val/test of {sizes}; each needs >= 1")
    order = rng.permutation(len(x))
    a, b, c = sizes
    parts = [order[:a], order[a:a + b], order[a + b:a + b + c]]
    return Split(*(array[index] for index in parts for array in (x, y)))


def fractions_split(x: np.ndarray, y: np.ndarray, seed: int, fractions=(0.6, 0.2, 0.2)) -> Split:
    """Split a dataset by fractions (at least one sample in each part)."""
    n = len(x)
    if n < 3:
        raise DataFileError(f"{n} sample(s): need at least 3 to split into train, validation and test")
    n_val = max(1, int(round(n * fractions[1])))
    n_test = max(1, int(round(n * fractions[2])))
    return split_arrays(x, y, (n - n_val - n_test, n_val, n_test), np.random.default_rng(seed))


def read_dataset_csv(path, x_columns: list[str] | None = None, y_column: str | None = None) -> tuple[np.ndarray,
                                                                                                     np.ndarray]:
    """(x, y) from a CSV file. Columns are header names or 1-based positions; by default every
    column but the last is an input and the last is the target."""
    x, y, _ = read_dataset_table(path, x_columns, y_column)
    return x, y


def read_dataset_table(path, x_columns: list[str] | None = None,
                       y_column: str | None = None) -> tuple[np.ndarray, np.ndarray, dict]:
    """(x, y, columns) as ``read_dataset_csv``; columns = {"input_columns": [...],
    "output_columns": [...]}, the names of the columns used (see ``column_names``)."""
    header, rows = read_table(path)
    width = len(header) if header is not None else len(rows[0])
    x_indices, y_index = select_columns(path, header, width, x_columns, y_column)
    values = np.hstack([input_numbers(path, header, rows, x_indices, y_index, chosen=x_columns is not None),
                        numbers(path, header, rows, [y_index])])
    if len(values) < 3:
        raise DataFileError(f"{path}: {len(values)} data row(s); need at least 3 to train, validate and test")
    for position, index in enumerate(x_indices):
        if np.all(values[:, position] == values[0, position]):
            name = header[index] if header is not None else f"column {index + 1}"
            raise DataFileError(f"{path}: input {name} is {values[0, position]:g} in every row; an input that never "
                                f"changes carries nothing to learn: leave it out with --x-columns")
    return values[:, :-1], values[:, -1:], column_names(header, x_indices, [y_index], "y")


def column_names(header: list[str] | None, x_indices: list[int], y_indices: list[int], y_name: str) -> dict:
    """The names of the columns a table's inputs and outputs came from, for data.json and the
    model's data record: the header's names, or without a header x1..xn and ``y_name``
    (numbered y1.. when there are several)."""
    if header is not None:
        return {"input_columns": [header[k] for k in x_indices], "output_columns": [header[k] for k in y_indices]}
    outputs = [y_name] if len(y_indices) == 1 else [f"{y_name}{k + 1}" for k in range(len(y_indices))]
    return {"input_columns": [f"x{k + 1}" for k in range(len(x_indices))], "output_columns": outputs}
