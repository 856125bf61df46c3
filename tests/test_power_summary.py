"""One power summary (``backends.spice.power_summary``) for every file that reports static
power per operating point: the fit report, compare.json of a classifier, the topology table."""

import numpy as np
import pytest

from circuitnet.backends.spice.power_summary import power_summary


def test_the_summary_names_its_figures_in_watts_and_splits_by_part():
    total = np.array([3.0, 1.0, 2.0, 6.0])
    parts = {"resistors": np.array([2.0, 0.5, 1.5, 4.0]), "diodes": total - np.array([2.0, 0.5, 1.5, 4.0])}
    summary = power_summary(total, parts)
    assert {key: summary[key] for key in ("median_w", "mean_w", "min_w", "max_w")} == {
        "median_w": 2.5, "mean_w": 3.0, "min_w": 1.0, "max_w": 6.0}
    assert summary["by_part"]["resistors"] == {"median_w": 1.75, "mean_w": 2.0, "min_w": 0.5, "max_w": 4.0}
    assert summary["by_part"]["diodes"]["max_w"] == pytest.approx(2.0)
    assert "by_part" not in power_summary(total)


def test_fit_reports_and_compare_use_the_one_summary():
    from circuitnet.analysis import classifier_compare
    from circuitnet.training import measure, topology_choice
    assert measure.power_summary is power_summary
    assert classifier_compare.power_summary is power_summary
    assert topology_choice.power_summary is power_summary
