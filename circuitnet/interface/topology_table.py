"""The table of a ``--topology auto`` choice (report.json's ``topology_choice``) as Markdown
lines: what ``circuitnet fit`` prints, docs/topology-choice.md shows and the ``auto``
benchmark appends to benchmarks/RESULTS.md."""

from __future__ import annotations


def _milliwatts(watts: float) -> str:
    return f"{1e3 * watts:.3g}"


def choice_table(choice: dict) -> list[str]:
    """One row per candidate, best first (the chosen one marked), then one per topology the
    settings excluded or whose circuit was refused, with the reason."""
    classify = choice["figure"] == "val_cross_entropy_surrogate"
    if classify:
        header = ["topology", "val cross-entropy", "val accuracy (surrogate)", "test accuracy (ngspice)"]
    else:
        header = ["topology", "val RMSE (ngspice)", "test RMSE (ngspice)"]
    header += ["op-amps", "resistors", "static power without op-amp supply, mean (mW)", "seconds"]
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for row in choice["candidates"]:
        if "refused" in row:
            lines.append(f"| {row['topology']} | refused: {row['refused']} |" + " |" * (len(header) - 2))
            continue
        name = f"**{row['topology']}** (chosen)" if row["topology"] == choice["chosen"] else row["topology"]
        if classify:
            figures = [f"{row['validation_score']:.4f}", f"{100 * row['val_accuracy_surrogate']:.1f} %",
                       f"{100 * row['test_accuracy_spice']:.1f} %"]
        else:
            figures = [f"{row['val_rmse']:.4f}", f"{row['test_rmse_spice']:.4f}"]
        lines.append("| " + " | ".join([name, *figures, str(row["opamps"]), str(row["resistors"]),
                                        _milliwatts(row["static_power_mean_w"]), f"{row['seconds']:.1f}"]) + " |")
    for name, why in choice["excluded"].items():
        lines.append(f"| {name} | excluded: {why} |" + " |" * (len(header) - 2))
    return lines
