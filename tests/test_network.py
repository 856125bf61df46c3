import numpy as np
import pytest
from conftest import random_network, reference_forward

from circuitnet import InputShapeError, InvalidNetworkError, Layer, ReLUNet


@pytest.mark.parametrize("hidden", [[], [1], [5], [4, 3], [3, 2, 4]])
def test_forward_matches_reference(rng, hidden):
    net = random_network(rng, 3, hidden, 2)
    x = rng.normal(size=(50, 3))
    np.testing.assert_allclose(net.forward(x), reference_forward(net, x), rtol=1e-12, atol=1e-12)
    assert net(x).shape == (50, 2)


def test_shapes_are_validated():
    with pytest.raises(InvalidNetworkError, match=r"layers\[1\].weights has 3 columns"):
        ReLUNet.from_arrays([(np.ones((2, 1)), np.zeros(2)), (np.ones((1, 3)), np.zeros(1))])
    with pytest.raises(InvalidNetworkError, match=r"biases has shape \(3,\)"):
        ReLUNet.from_arrays([(np.ones((2, 1)), np.zeros(3))])
    with pytest.raises(InvalidNetworkError, match="must be finite"):
        ReLUNet.from_arrays([(np.array([[np.nan]]), np.zeros(1))])
    with pytest.raises(InvalidNetworkError, match="at least one layer"):
        ReLUNet(())


def test_inputs_are_validated():
    net = ReLUNet.from_arrays([(np.ones((2, 2)), np.zeros(2)), (np.ones((1, 2)), np.zeros(1))])
    with pytest.raises(InputShapeError, match=r"expected \(n_samples, 2\)"):
        net.forward(np.zeros(4))
    with pytest.raises(InputShapeError, match="3 columns but the network has 2"):
        net.forward(np.zeros((4, 3)))
    with pytest.raises(InputShapeError, match="row 1 is not finite"):
        net.forward(np.array([[0.0, 1.0], [np.inf, 0.0]]))
    with pytest.raises(InputShapeError, match="row 2 is not finite"):  # +inf and -inf: a NaN sum
        net.forward(np.array([[0.0, 1.0], [1.0, 0.0], [np.inf, -np.inf]]))
    # finite values whose sum overflows are finite inputs (the check sums them first)
    assert net.check_inputs(np.full((2, 2), 1e308)).shape == (2, 2)


def test_network_is_immutable():
    layer = Layer(np.ones((1, 1)), np.zeros(1))
    with pytest.raises(ValueError, match="read-only"):
        layer.weights[0, 0] = 2.0
