"""A scikit-learn style estimator over circuits: ``CircuitRegressor(...).fit(X, y).predict(X)``.

``__init__`` only stores settings; ``fit`` does the work and sets the learned attributes,
which end in ``_``. It holds out ``validation_fraction`` of the rows to choose the best
epoch; keep your own test data apart and use ``score`` on it. scikit-learn itself is not
needed (``get_params`` / ``set_params`` follow its conventions, so its tools accept this).
"""

from __future__ import annotations

import inspect

import numpy as np

from ..errors import InputShapeError, NotFittedError
from ..training.config import DEFAULT_PATIENCE
from ..training.data import Split


class CircuitRegressor:
    """Fit a ReLU circuit to (X, y).

    topology: ``passive``, ``diode`` or ``precision``. hidden: width, or a list of widths.
    mode: ``ideal``, ``surrogate`` or ``spice-loop``. epochs, lr, lam, batch_size, patience,
    seed, e_series, diode: as for ``circuitnet fit``. backend: what ``predict`` simulates
    (``spice`` by default: the circuit as ngspice sees it).
    """

    def __init__(self, topology="diode", hidden=16, mode="surrogate", epochs=None, lr=0.01, lam=1e-6,
                 batch_size=None, patience=DEFAULT_PATIENCE, seed=0, e_series=None, diode="1N4148",
                 validation_fraction=0.2, backend="spice"):
        self.topology = topology
        self.hidden = hidden
        self.mode = mode
        self.epochs = epochs
        self.lr = lr
        self.lam = lam
        self.batch_size = batch_size
        self.patience = patience
        self.seed = seed
        self.e_series = e_series
        self.diode = diode
        self.validation_fraction = validation_fraction
        self.backend = backend

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in inspect.signature(type(self).__init__).parameters
                if name != "self"}

    def set_params(self, **params) -> "CircuitRegressor":
        for name, value in params.items():
            if name not in self.get_params():
                raise ValueError(f"CircuitRegressor has no parameter {name!r}; see get_params()")
            setattr(self, name, value)
        return self

    def fit(self, X, y) -> "CircuitRegressor":
        from ..training.config import FitConfig
        from ..training.run import FitRun
        x, target = self._check(X, y)
        n_val = max(1, int(round(len(x) * self.validation_fraction)))
        if len(x) - n_val < 1:
            raise InputShapeError(f"{len(x)} samples: need at least 2 to train and validate")
        order = np.random.default_rng(self.seed).permutation(len(x))
        train, val = order[n_val:], order[:n_val]
        # the held-out validation rows also stand in for the test split of the report
        split = Split(x[train], target[train], x[val], target[val], x[val], target[val])
        hidden = [self.hidden] if np.isscalar(self.hidden) else list(self.hidden)
        config = FitConfig(topology=self.topology, hidden=hidden, mode=self.mode, epochs=self.epochs, lr=self.lr,
                           lam=self.lam, batch_size=self.batch_size, patience=self.patience, seed=self.seed,
                           e_series=self.e_series, diode=self.diode)
        result = FitRun(split, config).run()
        from ..topologies import read_back
        self.circuit_ = result.circuit
        self.network_ = read_back(result.circuit)
        self.report_ = _named_as_validation(result.report)
        self.history_ = result.history
        self.n_features_in_ = x.shape[1]
        return self

    def predict(self, X) -> np.ndarray:
        """Outputs of shape (n_samples,), simulated with ``backend``."""
        if not hasattr(self, "circuit_"):
            raise NotFittedError("this CircuitRegressor is not fitted yet; call fit(X, y) first")
        from ..backends.registry import simulate
        return simulate(self.circuit_, self._check(X)[0], backend=self.backend).y[:, 0]

    def score(self, X, y) -> float:
        """The coefficient of determination R^2 of ``predict(X)``."""
        target = np.asarray(y, dtype=float).reshape(-1)
        residual = np.sum((target - self.predict(X)) ** 2)
        return float(1.0 - residual / np.sum((target - target.mean()) ** 2))

    @staticmethod
    def _check(X, y=None):
        x = np.asarray(X, dtype=float)
        if x.ndim == 1:
            raise InputShapeError(f"X has shape {x.shape}; expected (n_samples, n_inputs) (use X.reshape(-1, 1))")
        if x.ndim != 2 or not np.all(np.isfinite(x)):
            raise InputShapeError(f"X must be a finite 2-D array; got shape {x.shape}")
        if y is None:
            return x, None
        target = np.asarray(y, dtype=float).reshape(len(x), -1) if np.size(y) == len(x) else None
        if target is None or not np.all(np.isfinite(target)):
            raise InputShapeError(f"y must hold one finite number per row of X ({len(x)}); got shape {np.shape(y)}")
        return x, target


def _named_as_validation(report: dict) -> dict:
    """The fit's report with its figures named for the rows they were measured on.

    The estimator holds no test split: the held-out rows are validation rows, which stand in
    for the test split inside the fit. So ``test_rmse_ideal`` and ``test_rmse_surrogate`` become
    ``val_rmse_ideal`` and ``val_rmse_surrogate``; ``test_rmse_spice`` is ``val_rmse`` (the same
    rows, the same simulation) and is dropped; the E-series figures are renamed the same way.
    """
    named = {key: value for key, value in report.items() if not key.startswith("test_rmse")}
    named["val_rmse_ideal"] = report["test_rmse_ideal"]
    named["val_rmse_surrogate"] = report["test_rmse_surrogate"]
    if "e_series" in report:
        named["e_series"] = {key.replace("test_", "val_"): value for key, value in report["e_series"].items()}
    return named
