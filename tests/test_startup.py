"""A command line that starts at once: ``circuitnet --help`` and ``simulate`` import no plotting,
scikit-learn, Dask or PySpice (those load only where a command uses them), and the lazy top
level still gives every public name. Checked through sys.modules, which a busy machine does
not disturb; the times are in benchmarks/RESULTS.md (``python -m benchmarks startup``)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
HEAVY = ("matplotlib", "sklearn", "dask", "distributed", "PySpice", "scipy", "tqdm", "schemdraw", "numba",
         "llvmlite")
# What only some subcommands need: training, the build folder's KiCad writer and drawing.
SUBCOMMAND_MODULES = ("circuitnet.training", "circuitnet.build", "circuitnet.analysis.montecarlo")

# Every name ``circuitnet`` exported before its imports became lazy.
PUBLIC_NAMES = [
    "Circuit", "CircuitClassifier", "CircuitRegressor", "CircuitnetError", "DIODE_LIBRARY", "DataFileError",
    "DiodeModel", "InputShapeError", "OPAMP_LIBRARY", "OpAmpDynamics", "bandwidth", "opamp_dynamics", "transient",
    "transient_netlist_text", "InvalidDeviceError", "InvalidNetworkError", "Layer", "ModelFileError",
    "NetlistImportError", "NgspiceNotFoundError", "NotFittedError", "OpAmpModel", "RealisationError", "ReLUNet",
    "RealisationOptions", "SimulationError", "Stage", "Sweep", "TOPOLOGIES", "UnknownNameError", "diode",
    "get_topology", "keep_freed_memory", "load_model", "map_resistors", "netlist_text", "parse_sweep", "read_back",
    "realise", "resistors", "save_model", "shockley_diode", "simulate",
]

# Runs the CLI in a fresh interpreter, then prints which modules (and top-level packages) it had imported.
PROBE = """
import json, sys
from circuitnet.interface.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print("\\nMODULES " + json.dumps(sorted({name.split('.')[0] for name in sys.modules} | set(sys.modules))))
sys.exit(code)
"""


def imported_by(*args) -> tuple[set, subprocess.CompletedProcess]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120)
    line = [text for text in done.stdout.splitlines() if text.startswith("MODULES ")][-1]
    return set(json.loads(line[len("MODULES "):])), done


def test_importing_circuitnet_imports_nothing_heavy():
    done = subprocess.run([sys.executable, "-c", "import sys, circuitnet; print(sorted(sys.modules))"],
                          capture_output=True, text=True, timeout=60)
    loaded = set(eval(done.stdout))
    assert not {"numpy", *HEAVY} & {name.split(".")[0] for name in loaded}
    assert not [name for name in loaded if name.startswith("circuitnet.")]


def test_help_imports_no_plotting_scikit_learn_dask_or_pyspice():
    modules, done = imported_by("--help")
    assert done.returncode == 0 and "usage: circuitnet" in done.stdout, done.stderr
    assert not set(HEAVY) & modules, set(HEAVY) & modules


def test_help_imports_no_numpy_and_no_subcommand_flags():
    # the top-level help lists each subcommand's one-line help; their flags (whose choices name
    # topologies, datasets and training defaults) are built only for the subcommand that runs
    modules, done = imported_by("--help")
    assert done.returncode == 0 and "transient" in done.stdout and "build" in done.stdout, done.stderr
    assert "numpy" not in modules
    assert not [name for name in modules if name.startswith(("circuitnet.topologies", "circuitnet.solvers",
                                                             "circuitnet.backends", *SUBCOMMAND_MODULES))]


def test_a_subcommand_help_builds_its_own_flags():
    modules, done = imported_by("fit", "--help")
    assert done.returncode == 0 and "--e-series" in done.stdout and "--topology" in done.stdout, done.stderr
    assert "circuitnet.training.config" in modules


def test_the_top_level_help_lists_what_each_full_subcommand_says():
    from circuitnet.interface.parser import build_parser

    def listed(parser):
        action = parser._subparsers._group_actions[0]
        return [(choice.dest, choice.help) for choice in action._choices_actions]
    assert listed(build_parser(full=set())) == listed(build_parser())


@pytest.mark.ngspice
def test_simulate_imports_no_plotting_scikit_learn_dask_or_pyspice():
    modules, done = imported_by("simulate", str(NETLISTS / "eight_diode.json"), "--x", "-1:1:5")
    assert done.returncode == 0 and "5 point(s)" in done.stdout, done.stderr
    assert not set(HEAVY) & modules, set(HEAVY) & modules  # PySpice loads in the worker processes only
    assert not [name for name in modules if name.startswith(SUBCOMMAND_MODULES)]


@pytest.mark.slow
def test_every_public_name_still_imports():
    code = ("import circuitnet\nfrom circuitnet import *\n"
            f"names = {PUBLIC_NAMES!r}\n"
            "missing = [n for n in names if n not in dir(circuitnet) or getattr(circuitnet, n) is None]\n"
            "assert not missing, missing\nassert set(names) <= set(circuitnet.__all__)\n"
            "from circuitnet import realise, ReLUNet, CircuitClassifier, load_model\n"
            "assert realise.__module__ == 'circuitnet.topologies' and ReLUNet.__name__ == 'ReLUNet'\n"
            "assert CircuitClassifier.__module__ == 'circuitnet.interface.estimator'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_an_unknown_name_is_an_attribute_error():
    import circuitnet
    with pytest.raises(AttributeError, match="module 'circuitnet' has no attribute 'nonesuch'"):
        circuitnet.nonesuch  # noqa: B018


@pytest.mark.ngspice
def test_netlists_run_one_after_another_reuse_the_started_worker():
    from circuitnet.backends.spice.workers import WorkerPool
    with WorkerPool(workers=2) as pool:
        for _ in range(3):
            assert pool.run("* fine\nV1 a 0 1\nR1 a 0 1k\n.op\n.end\n")["a"][0] == 1.0
        assert sum(worker.pid is not None for worker in pool.workers) == 1
