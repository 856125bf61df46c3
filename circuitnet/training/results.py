"""A fit's results as typed records: the figures of each task, the E-series before and after,
and the whole report, each with ``to_dict()`` that writes report.json's keys.

The JSON document is made here and nowhere else, so a key is a field's name (or, where the
file's key says which figure it is, a name stated once beside the field). Readers take the
attributes (``report.figures.val_rmse``, ``report.validation_score``) rather than keys built
at run time. docs/file-formats.md lists these fields (tests/test_fit_results.py checks that
it does).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

from ..util.records import described
from .criterion import CLASSIFIER_FIGURE, REGRESSION_FIGURE


@dataclass
class RegressionFigures:
    """A regressor's figures, data units: RMSE of ngspice simulating the board on each split,
    and on the test split the read-back ideal network's and the surrogate's (nominal, 27 C)."""

    train_rmse: float = described("RMSE of ngspice simulating the board on the training split, data units")
    val_rmse: float = described("the same on the validation split: the figure search and topology choice rank by")
    test_rmse_spice: float = described("the same on the test split")
    test_rmse_ideal: float = described("test RMSE of the network read back from the resistors")
    test_rmse_surrogate: float = described("test RMSE of the surrogate (the nominal circuit at 27 C)")

    HEADLINE: ClassVar[str] = "test_rmse_spice"  # the test figure in ngspice, and the E-series' figure
    CRITERION: ClassVar[str] = REGRESSION_FIGURE  # the figure search and topology choice rank by
    NAMES_NGSPICE: ClassVar[bool] = False  # the report names the ngspice that measured it (FitReport.ngspice)

    @property
    def headline(self) -> float:
        return self.test_rmse_spice

    @property
    def validation_score(self) -> float:
        """What ranks fits of this task, lower is better (see ``criterion``)."""
        return float(self.val_rmse)

    def to_dict(self) -> dict:
        return asdict(self)

    def trial_figures(self) -> dict:
        """A search trial's row: the criterion and the training RMSE beside it."""
        return {"val_rmse": self.val_rmse, "train_rmse": self.train_rmse}

    def candidate_figures(self) -> dict:
        """A topology-choice row's validation and test figures."""
        return {"val_rmse": self.val_rmse, "test_rmse_spice": self.test_rmse_spice}

    def static_power_w(self) -> dict | None:
        """Static power while inferring (median, mean, min, max, watts): a regressor's report has none."""
        return None

    def named_for_validation(self) -> dict:
        """The figures of a fit whose test rows are its validation rows (the estimators'):
        test_rmse_spice is val_rmse (the same rows, the same simulation), so it is left out."""
        return {"train_rmse": self.train_rmse, "val_rmse": self.val_rmse,
                "val_rmse_ideal": self.test_rmse_ideal, "val_rmse_surrogate": self.test_rmse_surrogate}


@dataclass
class ClassifierFigures:
    """A classifier's figures: accuracies (fractions) of ngspice on the board, the surrogate
    and the read-back network on the test split; what ngspice took to simulate it; power per
    inference (watts); the surrogate's training and validation figures (validation
    cross-entropy in nats per sample); what keeping the outputs inside the swing did."""

    test_accuracy_spice: float = described("test accuracy of ngspice simulating the board, a fraction")
    test_accuracy_surrogate: float = described("test accuracy of the surrogate (nominal, 27 C)")
    test_accuracy_ideal: float = described("test accuracy of the network read back from the resistors")
    test_samples: int = described("samples in the test split, every one simulated in ngspice")
    class_changes_surrogate_vs_spice: int = described("test samples whose class differs between surrogate and "
                                                      "ngspice")
    confusion_matrix: list[list[int]] = described("`counts[i][j]`: test samples of class i that ngspice puts in "
                                                  "class j")
    per_class_accuracy: list[float] = described("ngspice's accuracy on each class's test samples")
    spice_seconds: float = described("seconds ngspice took over the test split")
    spice_samples_per_second: float = described("test samples ngspice simulated per second")
    spice_chunks: int = described("the shards the test split was simulated in")
    ngspice: dict = described("the version and linear solver of the workers that simulated it")
    static_power_per_inference_w: dict = described("median, mean, min and max static power at the test samples' "
                                                   "operating points, watts")
    train_accuracy_surrogate: float = described("training accuracy of the surrogate")
    val_accuracy_surrogate: float = described("validation accuracy of the surrogate")
    val_cross_entropy_surrogate: float = described("validation cross-entropy of the surrogate, nats per sample: "
                                                   "the figure search and topology choice rank by")
    pruned_weights: int = described("weights set to 0: realisation's and the realisability projection's",
                                    default=0)
    output_swing: list[dict] = described("after each stage, what scaling the output summers into the swing did "
                                         "(limit and worst output, volts, and the scale)", default_factory=list)
    classes: list = described("the class labels, in the order of the outputs", default_factory=list)

    HEADLINE: ClassVar[str] = "test_accuracy_spice"
    CRITERION: ClassVar[str] = CLASSIFIER_FIGURE
    NAMES_NGSPICE: ClassVar[bool] = True  # ``ngspice``: the workers that simulated the test split

    @property
    def headline(self) -> float:
        return self.test_accuracy_spice

    @property
    def validation_score(self) -> float:
        return float(self.val_cross_entropy_surrogate)

    def to_dict(self) -> dict:
        return asdict(self)

    def trial_figures(self) -> dict:
        return {"val_cross_entropy_surrogate": self.val_cross_entropy_surrogate,
                "val_accuracy_surrogate": self.val_accuracy_surrogate}

    def candidate_figures(self) -> dict:
        return {"val_accuracy_surrogate": self.val_accuracy_surrogate, "test_accuracy_spice": self.test_accuracy_spice}

    def static_power_w(self) -> dict | None:
        return self.static_power_per_inference_w

    def named_for_validation(self) -> dict:
        """As RegressionFigures.named_for_validation: every test figure named val_."""
        named = {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("test_")}
        return {**named, "val_accuracy_spice": self.test_accuracy_spice,
                "val_accuracy_surrogate": self.test_accuracy_surrogate, "val_accuracy_ideal": self.test_accuracy_ideal,
                "val_samples": self.test_samples}


