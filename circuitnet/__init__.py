"""circuitnet: ReLU neural networks as analog circuits.

Build a ``ReLUNet``, realise it in a topology (``realise(net, "diode")``), read back the
ideal network a circuit's components give (``read_back``), save and load model files,
export standalone SPICE netlists, simulate (``simulate``), fit (``CircuitRegressor``,
``CircuitClassifier``: scikit-learn estimators).
Importing circuitnet imports nothing else: each public name is imported on first use (PEP 562
``__getattr__``), so the ``circuitnet`` command starts without NumPy, matplotlib,
scikit-learn, Dask or PySpice unless its subcommand needs them, and importing circuitnet never
loads ngspice. The layers of the package are described in docs/architecture.md and checked by
tests/test_architecture.py.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# Each public name -> the module (relative to this package) that defines it, and its name there.
_EXPORTS = {
    "simulate": (".backends.registry", "simulate"),
    "default_backend": (".backends.default_backend", "default_backend"),  # what bare simulate calls use
    "close": (".backends.default_backend", "close"),  # stops the default backend's workers
    "SpiceBackend": (".backends.spice.backend", "SpiceBackend"),  # owns its ngspice workers: pass it on
    "netlist_text": (".backends.spice.netlist", "netlist_text"),
    "bandwidth": (".backends.spice.bandwidth", "bandwidth"),
    "transient": (".backends.spice.transient", "transient"),
    "transient_netlist_text": (".backends.spice.transient", "transient_netlist_text"),
    **{name: (".errors", name) for name in (
        "CircuitnetError", "DataFileError", "InputShapeError", "InvalidDeviceError", "InvalidNetworkError",
        "ModelFileError", "NetlistImportError", "NgspiceNotFoundError", "NotFittedError", "RealisationError",
        "SimulationError", "UnknownNameError")},
    "load_model": (".formats.modelfile", "load"),
    "save_model": (".formats.modelfile", "save"),
    **{name: (".model.circuit", name) for name in ("Circuit", "Stage", "map_resistors", "resistors")},
    **{name: (".model.devices", name) for name in ("DIODE_LIBRARY", "DiodeModel", "OpAmpModel", "diode",
                                                    "shockley_diode")},
    **{name: (".model.dynamics", name) for name in ("OPAMP_LIBRARY", "OpAmpDynamics", "opamp_dynamics")},
    **{name: (".model.network", name) for name in ("Layer", "ReLUNet")},
    **{name: (".model.opamp_parts", name) for name in ("OPAMP_PARTS", "OpAmpPart", "opamp_model", "opamp_part")},
    **{name: (".model.sweep", name) for name in ("Sweep", "parse_sweep")},
    **{name: (".topologies", name) for name in ("TOPOLOGIES", "RealisationOptions", "get_topology", "read_back",
                                                 "realise")},
    "keep_freed_memory": (".util.allocator", "keep_freed_memory"),
    "CircuitClassifier": (".interface.estimator", "CircuitClassifier"),
    "CircuitRegressor": (".interface.estimator", "CircuitRegressor"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    """Import a public name's module on first use and keep the name here for the next time."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'circuitnet' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
