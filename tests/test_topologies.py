"""Every registered topology: network -> circuit -> read-back round trip, and its limits."""

import numpy as np
import pytest
from conftest import random_network

from circuitnet import TOPOLOGIES, RealisationError, ReLUNet, read_back, realise

TOPOLOGY_NAMES = list(TOPOLOGIES)


def max_relative_error(a: ReLUNet, b: ReLUNet) -> float:
    worst = 0.0
    for la, lb in zip(a.layers, b.layers):
        for x, y in ((la.weights, lb.weights), (la.biases, lb.biases)):
            worst = max(worst, float(np.max(np.abs(x - y) / np.maximum(np.abs(x), 1e-3))))
    return worst


@pytest.mark.parametrize("topology", TOPOLOGY_NAMES)
def test_round_trip_on_generated_networks(topology, rng):
    """Every network a topology realises reads back to itself; almost all generated ones are
    realisable (the passive topology amplifies its output weights to make up for its
    dividers' attenuation, so a small output bias can fall outside the 1000:1 range)."""
    deepest = TOPOLOGIES[topology].max_hidden_layers or 3
    trials, refused = 100, 0
    for _ in range(trials):
        hidden = [int(rng.integers(1, 17)) for _ in range(int(rng.integers(1, deepest + 1)))]
        net = random_network(rng, int(rng.integers(1, 4)), hidden, int(rng.integers(1, 3)))
        try:
            circuit = realise(net, topology, volts_per_unit=float(rng.choice([0.5, 1.0, 2.0])))
        except RealisationError as error:
            assert "layers[" in str(error) and "resistor_range" in str(error)
            refused += 1
            continue
        assert max_relative_error(net, read_back(circuit)) <= 1e-12
        # every resistor positive and inside the range; negative weights come from inverted rails
        r_min, r_max = circuit.resistor_range
        for stage in circuit.stages:
            for array in stage.resistor_arrays().values():
                finite = array[np.isfinite(array)]
                assert np.all((finite >= r_min * (1 - 1e-12)) & (finite <= r_max * (1 + 1e-12)))
    assert refused <= (10 if topology == "passive" else 0), f"{refused} of {trials} networks refused"


@pytest.mark.parametrize("topology", TOPOLOGY_NAMES)
def test_read_back_computes_the_same_function(topology, rng):
    net = random_network(rng, 2, [6], 1)
    x = rng.uniform(-1, 1, (100, 2))
    np.testing.assert_allclose(read_back(realise(net, topology)).forward(x), net.forward(x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("topology", TOPOLOGY_NAMES)
def test_unrealisable_weight_ratio_names_the_weight(topology):
    """A topology that builds a weight as one resistor beside others refuses a ratio beyond the
    range's; one that ties both rails to every node (``weight_ratio_limited`` False) realises
    the small weight and refuses, naming it, a weight too large for the range instead."""
    net = ReLUNet.from_arrays([([[5.0, 1e-5]], [0.0]), ([[1.0]], [0.0])])
    if TOPOLOGIES[topology].weight_ratio_limited:
        with pytest.raises(RealisationError, match=r"layers\[0\]\.weights\[0\]\[1\].*1000\.\.1e\+06 ohm"):
            realise(net, topology)
        return
    assert abs(read_back(realise(net, topology)).layers[0].weights[0, 1] - 1e-5) < 1e-12
    too_large = ReLUNet.from_arrays([([[5.0, 1e3]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(RealisationError, match=r"layers\[0\]\.weights\[0\]\[1\].*1000\.\.1e\+06 ohm"):
        realise(too_large, topology)


def test_passive_refuses_two_hidden_layers():
    net = ReLUNet.from_arrays([([[1.0]], [0.0]), ([[1.0]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(RealisationError, match="at most 1 hidden layer"):
        realise(net, "passive")


def test_resistor_settings_outside_the_range_are_refused():
    net = ReLUNet.from_arrays([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(RealisationError, match="r_load = 100 ohm"):
        realise(net, "diode", r_load=100.0)


def test_unknown_topology_lists_the_choices():
    from circuitnet import UnknownNameError
    with pytest.raises(UnknownNameError, match="passive, diode, precision, resistive$"):
        realise(ReLUNet.from_arrays([([[1.0]], [0.0])]), "transistor")


def test_bad_settings_are_named():
    net = ReLUNet.from_arrays([([[1.0]], [0.0]), ([[1.0]], [0.0])])
    with pytest.raises(RealisationError, match="v_on = -0.1"):
        realise(net, "diode", v_on=-0.1)
    with pytest.raises(RealisationError, match="volts_per_unit = 0.0"):
        realise(net, "diode", volts_per_unit=0.0)
    with pytest.raises(RealisationError, match="resistor_range"):
        realise(net, "diode", resistor_range=(1e6, 1e3))
