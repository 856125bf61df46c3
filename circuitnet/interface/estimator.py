"""scikit-learn estimators over circuits: ``CircuitRegressor`` and ``CircuitClassifier``.

They subclass scikit-learn's ``BaseEstimator`` and its regressor / classifier mixins, so
``Pipeline``, ``cross_val_score``, ``GridSearchCV`` and ``clone`` take them, and
``sklearn.utils.estimator_checks.check_estimator`` passes (tests/test_estimator.py lists the
checks that can't apply, with their reasons). ``__init__`` only stores settings; ``fit``
trains a circuit (``training.run.FitRun``) and sets the learned attributes, which end in
``_``. ``fit`` holds out ``validation_fraction`` of the rows to choose the best epoch (for a
classifier, stratified when every class has two rows or more); keep your own test data apart
and use ``score`` on it. ``predict`` simulates the trained circuit with ``backend``.

An estimator owns the ngspice workers it trains and predicts on: made when it first needs
them, kept between calls (``predict`` in a loop starts no process), stopped by ``close()``
or when the estimator is dropped, and left out when it is pickled or cloned (a copy makes
its own).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import column_or_1d, validate_data

from ..errors import NotFittedError
from ..training.config import DEFAULT_PATIENCE
from ..training.data import Split


class EstimatorNotFitted(NotFittedError, SklearnNotFittedError):
    """predict before fit: both circuitnet's and scikit-learn's NotFittedError catch it."""


class _CircuitEstimator(BaseEstimator):
    """The settings and the fit both estimators share.

    topology: ``passive``, ``diode``, ``precision``, or ``auto``: train every topology that can
    realise ``hidden`` and keep the one with the lowest validation score (see
    ``training.criterion``; the held-out rows decide), the others' figures in
    ``report_["topology_choice"]``. hidden: width, or a list of widths.
    mode: ``ideal``, ``surrogate`` or ``spice-loop``. epochs, lr, lam, batch_size, patience,
    seed, e_series, e_series_pairs, diode: as for ``circuitnet fit`` (``e_series_pairs``: a
    resistor the single values can't keep close may be two series values in series). opamp: a part of ``OPAMP_PARTS``
    (``"TL072"``) on +-``supply_v`` volts, as ``fit --opamp``; None: the generic finite-gain
    op-amp. validation_fraction: the share of rows
    held out to choose the best epoch. backend: what ``predict`` simulates (``spice`` by
    default: the circuit as ngspice sees it; ``surrogate`` or ``ideal`` are faster).
    """

    def __init__(self, topology="diode", hidden=16, mode="surrogate", epochs=None, lr=0.01, lam=1e-6,
                 batch_size=None, patience=DEFAULT_PATIENCE, seed=0, e_series=None, diode="1N4148",
                 validation_fraction=0.2, backend="spice", opamp=None, supply_v=15.0, e_series_pairs=False):
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
        self.opamp = opamp
        self.supply_v = supply_v
        self.e_series_pairs = e_series_pairs

    def _spice(self):
        """This estimator's SpiceBackend, owning its worker pool, made on first use."""
        if getattr(self, "_own_spice", None) is None:
            from ..backends.spice.backend import SpiceBackend
            self._own_spice = SpiceBackend()
        return self._own_spice

    def close(self) -> None:
        """Stop this estimator's ngspice workers (the next fit or predict starts new ones)."""
        spice = getattr(self, "_own_spice", None)
        if spice is not None:
            spice.close()

    def __getstate__(self) -> dict:
        """Pickled without its workers: they belong to this process (a copy makes its own)."""
        state = dict(super().__getstate__())
        state.pop("_own_spice", None)
        return state

    def _train(self, x: np.ndarray, target: np.ndarray, order: np.ndarray, n_val: int, task: dict) -> None:
        """Fit on rows order[n_val:], validating on order[:n_val]; sets circuit_, network_,
        report_, history_."""
        from ..topologies import read_back
        from ..training.config import FitConfig
        from ..training.run import fit
        train, val = order[n_val:], order[:n_val]
        # the held-out validation rows also stand in for the test split of the report
        split = Split(x[train], target[train], x[val], target[val], x[val], target[val])
        hidden = [self.hidden] if np.isscalar(self.hidden) else list(self.hidden)
        config = FitConfig(topology=self.topology, hidden=hidden, mode=self.mode, epochs=self.epochs, lr=self.lr,
                           lam=self.lam, batch_size=self.batch_size, patience=self.patience, seed=self.seed,
                           e_series=self.e_series, e_series_pairs=self.e_series_pairs, diode=self.diode,
                           opamp=self.opamp, supply_v=self.supply_v, **task)
        # topology "auto": every allowed topology, the best on validation
        result = fit(split, config, spice=self._spice(), data_description=self._data_columns(x.shape[1]))
        self.circuit_ = result.circuit
        self.network_ = read_back(result.circuit)
        self.report_ = result.summary.named_for_validation()
        self.history_ = result.history

    def _data_columns(self, n_inputs: int) -> dict:
        """What the circuit's data record names: a DataFrame's column names (scikit-learn's
        ``feature_names_in_``), else x1..xn; a classifier's labels as text."""
        names = getattr(self, "feature_names_in_", None)
        columns = {"input_columns": [str(name) for name in names] if names is not None
                   else [f"x{k + 1}" for k in range(n_inputs)]}
        if hasattr(self, "classes_"):
            columns["class_labels"] = [str(label) for label in self.classes_]
        return columns

    def _held_out(self, n: int) -> int:
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction = {self.validation_fraction!r}; give a fraction between 0 and 1")
        if n < 2:
            raise ValueError(f"got {n} sample; need at least 2 to train and validate (n_samples = {n})")
        return min(n - 1, max(1, int(round(n * self.validation_fraction))))

    def _outputs(self, X) -> np.ndarray:
        """The circuit's outputs at X, shape (n_samples, n_outputs), data units."""
        from ..backends.registry import simulate
        if not hasattr(self, "circuit_"):
            raise EstimatorNotFitted(f"this {type(self).__name__} is not fitted yet; call fit(X, y) first")
        x = validate_data(self, X, reset=False, dtype=np.float64)
        if self.backend != "spice":
            return simulate(self.circuit_, x, backend=self.backend).y
        # the outputs are ngspice's: say where no built circuit gives them, from the same run
        from .simulate_limits import outputs_marked, warn_beyond_limits
        y, beyond = outputs_marked(self._spice(), self.circuit_, x, 27.0)
        warn_beyond_limits(beyond, type(self).__name__)
        return y


class CircuitRegressor(RegressorMixin, _CircuitEstimator):
    """Fit a ReLU circuit to (X, y); y of shape (n_samples,) or (n_samples, n_outputs)."""

    def fit(self, X, y) -> CircuitRegressor:
        x, target = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        self._single_output = target.ndim == 1
        target = target.reshape(len(x), -1)
        n_val = self._held_out(len(x))
        self._train(x, target, np.random.default_rng(self.seed).permutation(len(x)), n_val, {"task": "regress"})
        return self

    def predict(self, X) -> np.ndarray:
        """Outputs of shape (n_samples,), or (n_samples, n_outputs) for a multi-output fit."""
        y = self._outputs(X)
        return y[:, 0] if self._single_output else y

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags


class CircuitClassifier(ClassifierMixin, _CircuitEstimator):
    """A ReLU circuit with one output summer per class; it predicts the class whose output
    voltage is highest. Trained on softmax cross-entropy (see ``training.losses``)."""

    def fit(self, X, y) -> CircuitClassifier:
        x, labels = validate_data(self, X, y, dtype=np.float64)
        labels = column_or_1d(labels, warn=True)
        check_classification_targets(labels)
        self.classes_, index = np.unique(labels, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"y holds 1 class ({self.classes_[0]!r}); a classifier needs at least two classes")
        n_val = self._held_out(len(x))
        order = _stratified_order(index, n_val, self.seed)
        self._train(x, index.astype(float)[:, None], order, n_val,
                    {"task": "classify", "classes": list(range(len(self.classes_)))})
        return self

    def decision_function(self, X) -> np.ndarray:
        """The output voltages in data units, shape (n_samples, n_classes); for two classes,
        the second output minus the first, shape (n_samples,) (scikit-learn's convention)."""
        scores = self._outputs(X)  # first: it raises NotFittedError before classes_ is looked up
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X) -> np.ndarray:
        """softmax of the outputs at the training's logit gain, shape (n_samples, n_classes)."""
        from ..training.losses import SoftmaxCrossEntropy
        scores = self._outputs(X)
        return SoftmaxCrossEntropy(self.report_["hyperparameters"]["score_gain"]).probabilities(scores)

    def predict(self, X) -> np.ndarray:
        """The class of the highest output voltage, shape (n_samples,)."""
        scores = self._outputs(X)  # first: it raises NotFittedError before classes_ is looked up
        return self.classes_[np.argmax(scores, axis=1)]


def _stratified_order(index: np.ndarray, n_val: int, seed: int) -> np.ndarray:
    """Row order whose first n_val rows are the validation rows: stratified by class when
    every class has two rows or more (scikit-learn's split), else a plain shuffle."""
    rows = np.arange(len(index))
    if np.bincount(index).min() >= 2 and n_val >= index.max() + 1 and len(index) - n_val >= index.max() + 1:
        from sklearn.model_selection import train_test_split
        train, val = train_test_split(rows, test_size=n_val, stratify=index, random_state=seed)
        return np.concatenate([val, train])
    return np.random.default_rng(seed).permutation(len(index))

