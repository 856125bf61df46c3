"""The scikit-learn estimators: scikit-learn's own estimator checks, and the tools users
put them in (Pipeline, cross_val_score, GridSearchCV)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

from circuitnet import CircuitClassifier, CircuitRegressor

pytestmark = pytest.mark.ngspice

# Settings that keep each of scikit-learn's many fits short: ideal mode (the circuit is
# realised from the trained ideal network and verified in ngspice, as in every mode).
QUICK = dict(hidden=8, mode="ideal", epochs=300, patience=100)


# scikit-learn's checks test the estimator API, so they predict with the surrogate (fit still
# verifies each trained circuit in ngspice: the package has no setting to skip it);
# test_classifier_predicts_the_labels_it_was_given_and_spice_agrees_with_the_surrogate
# predicts with ngspice.
@pytest.mark.slow
@pytest.mark.parametrize("estimator", [CircuitClassifier(**QUICK, backend="surrogate"),
                                       CircuitRegressor(**QUICK, backend="surrogate")],
                         ids=["classifier", "regressor"])
def test_scikit_learn_estimator_checks_pass(estimator):
    failed = check_estimator(estimator, on_fail=None)
    problems = [f"{row['check_name']}: {row['exception']!r}" for row in failed if row["status"] == "failed"]
    assert not problems, "\n".join(problems)
    assert sum(row["status"] == "passed" for row in failed) > 30  # the checks really ran


def test_classifier_in_a_pipeline_cross_validation_and_grid_search(blobs):
    x, y = blobs
    pipeline = make_pipeline(StandardScaler(), CircuitClassifier(**QUICK, backend="surrogate"))
    scores = cross_val_score(pipeline, x, y, cv=3)
    assert scores.shape == (3,) and scores.min() > 0.9
    search = GridSearchCV(CircuitClassifier(**QUICK, backend="surrogate"), {"hidden": [2, 8]}, cv=2).fit(x, y)
    assert search.best_params_["hidden"] in (2, 8)
    assert set(search.predict(x)) <= set(y)


def test_classifier_predicts_the_labels_it_was_given_and_spice_agrees_with_the_surrogate(blobs):
    x, y = blobs
    labels = np.array(["cat", "dog", "eel"])[y]
    model = CircuitClassifier(**QUICK).fit(x, labels)
    assert list(model.classes_) == ["cat", "dog", "eel"]
    spice = model.predict(x)
    assert model.score(x, labels) > 0.9
    surrogate = model.set_params(backend="surrogate").predict(x)
    assert np.array_equal(spice, surrogate)
    probabilities = model.predict_proba(x)
    assert probabilities.shape == (len(x), 3) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert model.report_["class_changes_surrogate_vs_spice"] == 0


def test_outputs_do_not_depend_on_sample_order_beyond_ngspice_tolerance(blobs):
    x, y = blobs
    model = CircuitClassifier(**QUICK).fit(x, y)
    order = np.random.default_rng(1).permutation(len(x))
    forward, shuffled = model.decision_function(x), model.decision_function(x[order])
    assert np.max(np.abs(forward[order] - shuffled)) < 1e-6
    assert np.array_equal(model.predict(x)[order], model.predict(x[order]))


def test_regressor_takes_several_outputs():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (120, 2))
    y = np.column_stack([np.abs(x[:, 0]), 0.5 * x[:, 1]])
    model = CircuitRegressor(**QUICK).fit(x, y)
    predicted = model.predict(x)
    assert predicted.shape == (120, 2)
    assert model.score(x, y) > 0.8


@pytest.fixture
def blobs():
    from sklearn.datasets import make_blobs
    return make_blobs(n_samples=150, centers=3, n_features=4, random_state=0, cluster_std=1.0)


def test_the_regressor_takes_e_series_pairs_as_fit_does():
    from circuitnet.errors import CircuitnetError
    x = np.linspace(-1, 1, 40)[:, None]
    y = np.abs(x[:, 0])
    assert CircuitRegressor(e_series_pairs=True).get_params()["e_series_pairs"] is True
    with pytest.raises(CircuitnetError, match="--e-series-pairs .* without --e-series"):
        CircuitRegressor(hidden=2, mode="ideal", epochs=5, e_series_pairs=True).fit(x, y)
    model = CircuitRegressor(hidden=2, mode="ideal", epochs=5, e_series="E24", e_series_pairs=True,
                             backend="surrogate").fit(x, y)
    assert model.report_["hyperparameters"]["e_series_pairs"] is True
    assert model.report_["e_series"]["series"] == "E24"
