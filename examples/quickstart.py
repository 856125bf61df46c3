"""The README's example: fit sin(pi x) with a 16-neuron diode circuit and test it in ngspice."""
import numpy as np
from matplotlib.figure import Figure

import circuitnet as cn

x = np.random.default_rng(0).uniform(-1, 1, (500, 1))   # 500 inputs: (n_samples, n_inputs)
model = cn.CircuitRegressor(topology="diode", hidden=16).fit(x, np.sin(np.pi * x[:, 0]))
x_new = np.linspace(-1, 1, 201)[:, None]                  # inputs the fit never saw
y_new = model.predict(x_new)                              # ngspice, on the trained resistors
print("RMSE in ngspice:", np.sqrt(np.mean((y_new - np.sin(np.pi * x_new[:, 0])) ** 2)))
cn.save_model(model.circuit_, "out/sine.json")            # then: circuitnet export out/sine.json -o sine.cir

ax = Figure(figsize=(6, 3.2), layout="constrained").subplots()
ax.plot(x_new, np.sin(np.pi * x_new), label="sin(pi x)")
ax.plot(x_new, y_new, "--", label="the diode circuit, in ngspice")
ax.legend()
ax.figure.savefig("out/quickstart.png", dpi=110)
