"""Sample sets simulated nearest-neighbour first: fewer Newton iterations, the same outputs, in
the caller's order."""

import os
import re
import subprocess

import numpy as np
import pytest

from circuitnet import realise
from circuitnet.backends.result import circuit_inputs
from circuitnet.backends.spice.backend import SpiceBackend, samples_netlist
from circuitnet.backends.spice.batch import ngspice_program
from circuitnet.backends.spice.ordering import inverse, neighbour_order
from tests.conftest import random_network


def path_length(x: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(x, axis=0), axis=1).sum())


def test_neighbour_order_is_a_permutation_that_shortens_the_walk(rng):
    x = rng.uniform(-1, 1, (300, 4))
    order = neighbour_order(x)
    assert sorted(order) == list(range(300)) and order[0] == 0
    assert path_length(x[order]) < 0.5 * path_length(x)
    values = rng.normal(size=300)
    assert np.array_equal(values[order][inverse(order)], values)


def test_one_input_is_sorted_and_long_sets_are_walked_block_by_block(rng):
    x = rng.uniform(-1, 1, (50, 1))
    assert np.all(np.diff(x[neighbour_order(x), 0]) >= 0)
    long = rng.uniform(-1, 1, (25, 3))
    order = neighbour_order(long, block=10)
    assert sorted(order) == list(range(25))
    assert set(order[:10]) == set(range(10)) and set(order[20:]) == set(range(20, 25))


def newton_iterations(netlist: str, folder) -> int:
    """Total Newton iterations of a netlist's analysis in stock ngspice (its rusage)."""
    body = netlist.rstrip("\n").split("\n")[:-1] + [".control", "run", "rusage totiter", "quit 0", ".endc", ".end"]
    (folder / "c.cir").write_text("\n".join(body) + "\n")
    done = subprocess.run([ngspice_program(), "-b", "-n", "c.cir"], cwd=folder, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, HOME=str(folder)))
    return int(re.search(r"Total iterations\s*=\s*(\d+)", done.stdout + done.stderr).group(1))


@pytest.mark.ngspice
def test_neighbour_order_takes_fewer_newton_iterations(rng, tmp_path):
    circuit = realise(random_network(rng, 2, [24], 1), "diode")
    x = circuit_inputs(circuit, rng.uniform(-1, 1, (200, 2)))
    given = newton_iterations(samples_netlist(circuit, x), tmp_path)
    ordered = newton_iterations(samples_netlist(circuit, x[neighbour_order(x)]), tmp_path)
    assert ordered < 0.9 * given, (given, ordered)


@pytest.mark.ngspice
def test_ordered_sample_sets_give_the_callers_outputs_in_the_callers_order(spice_pool, rng):
    circuit = realise(random_network(rng, 3, [16], 2), "precision")
    x = rng.uniform(-1, 1, (80, 3))
    assert not np.array_equal(neighbour_order(x), np.arange(80))
    ordered = SpiceBackend(spice_pool).simulate(circuit, x)
    given = SpiceBackend(spice_pool, order_samples=False).simulate(circuit, x)
    assert np.array_equal(ordered.x, given.x)
    assert np.max(np.abs(ordered.y_volts - given.y_volts)) < 1e-6
    for name, values in given.nodes.items():
        assert np.max(np.abs(ordered.nodes[name] - values)) < 1e-6, name
    single = SpiceBackend(spice_pool).simulate(circuit, x[5:6])
    assert np.max(np.abs(single.y_volts[0] - given.y_volts[5])) < 1e-6
