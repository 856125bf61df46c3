"""Values that only some stages have, or that are None until a step has run, are asked for by
name: a missing one is refused with a sentence that names it, not a TypeError on None later."""

import numpy as np
import pytest
from conftest import random_network

from circuitnet import CircuitnetError, RealisationError, realise
from circuitnet.solvers.stages import Context
from circuitnet.training.config import FitConfig


def test_a_stage_conductance_that_the_stage_lacks_is_refused_by_name():
    circuit = realise(random_network(np.random.default_rng(0), 1, [2], 1), "precision")
    ctx = Context.of(circuit, 27.0)
    assert ctx.g_optional(0, "r_offset") is None  # the precision stage has no offset resistor
    with pytest.raises(RealisationError, match="stage 0 has no r_offset"):
        ctx.g(0, "r_offset")
    np.testing.assert_allclose(ctx.g(0, "r_load").value, 1.0 / circuit.stages[0].r_load)


def test_snapping_series_is_refused_when_the_fit_asks_for_none():
    assert FitConfig(topology="diode", e_series="E24").snapping_series() == "E24"
    with pytest.raises(CircuitnetError, match=r"asks for no E-series \(e_series = None\)"):
        FitConfig(topology="diode").snapping_series()
