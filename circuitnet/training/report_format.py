"""report.json's key tables for docs/file-formats.md, generated from the result dataclasses
(training/results.py): one row per field, its key, its type and its description.

    python -m circuitnet.training.report_format   # prints the tables the page holds

tests/test_fit_results.py checks that the page holds them as printed here.
"""

from __future__ import annotations

from ..util.records import key_table
from .results import ClassifierFigures, FitReport, RegressionFigures

TABLES = {"A regressor's figures": RegressionFigures, "A classifier's figures": ClassifierFigures,
          "Every report": FitReport}


def main() -> None:
    for title, record in TABLES.items():
        print("\n".join([f"#### {title}", "", *key_table(record), ""]))


if __name__ == "__main__":
    main()
