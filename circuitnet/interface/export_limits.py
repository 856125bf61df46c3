"""``circuitnet export``'s operating-limits check: the surrogate's, at the model's input range.

An export is a request for a netlist, so the file is written whatever the check finds; a
circuit that leaves its parts' safe operating area somewhere in that range gives no built
circuit's outputs there, so export says which part, where and what would bring it back
(``model.limits``' remedies, as build and simulate say them) and exits 1, as simulate and
compare do. No ngspice run: the surrogate's node volts, completed by
``backends.surrogate_limits``, agree with ngspice's within a microvolt (a precision
rectifier's superdiode outputs within 0.4 mV), far inside any limit's margin.
"""

from __future__ import annotations

import numpy as np

from ..build.worst_case import corner_inputs
from ..model.circuit import Circuit
from ..model.limits import current_remedy, rail_remedy

RANGE_POINTS = 1000  # seeded uniform points of the input box beside its corners: an output's kinks lie inside
RANGE_SEED = 0


def range_inputs(circuit: Circuit) -> np.ndarray:
    """The inputs (n, n_inputs), data units, the check visits: the corners and centre of the
    training range (``build.worst_case.corner_inputs``: the recorded data range, -1..1 for a
    model that records none) and RANGE_POINTS seeded uniform points inside it."""
    corners = corner_inputs(circuit)
    low, high = corners.min(axis=0), corners.max(axis=0)
    inside = np.random.default_rng(RANGE_SEED).uniform(low, high, (RANGE_POINTS, circuit.n_inputs))
    return np.vstack([corners, inside])


def export_limits_warning(circuit: Circuit, x: np.ndarray | None = None) -> str:
    """export's stderr warning for a circuit that leaves its parts' safe operating area at the
    inputs x (n, n_inputs), data units (default ``range_inputs``), checked by the surrogate,
    or "" when every part stays inside."""
    from ..backends.surrogate_limits import surrogate_violations
    where = "over the model's input range" if x is None else "at the exported input steps"
    found = surrogate_violations(circuit, range_inputs(circuit) if x is None else x)
    if not found:
        return ""
    return (f"warning: {len(found)} part(s) leave their safe operating area {where} (the surrogate's check, no "
            f"ngspice run), so no built circuit gives the netlist's outputs there; the worst: {found[0].message()}."
            f"{rail_remedy(circuit, found)}{current_remedy(circuit, found)} The netlist is written as asked "
            f"(exit status 1).")
