"""Every error a user can cause, in one place.

Each class subclasses the built-in exception a Python user would expect to catch
(``ValueError`` for bad values, ``RuntimeError`` for a simulation that failed), and every
message names the bad value and says how to fix it.
"""

from __future__ import annotations


class CircuitnetError(Exception):
    """Base class of every error circuitnet raises on purpose."""


class InvalidNetworkError(CircuitnetError, ValueError):
    """A network's weights or biases have the wrong shape or are not finite."""


class OperatingLimitError(CircuitnetError, RuntimeError):
    """A circuit leaves its parts' safe operating area: it could not be built as it is.
    ``violations`` lists each part (see ``circuitnet.model.limits``)."""

    def __init__(self, message: str, violations: list):
        super().__init__(message)
        self.violations = violations


class UsageError(CircuitnetError, ValueError):
    """A command-line flag is unknown, missing, or has a value outside its range."""


class KernelChoiceError(CircuitnetError, ValueError):
    """CIRCUITNET_KERNEL names no surrogate kernel, or asks for numba where it does not import."""


class InputShapeError(CircuitnetError, ValueError):
    """Input samples do not have shape (n_samples, n_inputs) or are not finite."""


class NetlistImportError(CircuitnetError, ValueError):
    """An imported netlist holds something outside the allow-list; nothing of it was run."""


class RealisationError(CircuitnetError, ValueError):
    """A topology can't realise a network with the allowed component values.

    ``weight``: (layer, unit, column) of the weight too small to realise beside the others,
    when that is the problem (column n_in is the bias), else None.
    """

    weight: tuple[int, int, int] | None = None


class UnknownNameError(CircuitnetError, ValueError):
    """A topology, diode or op-amp name that circuitnet does not know."""


class InvalidDeviceError(CircuitnetError, ValueError):
    """A diode or op-amp parameter is missing or outside what a real device can have."""


class ModelFileError(CircuitnetError, ValueError):
    """A model file is malformed, truncated or out of bounds (the message names the field), or a
    circuit holds what a model file can't (a board's op-amp offsets)."""


class RunFolderError(CircuitnetError, ValueError):
    """A fit run's folder (data.json, data.csv, checkpoint.json) is missing a file or holds a
    malformed one; the message names the file and the field."""


class DataFileError(CircuitnetError, ValueError):
    """A CSV file of samples is empty, malformed, or has text or NaN where numbers belong."""


class NotFittedError(CircuitnetError, ValueError, AttributeError):
    """An estimator was asked to predict before ``fit``."""


class NonFiniteValueError(CircuitnetError, ValueError):
    """A result to be written as JSON holds NaN or an infinity; the message names where."""


class BuildError(CircuitnetError, ValueError):
    """A circuit can't be built as asked: its reference, its input stage or the op-amp part
    chosen for it can't serve it; the message says which value and what to change."""


class SimulationError(CircuitnetError, RuntimeError):
    """ngspice failed; the message carries ngspice's own words."""


class SurrogateLimitError(SimulationError):
    """The surrogate does not model what the circuit does here (a diode near breakdown, a
    precision rectifier's op-amp at its rail); ngspice does. The message says what and how to
    keep the signals smaller; each caller adds how to run it in ngspice alone, in its own terms
    (the CLI: ``simulate --backend spice``; ``compare`` runs the surrogate beside ngspice)."""


class NgspiceNotFoundError(SimulationError):
    """The ngspice program or library is not installed."""


class SlowSolverWarning(UserWarning):
    """The loaded ngspice has no KLU solver, so circuitnet falls back to the slower Sparse 1.3
    (the same outputs); the message says how to get KLU. Shown once per process."""


class BeyondLimitsWarning(UserWarning):
    """An estimator's predict met samples where a part of its circuit leaves its safe
    operating area (an op-amp output beyond its rails, ...): no built circuit gives those
    outputs. The message names the rows and the worst limit crossed."""
