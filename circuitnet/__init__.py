"""circuitnet: ReLU neural networks as analog circuits.

Build a ``ReLUNet``, realise it in a topology (``realise(net, "diode")``), read back the
ideal network a circuit's components give (``read_back``), save and load model files,
export standalone SPICE netlists. Importing circuitnet does not load ngspice.
"""

from .backends.spice.netlist import netlist_text
from .errors import (
                     CircuitnetError,
                     DataFileError,
                     InputShapeError,
                     InvalidDeviceError,
                     InvalidNetworkError,
                     ModelFileError,
                     NgspiceNotFoundError,
                     NotFittedError,
                     RealisationError,
                     SimulationError,
                     UnknownNameError,
)
from .formats.modelfile import load as load_model
from .formats.modelfile import save as save_model
from .interface.estimator import CircuitRegressor
from .model.circuit import Circuit, Stage
from .model.devices import DIODE_LIBRARY, DiodeModel, OpAmpModel, diode, shockley_diode
from .model.network import Layer, ReLUNet
from .model.sweep import Sweep, parse_sweep
from .topologies import TOPOLOGIES, RealisationOptions, get_topology, read_back, realise

__version__ = "0.1.0"

__all__ = [
    "Circuit", "CircuitRegressor", "CircuitnetError", "DataFileError", "NotFittedError", "DIODE_LIBRARY", "DiodeModel", "InputShapeError", "InvalidDeviceError",
    "InvalidNetworkError", "Layer", "ModelFileError", "NgspiceNotFoundError", "OpAmpModel", "RealisationError",
    "ReLUNet", "RealisationOptions", "SimulationError", "Stage", "Sweep", "TOPOLOGIES", "UnknownNameError",
    "diode", "get_topology", "load_model", "netlist_text", "parse_sweep", "read_back", "realise", "save_model",
    "shockley_diode",
]
