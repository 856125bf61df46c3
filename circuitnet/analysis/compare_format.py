"""compare.json's and transient.json's key tables for docs/file-formats.md, generated from
their result records (analysis/compare_results.py, classifier_results.py and
backends/spice/transient_results.py), as training/report_format.py does for report.json.

    python -m circuitnet.analysis.compare_format   # prints the tables the page holds

tests/test_compare_results.py checks that the page holds them as printed here.
"""

from __future__ import annotations

from ..backends.spice.transient_results import BandwidthFigures, TransientResult, TransientStep, TransientSummary
from ..util.records import key_table
from .classifier_results import BoardAccuracies, ClassifierAccuracy, ClassifierComparison
from .compare_results import (
    DataFigures,
    ImportedComparison,
    ImportedFigures,
    MonteCarloFigures,
    NetworkFigures,
    NeuronRow,
    PowerFigures,
    RegressionComparison,
    TemperatureRow,
)

# (heading, record): each heading is a #### section of the page, in this order
COMPARE_TABLES = {
    "A regressor's compare.json": RegressionComparison,
    "`network`": NetworkFigures,
    "Each of `neurons`": NeuronRow,
    "`data`": DataFigures,
    "Each of `temperatures`": TemperatureRow,
    "`montecarlo`": MonteCarloFigures,
    "`power`": PowerFigures,
    "A classifier's compare.json": ClassifierComparison,
    "`classifier`": ClassifierAccuracy,
    "`accuracy_boards`": BoardAccuracies,
    "An imported netlist's compare.json": ImportedComparison,
    "`imported`": ImportedFigures,
}
TRANSIENT_TABLES = {
    "transient.json": TransientResult,
    "Each of `steps`": TransientStep,
    "`summary`": TransientSummary,
    "`bandwidth`": BandwidthFigures,
}


def tables(records: dict[str, type]) -> list[str]:
    """The page's lines for ``records``: a heading and a key table each."""
    lines: list[str] = []
    for title, record in records.items():
        lines += [f"#### {title}", "", *key_table(record), ""]
    return lines


def main() -> None:
    print("\n".join(tables(COMPARE_TABLES) + tables(TRANSIENT_TABLES)))


if __name__ == "__main__":
    main()
