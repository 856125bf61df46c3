"""Imported netlists in ngspice: nodes inside subcircuits, and ``.func``, simulate as the same
circuit drawn flat; bad node names and hostile functions are refused before anything runs."""

import subprocess
import sys

import numpy as np
import pytest

from circuitnet.analysis.compare import compare_netlist
from circuitnet.model.sweep import Sweep
from circuitnet.topologies.shared_blocks import ACCURACY_OPTIONS

DIODE = ".model D1N4148 D(IS=4.352E-9 N=1.906 RS=0.6458 BV=110 IBV=0.0001)"
NESTED = f"""* the rectifier as a subcircuit inside a subcircuit; y is reached only through X1
.subckt rect in out
D1 in mid D1N4148
R1 mid out 1
R2 out 0 10k
.ends
.subckt pair a b
X2 a b rect
R3 b 0 1meg
.ends
V1 in 0 DC 0
X1 in y pair
{DIODE}
.end
"""
FLAT = f"""* the same circuit drawn flat
V1 in 0 DC 0
D1 in mid D1N4148
R1 mid y 1
R2 y 0 10k
R3 y 0 1meg
{DIODE}
{ACCURACY_OPTIONS}
.save y mid
.dc V1 0 2 0.05
.end
"""
SWEEP = Sweep(0.0, 2.0, 41)


@pytest.fixture(scope="module")
def flat(spice):
    """The flat circuit's node voltages over SWEEP, node -> (41,) volts."""
    return spice.pool.run(FLAT)


@pytest.mark.ngspice
@pytest.mark.parametrize("nested_node, flat_node", [("y", "y"), ("x1.x2.mid", "mid")])
def test_a_subcircuits_nodes_simulate_as_the_flat_circuits(nested_node, flat_node, spice, flat):
    """Issue #22, 8: the top-level node y, reached only through an instance, and an internal
    node by its dotted path, give the flat circuit's voltages."""
    numbers, curves = compare_netlist(NESTED, "nested.cir", "V1", nested_node, sweep=SWEEP, spice=spice)
    assert len(flat[flat_node]) == SWEEP.n and flat[flat_node][-1] > 1.0  # the diode conducts: a curve, not zeros
    np.testing.assert_allclose(curves["transfer"], flat[flat_node], rtol=0, atol=1e-9)
    assert numbers.imported.output == nested_node


@pytest.mark.ngspice
def test_a_func_netlist_simulates_its_functions_value(spice):
    """A B source through two .func definitions (one calling the other) equals the formula."""
    netlist = ("* soft rectifier\n.param k=10\n.func soft(x, k) = {log(1 + exp(k*x))/k}\n"
               ".func shifted(x) soft(x - 1, k)\nV1 in 0 DC 0\nB1 out 0 V={2*shifted(v(in))}\nR1 out 0 1k\n.end\n")
    _, curves = compare_netlist(netlist, "soft.cir", "V1", "out", sweep=SWEEP, spice=spice)
    x = SWEEP.values()
    np.testing.assert_allclose(curves["transfer"], 2 * np.log1p(np.exp(10 * (x - 1))) / 10, rtol=1e-6, atol=1e-9)


def run_compare(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", "compare", *args], capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_cli_names_a_node_inside_a_subcircuit_by_its_path(tmp_path):
    drawn = tmp_path / "nested.cir"
    drawn.write_text(NESTED)
    done = run_compare("--netlist", str(drawn), "--input", "V1", "--output", "mid", "--out", str(tmp_path / "c"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == (
        "circuitnet compare: nested.cir: no node 'mid' in the netlist (its nodes: 0, in, y); 'mid' is a node inside "
        "subcircuit instances, which ngspice names by their path: x1.x2.mid")
    assert not (tmp_path / "c").exists()


def test_a_hostile_func_netlist_is_refused_before_anything_runs(tmp_path):
    marker = tmp_path / "pwned"
    hostile = tmp_path / "evil.cir"
    hostile.write_text(f"* evil\n.func f(x) {{x}}\nV1 in 0 1\nB1 out 0 V=f(v(in))\nR1 out 0 1k\n"
                       f".control\nshell touch {marker}\n.endc\n.end\n")
    done = run_compare("--netlist", str(hostile), "--input", "V1", "--output", "out", "--out", str(tmp_path / "c"))
    assert done.returncode == 2 and "evil.cir, line 6: 'control' is not allowed" in done.stderr
    assert not marker.exists() and not (tmp_path / "c").exists()
