"""The floor benchmark (benchmarks/classify_cases.py ``floor_case``): its ratio is the median
of ratios taken in pairs (the plain network right before the surrogate), not a ratio of two
medians taken minutes apart, and its floor is the plain network's forward pass and gradient."""

import numpy as np

from benchmarks import classify_cases as cases
from circuitnet.model.network import Layer


def test_the_ratio_is_the_median_of_paired_ratios_with_their_range():
    # the floor ran fast in the last two pairs only, and so did the surrogate beside it:
    # the ratio of medians (2.0 / 1.0) would say 2x, each pair says 2.5x or 3x
    floor = np.array([1.0, 1.0, 1.0, 0.5, 0.5])
    ours = np.array([2.5, 2.5, 2.5, 1.5, 1.5])
    assert cases.paired_ratios(floor, ours) == (2.5, 2.5, 3.0)


def test_the_floor_is_a_plain_relu_networks_forward_pass_and_parameter_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4))
    layers = [Layer(rng.normal(size=(3, 4)), rng.normal(size=3)), Layer(rng.normal(size=(2, 3)), rng.normal(size=2))]
    cotangent = rng.normal(size=(6, 2))
    d_w2, d_b2, d_w1, d_b1 = cases._Plain(x, layers, cotangent)()
    z = x @ layers[0].weights.T + layers[0].biases
    hidden = np.maximum(z, 0.0)
    back = (cotangent @ layers[1].weights) * (z > 0)
    for found, expected in ((d_w2, cotangent.T @ hidden), (d_b2, cotangent.sum(0)), (d_w1, back.T @ x),
                            (d_b1, back.sum(0))):
        np.testing.assert_allclose(found, expected, rtol=1e-13)


def test_each_phase_counts_its_own_time_less_the_phases_it_calls():
    import time

    from benchmarks.surrogate_phases import PhaseClock

    def busy(seconds):
        end = time.process_time() + seconds
        while time.process_time() < end:
            pass

    clock = PhaseClock()
    inner = clock.wrap("inner", busy)
    outer = clock.wrap("outer", lambda: (busy(0.02), inner(0.03)))
    outer()
    assert 0.03 <= clock.seconds["inner"] < 0.04
    assert 0.02 <= clock.seconds["outer"] < 0.03  # the inner phase's 0.03 s is not counted twice