Figures = RegressionFigures | ClassifierFigures


@dataclass
class SnappingFigures:
    """--e-series: the task's headline figure (``figure``: test_rmse_spice or
    test_accuracy_spice) before and after snapping every resistor to ``series`` (before is
    None for a run stopped before snapping)."""

    series: str
    figure: str
    before: float | None
    after: float
    series_pairs: int = 0

    def to_dict(self, prefix: str = "test_") -> dict:
        """{"series", "<figure>_before", "<figure>_after"}; prefix: what the figure's rows are
        called (``val_`` for the estimators, whose test rows are validation rows)."""
        name = prefix + self.figure.removeprefix("test_")
        return {"series": self.series, f"{name}_before": self.before, f"{name}_after": self.after,
                "series_pairs": self.series_pairs}


@dataclass
class FitReport:
    """report.json: the task's figures, then how the run went.

    seconds: the whole run; hyperparameters: every FitConfig setting; pruned: the weights
    realisation set to 0; epochs_run and stopped: per stage, how many epochs and which rule
    ended it; board: the board the figures were measured on; data: where the data came from;
    ngspice: the version and solver that measured them (None when the figures name it);
    e_series, topology_choice, search: only when the run had them.
    """

    figures: Figures = described("the task's figures, written first", inline=True)
    seconds: float = described("the whole run, wall time")
    hyperparameters: dict = described("every setting of the run (FitConfig)")
    pruned: list[str] = described("the weights realisation set to 0, as `layers[i].weights[j][k] = value`")
    interrupted: bool = described("stopped by Ctrl-C: the figures are the best circuit's so far")
    epochs_run: dict[str, int] = described("per stage (`ideal`, `circuit`), the epochs it ran")
    stopped: dict[str, str] = described("per stage, the rule that ended it")
    board: str = described("the board the figures were measured on, in words (tolerance, seed, temperature, "
                           "diode)")
    ngspice: dict | None = described("the ngspice version and linear solver that measured the figures (a "
                                     "classifier's figures name it)")
    opamps: dict | None = described("the op-amp model (`--opamp PART` or the generic one), the op-amp and "
                                    "package counts and their supply power (None where not modelled)",
                                    default=None)
    data: dict | None = described("where the data came from (a target, a CSV file, a dataset)", default=None)
    e_series: SnappingFigures | None = described("with `--e-series`: `series`, and the headline test figure "
                                                 "before and after snapping (`test_rmse_spice_before`, "
                                                 "`test_rmse_spice_after`, or the accuracy's), and `series_pairs`: "
                                                 "how many resistors are two parts in series", default=None)
    topology_choice: dict | None = described("with `--topology auto`: the criterion, the chosen topology, every "
                                             "candidate's row and the excluded ones", default=None)
    search: list[dict] | None = described("with `--search`: every trial's settings and figures, best first",
                                          default=None)

    @property
    def validation_score(self) -> float:
        """What search and topology choice rank this fit by, lower is better."""
        return self.figures.validation_score

    @property
    def task(self) -> str:
        return self.hyperparameters["task"]

    def to_dict(self) -> dict[str, Any]:
        """The report.json document (its key order is the file's)."""
        document = self.figures.to_dict()
        document.update(seconds=self.seconds, hyperparameters=self.hyperparameters, pruned=self.pruned,
                        interrupted=self.interrupted, epochs_run=self.epochs_run, stopped=self.stopped,
                        board=self.board)
        if self.opamps is not None:
            document["opamps"] = self.opamps
        if self.data:
            document["data"] = self.data
        if self.ngspice is not None:
            document["ngspice"] = self.ngspice
        self._add_optional(document, "test_")
        return document

    def named_for_validation(self) -> dict[str, Any]:
        """The report of a fit whose test rows are its validation rows (the estimators hold no
        test split): every test figure named val_ (see the figures' named_for_validation),
        the E-series figures and the topology choice's rows too."""
        document = {key: value for key, value in self.to_dict().items() if not key.startswith("test_")}
        document.update(self.figures.named_for_validation())
        self._add_optional(document, "val_")
        if self.topology_choice is not None:
            document["topology_choice"] = {**self.topology_choice, "candidates": [
                _row_for_validation(row) for row in self.topology_choice["candidates"]]}
        return document

    def _add_optional(self, document: dict, prefix: str) -> None:
        if self.e_series is not None:
            document["e_series"] = self.e_series.to_dict(prefix)
        if self.topology_choice is not None:
            document["topology_choice"] = self.topology_choice
        if self.search is not None:
            document["search"] = self.search


def _row_for_validation(row: dict) -> dict:
    """A topology-choice row named for validation rows: its ngspice test RMSE is its val_rmse
    (left out); a classifier's test accuracy is a validation accuracy."""
    named = {key: value for key, value in row.items() if key != "test_rmse_spice"}
    if "test_accuracy_spice" in named:
        named["val_accuracy_spice"] = named.pop("test_accuracy_spice")
    return named


__all__ = ["ClassifierFigures", "Figures", "FitReport", "RegressionFigures", "SnappingFigures"]
