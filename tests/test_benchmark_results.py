"""benchmarks/RESULTS.md keeps the latest block of each benchmark: writing a block removes
the earlier blocks of the same title and leaves the others as they were."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_machine(results: Path):
    spec = importlib.util.spec_from_file_location("benchmarks_machine", ROOT / "benchmarks" / "machine.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.RESULTS = results
    module.describe = lambda: "a test machine"
    return module


HEADER = "# Benchmark results\n\nIntro.\n\n"
OLD_SPEED = "## Speed (2026-01-01 10:00 UTC)\n\n- command: `x`\n\n| a |\n| --- |\n| 1 |\n\n"
MEMORY = "## Memory: 10,000 runs (2026-01-01 10:00 UTC)\n\n| b |\n| --- |\n| 2 |\n\n"
OTHER_SPEED = "## Speed of something else (2026-01-01 10:00 UTC)\n\n| c |\n\n"


def test_a_new_block_replaces_the_earlier_block_of_its_benchmark_only(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(HEADER + OLD_SPEED + MEMORY + OTHER_SPEED)
    load_machine(results).append_results("Speed", ["| a |", "| --- |", "| 3 |"])
    text = results.read_text()
    assert text.startswith(HEADER + MEMORY + OTHER_SPEED)
    assert text.count("## Speed (") == 1 and "| 1 |" not in text
    assert text.endswith("- machine: a test machine\n\n| a |\n| --- |\n| 3 |\n\n")


def test_the_first_block_of_a_benchmark_is_appended_after_the_others(tmp_path):
    results = tmp_path / "RESULTS.md"
    results.write_text(HEADER + MEMORY)
    load_machine(results).append_results("Memory", ["| b |"])  # a title that is a prefix of another's: not it
    load_machine(results).append_results("Speed", ["| a |"])
    text = results.read_text()
    assert text.count("## Memory: 10,000 runs (") == 1 and text.count("## Memory (") == 1
    assert text.index("## Memory (") < text.index("## Speed (")


def test_every_benchmark_module_imports():
    """`python -m benchmarks` imports every suite's module first: one stale import (a helper a
    refactor renamed) breaks every benchmark, so import them all here."""
    import importlib
    import pkgutil

    import benchmarks

    names = [module.name for module in pkgutil.iter_modules(benchmarks.__path__)]
    assert {"__main__", "opamp_offset_cases", "build_cases", "eqprop_cases"} <= set(names)
    for name in names:
        importlib.import_module(f"benchmarks.{name}")
