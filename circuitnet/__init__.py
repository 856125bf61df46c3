"""circuitnet: ReLU neural networks as analog circuits.

Build a ``ReLUNet``, realise it in a topology (``realise(net, "diode")``), read back the
ideal network a circuit's components give (``read_back``), save and load model files,
export standalone SPICE netlists, simulate (``simulate``), fit (``CircuitRegressor``,
``CircuitClassifier``: scikit-learn estimators, imported on first use so that the CLI
starts without scikit-learn).
Importing circuitnet does not load ngspice. The layers of the package are described in the
README's Architecture section and checked by tests/test_architecture.py.
"""

from .backends.registry import simulate
from .backends.spice.netlist import netlist_text
from .backends.spice.bandwidth import bandwidth
from .backends.spice.transient import transient, transient_netlist_text
from .errors import (CircuitnetError, DataFileError, InputShapeError, InvalidDeviceError, InvalidNetworkError,
                     ModelFileError, NetlistImportError, NgspiceNotFoundError, NotFittedError, RealisationError,
                     SimulationError, UnknownNameError)
from .formats.modelfile import load as load_model, save as save_model
from .model.circuit import Circuit, Stage, map_resistors, resistors
from .model.devices import DIODE_LIBRARY, DiodeModel, OpAmpModel, diode, shockley_diode
from .model.dynamics import OPAMP_LIBRARY, OpAmpDynamics, opamp_dynamics
from .model.network import Layer, ReLUNet
from .model.sweep import Sweep, parse_sweep
from .topologies import TOPOLOGIES, RealisationOptions, get_topology, read_back, realise
from .util.allocator import keep_freed_memory

__version__ = "0.1.0"
_ESTIMATORS = ("CircuitClassifier", "CircuitRegressor")


def __getattr__(name: str):
    if name in _ESTIMATORS:
        from .interface import estimator
        return getattr(estimator, name)
    raise AttributeError(f"module 'circuitnet' has no attribute {name!r}")

__all__ = [
    "Circuit", "CircuitClassifier", "CircuitRegressor", "CircuitnetError", "DIODE_LIBRARY", "DataFileError", "DiodeModel",
    "InputShapeError", "OPAMP_LIBRARY", "OpAmpDynamics", "bandwidth", "opamp_dynamics", "transient",
    "transient_netlist_text", "InvalidDeviceError", "InvalidNetworkError", "Layer", "ModelFileError", "NetlistImportError",
    "NgspiceNotFoundError", "NotFittedError", "OpAmpModel", "RealisationError", "ReLUNet", "RealisationOptions",
    "SimulationError", "Stage", "Sweep", "TOPOLOGIES", "UnknownNameError", "diode", "get_topology",
    "keep_freed_memory", "load_model", "map_resistors", "netlist_text", "parse_sweep", "read_back", "realise",
    "resistors", "save_model", "shockley_diode", "simulate",
]
