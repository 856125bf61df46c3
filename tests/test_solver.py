"""ngspice's linear solver: KLU for large netlists wherever the loaded library has it, Sparse
below the measured crossover (``KLU_FROM_ELEMENTS``) and with a note where KLU is missing, the
same outputs either way, and every report saying which version and solver ran."""

import json
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from circuitnet import TOPOLOGIES, netlist_text, realise
from circuitnet.backends.spice.backend import SpiceBackend
from circuitnet.backends.spice.batch import ngspice_program
from circuitnet.backends.spice.messages import failure_lines
from circuitnet.backends.spice.solver import (
    KLU,
    KLU_FROM_ELEMENTS,
    SPARSE,
    netlist_elements,
    ngspice_info,
    read_version,
    requested_solver,
    solver_for,
    used_by_runs,
    with_solver,
)
from circuitnet.backends.spice.workers import WorkerPool
from circuitnet.errors import SlowSolverWarning, UsageError
from circuitnet.interface.cli import _show_warning
from tests.conftest import random_network

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"
VERSION_46 = ("******\n** ngspice-46 : Circuit level simulation program\n** Compiled with KLU Direct Linear Solver\n"
              "** The U. C. Berkeley CAD Group\n")
VERSION_39 = "******\n** ngspice-39 : Circuit level simulation program\n** The U. C. Berkeley CAD Group\n"


def test_the_version_text_tells_the_version_and_whether_klu_is_built_in():
    assert read_version(VERSION_46) == ("46", True)
    assert read_version(VERSION_39) == ("39", False)


def test_an_ngspice_without_klu_falls_back_to_sparse_with_a_note():
    info = ngspice_info("auto", VERSION_39, "Circuit: * probe\nNo. of Data Rows : 1")
    assert (info.version, info.has_klu, info.solver) == ("39", False, SPARSE)
    assert "ngspice 39 has no KLU solver" in info.note and "install ngspice 43" in info.note
    klu = ngspice_info("auto", VERSION_46, "Using KLU as Direct Linear Solver")
    assert (klu.solver, klu.note) == (KLU, None)
    assert klu.describe() == "ngspice 46, KLU solver"
    asked = ngspice_info("sparse", VERSION_46, "Using SPARSE 1.3 as Direct Linear Solver")
    assert asked.solver == SPARSE and "asked for" in asked.note


def test_the_solver_option_goes_last_so_it_overrides_the_netlists_own():
    netlist = "* t\nR1 a 0 1k\n.options klu\n.op\n.end\n"
    assert with_solver(netlist, SPARSE) == "* t\nR1 a 0 1k\n.options klu\n.op\n.options sparse\n.end\n"
    assert with_solver("* t\nR1 a 0 1k\n.op", KLU).endswith(".op\n.options klu\n")


def test_auto_chooses_sparse_below_the_crossover_and_klu_from_it_an_explicit_choice_is_kept():
    assert solver_for("auto", True, KLU_FROM_ELEMENTS - 1) == SPARSE
    assert solver_for("auto", True, KLU_FROM_ELEMENTS) == KLU
    assert solver_for("auto", False, 10 * KLU_FROM_ELEMENTS) == SPARSE  # no KLU built in
    assert solver_for("klu", True, 3) == KLU and solver_for("sparse", True, 10 * KLU_FROM_ELEMENTS) == SPARSE


def test_a_netlists_size_is_its_element_lines_outside_control_blocks():
    netlist = ("* title\nR1 a 0 1k\n+ tc1=0\nBx x 0 V = pwl(v(i), 0, 1,\n+ 1, 2)\n.options klu\n"
               ".control\nrun\nwrdata out v(a)\nset wr_singlescale\n.endc\nxsub a b cell\n.end\n")
    assert netlist_elements(netlist) == 3  # R1, Bx and the subcircuit instance


def test_a_report_names_the_solvers_the_runs_used_and_why_sparse_ran():
    probe = ngspice_info("auto", VERSION_46, "Using KLU as Direct Linear Solver")
    assert used_by_runs(probe, set(), "auto") == probe  # nothing ran yet: the probe's
    small = used_by_runs(probe, {SPARSE}, "auto")
    assert small.solver == SPARSE and f"fewer than {KLU_FROM_ELEMENTS:,} elements" in small.note
    assert small.describe().startswith("ngspice 46, Sparse solver (")
    both = used_by_runs(probe, {KLU, SPARSE}, "auto")
    assert both.describe().startswith(f"ngspice 46, KLU and Sparse solvers (KLU from {KLU_FROM_ELEMENTS:,} elements")
    assert used_by_runs(probe, {KLU}, "auto").note is None
    old = ngspice_info("auto", VERSION_39, "No. of Data Rows : 1")
    assert used_by_runs(old, {SPARSE}, "auto").note == old.note  # the missing KLU is the reason


def test_an_unknown_solver_name_is_refused(monkeypatch):
    with pytest.raises(UsageError, match="ngspice solver 'umfpack' .* not one of auto, klu, sparse"):
        requested_solver("umfpack")
    monkeypatch.setenv("CIRCUITNET_NGSPICE_SOLVER", "fast")
    with pytest.raises(UsageError, match="'fast' \\(from CIRCUITNET_NGSPICE_SOLVER\\)"):
        WorkerPool(workers=1)
    monkeypatch.setenv("CIRCUITNET_NGSPICE_SOLVER", "Sparse")
    assert requested_solver() == "sparse"


