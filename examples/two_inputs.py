"""A 2-input fit with the scikit-learn style API: the saddle x1^2 - x2^2 on [-1, 1]^2.

    python examples/two_inputs.py
"""

import numpy as np

from circuitnet import CircuitRegressor
from circuitnet.training.data import get_target, sample_target

rng = np.random.default_rng(0)
target = get_target("saddle")
x_train, y_train = sample_target(target, 1000, rng)
x_test, y_test = sample_target(target, 400, rng)

model = CircuitRegressor(topology="diode", hidden=24, mode="surrogate", seed=0).fit(x_train, y_train[:, 0])
prediction = model.predict(x_test)  # simulated in ngspice
print(f"saddle x1^2 - x2^2, 24 neurons: test RMSE {np.sqrt(np.mean((prediction - y_test[:, 0]) ** 2)):.4f} (ngspice), "
      f"R^2 {model.score(x_test, y_test[:, 0]):.3f}; {model.circuit_.resistor_count()} resistors")
