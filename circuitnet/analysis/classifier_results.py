"""compare.json of a classifier circuit, as typed records (``compare_classifier`` returns a
``ClassifierComparison``; see compare_results for how the records write their keys).
Accuracies and yields are fractions, powers watts."""

from __future__ import annotations

from dataclasses import dataclass

from ..backends.spice.transient_results import TransientResult
from ..util.records import Record, described


@dataclass
class ClassifierAccuracy(Record):
    """The nominal circuit's accuracy on the test samples, in ngspice, the surrogate and the read-back network."""

    accuracy_spice: float = described("ngspice simulating the nominal circuit at 27 C")
    accuracy_surrogate: float = described("the surrogate")
    accuracy_ideal: float = described("the read-back network")
    class_changes_surrogate_vs_spice: int = described("test samples the surrogate classes differently from ngspice")
    confusion_matrix: list[list[int]] = described("`counts[i][j]`: test samples of class i that ngspice puts in "
                                                  "class j")


@dataclass
class TemperatureAccuracy(Record):
    """The nominal circuit's accuracy at one temperature."""

    temperature_c: float = described("degrees Celsius")
    accuracy: float = described("accuracy on the test samples in ngspice")


@dataclass
class AccuracySpread(Record):
    """The boards' accuracies: median, 5th percentile, worst and best."""

    median: float = described("median over the boards")
    p5: float = described("5th percentile")
    worst: float = described("lowest")
    best: float = described("highest")


@dataclass
class BoardAccuracies(Record):
    """Monte Carlo boards of a classifier, each judged on the test samples' labels."""

    instances: int = described("boards")
    tolerance: float = described("resistor tolerance, a fraction")
    is_spread: float = described("log-normal spread of the diodes' IS")
    seed: int = described("board k is drawn from seed (seed, k)")
    opamp_offsets: str | None = described("the op-amp part whose input offsets each board drew (None: no offsets)")
    accuracy: AccuracySpread = described("the boards' accuracies")
    yield_threshold: float = described("a board passes at an accuracy of at least this")
    yield_fraction: float = described("the share of boards that pass", key="yield")
    yield_reference: str = described("what a board is judged against, in words")
    per_board_accuracy: list[float] = described("every board's accuracy, board order")
    boards_beyond_limits: int = described("boards with a part outside its safe operating area at a test sample "
                                          "(an op-amp past a rail...): each fails the yield", default=0)
    per_board_beyond_limits: list[dict] = described("each such board: its k and its worst part, in words",
                                                    default_factory=list)


@dataclass
class ClassifierComparison(Record):
    """compare.json of a classifier (``compare_classifier``, then the CLI's additions)."""

    topology: str = described("the circuit's topology")
    hidden: list[int] = described("hidden layer widths")
    test_samples: int = described("test samples, every one simulated in ngspice")
    classes: int = described("number of classes (outputs)")
    references: dict[str, str] = described("what each figure is measured against, in words, by name")
    classifier: ClassifierAccuracy = described("the nominal circuit's accuracies and confusion matrix")
    accuracy_temperatures: list[TemperatureAccuracy] = described("one row per temperature of `--temps`")
    inference_power: dict = described("static power per inference at the test samples (median, mean, min, max "
                                      "watts) and `opamp_supply_w`, the op-amps' share (None: not modelled)")
    accuracy_boards: BoardAccuracies | None = described("with `--montecarlo N`", omit_none=True)
    violations: list[dict] = described("every part outside its safe operating area, at each temperature; empty "
                                       "when none")
    test_split: dict | None = described("which samples were the test samples: data, how, seed", omit_none=True,
                                        default=None)
    opamps: dict | None = described("the op-amp model, the op-amp and package counts and their supply power",
                                    omit_none=True, default=None)
    transient: TransientResult | None = described("with `--transient`: transient.json's document for a few "
                                                  "test samples", omit_none=True, default=None)
    ngspice: dict | None = described("the ngspice version and linear solver that measured the figures",
                                     omit_none=True, default=None)


__all__ = ["AccuracySpread", "BoardAccuracies", "ClassifierAccuracy", "ClassifierComparison", "TemperatureAccuracy"]
