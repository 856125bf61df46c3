"""The one figure on validation data that chooses between fits: ``--search``'s trials and
``--topology auto``'s candidates are both ranked by it (``FitReport.validation_score``, lower
is better).

- Regression: the validation RMSE of ngspice simulating the board (``val_rmse``, data units),
  the figure the fit report has always had.
- Classification: the validation cross-entropy of the trained circuit
  (``val_cross_entropy_surrogate``, nats per sample, at the fit's ``score_gain``), computed
  by the surrogate on the validation split. Cross-entropy rather than accuracy because it is
  what training minimised and stopped on, and because it is continuous: on a validation
  split of a few dozen samples, accuracies tie often (two candidates with 58 of 60 right),
  while cross-entropy still says which one is surer of its right answers. The surrogate
  rather than ngspice because the report simulates only the test split in ngspice (the
  surrogate and ngspice disagree on a handful of samples at most, which the report counts);
  the validation accuracy is reported beside it.
"""

from __future__ import annotations

REGRESSION_FIGURE = "val_rmse"
CLASSIFIER_FIGURE = "val_cross_entropy_surrogate"


def validation_figure(task: str) -> str:
    """The report key that ranks fits of ``task`` (``regress`` or ``classify``)."""
    return CLASSIFIER_FIGURE if task == "classify" else REGRESSION_FIGURE


def criterion_name(task: str) -> str:
    """How the criterion of ``task`` reads in reports and tables."""
    return ("validation cross-entropy (surrogate), lower is better" if task == "classify"
            else "validation RMSE (ngspice), lower is better")