def test_the_solver_lines_of_ngspice_are_not_failures():
    assert failure_lines("Using KLU as Direct Linear Solver\nUsing SPARSE 1.3 as Direct Linear Solver") == []


def test_the_fallback_note_is_one_line_on_stderr(capsys):
    with warnings.catch_warnings():
        warnings.showwarning = _show_warning
        warnings.simplefilter("always")
        warnings.warn("ngspice 39 has no KLU solver", SlowSolverWarning)
    assert capsys.readouterr().err == "circuitnet: note: ngspice 39 has no KLU solver\n"


def _program_has_klu() -> bool:
    done = subprocess.run([ngspice_program(), "--version"], capture_output=True, text=True, timeout=30)
    return read_version(done.stdout)[1]


@pytest.mark.ngspice
def test_workers_use_klu_where_the_library_has_it_and_sparse_when_asked():
    with WorkerPool(workers=1, solver="auto") as auto, WorkerPool(workers=1, solver="sparse") as sparse:
        info, old = auto.ngspice_info(), sparse.ngspice_info()
    assert info.has_klu == _program_has_klu()  # the library and the program come from one ngspice
    assert info.solver == (KLU if info.has_klu else SPARSE)
    assert re.fullmatch(r"\d+(\.\d+)*", info.version), info.version
    assert old.solver == SPARSE and old.version == info.version


@pytest.mark.ngspice
def test_auto_runs_small_netlists_with_sparse_and_large_ones_with_klu_and_says_so(rng):
    """The solver each run used is read from ngspice's own "Using ... as Direct Linear Solver"
    line: a 2-8-1 circuit is below the crossover, a 16-64-10 one (about 2,300 elements) above."""
    small = realise(random_network(rng, 2, [8], 1), "diode")
    large = realise(random_network(rng, 16, [64], 10), "diode")
    has_klu = _program_has_klu()
    with WorkerPool(workers=1, solver="auto") as auto, WorkerPool(workers=1, solver="klu") as klu:
        SpiceBackend(auto).simulate(small, rng.uniform(-1, 1, (4, 2)))
        assert auto.ngspice_info().solver == SPARSE
        assert auto.workers[0].solvers_used == {SPARSE}
        SpiceBackend(auto).simulate(large, rng.uniform(-1, 1, (4, 16)))
        assert auto.workers[0].solvers_used == ({KLU, SPARSE} if has_klu else {SPARSE})
        SpiceBackend(klu).simulate(small, rng.uniform(-1, 1, (4, 2)))  # asked for: kept on a small netlist
        assert klu.ngspice_info().solver == (KLU if has_klu else SPARSE)


@pytest.mark.ngspice
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_klu_and_sparse_give_the_same_outputs_within_a_nanovolt(rng, topology):
    circuit = realise(random_network(rng, 3, [24], 2), topology)
    x = rng.uniform(-1, 1, (60, 3))
    with WorkerPool(workers=1, solver="klu") as klu, WorkerPool(workers=1, solver="sparse") as sparse:
        fast, slow = SpiceBackend(klu).simulate(circuit, x), SpiceBackend(sparse).simulate(circuit, x)
        solvers = klu.ngspice_info().solver, sparse.ngspice_info().solver
    assert solvers == ((KLU if _program_has_klu() else SPARSE), SPARSE)
    assert np.max(np.abs(fast.y_volts - slow.y_volts)) <= 1e-9
    for name, values in slow.nodes.items():
        assert np.max(np.abs(fast.nodes[name] - values)) <= 1e-9, name


@pytest.mark.ngspice
def test_an_exported_netlist_asks_for_klu_and_stock_ngspice_runs_it(tmp_path):
    circuit = realise(random_network(np.random.default_rng(3), 1, [8], 1), "diode")
    (tmp_path / "c.cir").write_text(netlist_text(circuit, data_file="c.dat"))
    assert ".options klu" in (tmp_path / "c.cir").read_text()
    done = subprocess.run([ngspice_program(), "-b", "-n", "c.cir"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, HOME=str(tmp_path)))
    assert done.returncode == 0 and (tmp_path / "c.dat").exists(), done.stderr
    output = done.stdout + done.stderr
    assert ("Using KLU as Direct Linear Solver" in output) == _program_has_klu()


@pytest.mark.ngspice
def test_simulate_reports_the_ngspice_version_and_solver():
    done = subprocess.run([sys.executable, "-m", "circuitnet", "simulate", str(NETLISTS / "eight_diode.json"),
                           "--x", "-1:1:5", "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)["ngspice"]
    assert found["solver"] == SPARSE and found["version"] != "unknown"  # eight neurons: below the crossover
    assert (f"fewer than {KLU_FROM_ELEMENTS:,} elements" if _program_has_klu() else "has no KLU solver") in found["note"]
    text = subprocess.run([sys.executable, "-m", "circuitnet", "simulate", str(NETLISTS / "eight_diode.json"),
                           "--x", "-1:1:5"], capture_output=True, text=True, timeout=120)
    assert f"ngspice {found['version']}, {found['solver']} solver" in text.stdout
