"""Test-wide setup. Tests that need ngspice must run: the session fails, never skips,
when the ngspice program or libngspice can't be loaded."""

import ctypes
import shutil

import numpy as np
import pytest


def pytest_sessionstart(session):
    problems = []
    if shutil.which("ngspice") is None:
        problems.append("the ngspice program is not on PATH")
    try:
        ctypes.CDLL("libngspice.so.0")
    except OSError as error:
        problems.append(f"libngspice.so.0 can't be loaded ({error})")
    if problems:
        pytest.exit("ngspice is required by the tests: " + "; ".join(problems)
                    + ". Run 'make test', which installs it (apt-get install ngspice libngspice0).", returncode=1)


def random_network(rng: np.random.Generator, n_inputs: int, hidden: list[int], n_outputs: int,
                   zero_fraction: float = 0.1):
    """A ReLUNet whose weights have magnitudes in [0.2, 2] (some exactly 0) and random signs."""
    from circuitnet import ReLUNet

    sizes = [n_inputs, *hidden, n_outputs]
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        weights = rng.uniform(0.2, 2.0, (n_out, n_in)) * rng.choice([-1.0, 1.0], (n_out, n_in))
        weights[rng.random((n_out, n_in)) < zero_fraction] = 0.0
        biases = rng.uniform(0.05, 1.0, n_out) * rng.choice([-1.0, 1.0], n_out)
        layers.append((weights, biases))
    return ReLUNet.from_arrays(layers)


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)
