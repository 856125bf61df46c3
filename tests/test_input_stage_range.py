"""An input stage's resistors stay within the circuit's resistor range: a small data offset
(a 2-input CSV, pressure -5..5 whose samples centre 7 mV off zero) wanted a 7.2 MOhm offset
resistor against the 1k:1M range, which E96 snapping capped at 10 MOhm; it now comes from a
divider's tap (a T network), and an offset too small even for that is refused by name."""

from dataclasses import replace

import numpy as np
import pytest

from circuitnet import ReLUNet, realise
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.model.input_stage import FEEDBACK_OHMS, input_stages
from circuitnet.model.opamp_parts import opamp_model
from circuitnet.model.scaling import DataScaling

NET = ReLUNet.from_arrays([([[0.5, -0.4], [0.3, 0.6]], [0.1, -0.2]), ([[1.0, 0.8]], [0.05])])


def scaled(x_offset_2: float):
    scaling = DataScaling(np.array([5.0, x_offset_2]), np.array([5.0, 5.0]), np.array([0.0]), np.array([1.0]))
    return replace(realise(NET, "diode", opamp=opamp_model("LM358")), data_scaling=scaling)


def test_a_small_offset_comes_from_a_divider_with_every_resistor_in_range_and_the_same_current():
    circuit = scaled(-0.007)  # offset +1.4 mV: 10k x 1 V / 1.4 mV = 7.14M direct
    first, second = input_stages(circuit)
    assert second.offset == pytest.approx(0.0014) and FEEDBACK_OHMS * circuit.v_ref / second.offset > 7e6
    assert not np.isfinite(first.r_divider_top)  # -1 V: 10k straight from the rail
    low, high = circuit.resistor_range
    for ohms in (second.r_in, second.r_offset, second.r_divider_top, second.r_divider_bottom, second.r_feedback):
        assert low <= ohms <= high
    # by hand: the tap's Thevenin voltage and resistance, then the current into the virtual ground
    top, bottom = second.r_divider_top, second.r_divider_bottom
    current = circuit.v_ref * bottom / (top + bottom) / (second.r_offset + top * bottom / (top + bottom))
    assert current * FEEDBACK_OHMS == pytest.approx(second.offset, rel=1e-9)


@pytest.mark.ngspice
def test_build_lists_the_divider_and_refuses_an_offset_too_small_for_it(tmp_path, capsys):
    model = modelfile.save(scaled(-0.007), tmp_path / "model.json")
    assert main(["build", str(model), "--out", str(tmp_path / "b")]) == 0
    bom = (tmp_path / "b" / "bom.csv").read_text()
    assert "R_X2OFSA" in bom and "R_X2OFSB" in bom and "R_X2OFS," in bom
    assert "from the tap of a divider on `vref`" in (tmp_path / "b" / "BUILD.md").read_text()
    tiny = modelfile.save(scaled(-1e-6), tmp_path / "tiny.json")  # 0.2 uV: 50 GOhm direct
    assert main(["build", str(tiny), "--out", str(tmp_path / "t")]) == 2
    said = capsys.readouterr().err
    assert "input x2 (x2): its stage's offset resistor would be" in said and "--resistor-range" in said
    assert "Traceback" not in said and not (tmp_path / "t").exists()


def test_build_notes_say_all_used_when_no_unit_is_spare():
    from circuitnet.build.notes import _unused_words
    assert _unused_words(12, 12) == "all 12 used"
    assert _unused_words(11, 12).startswith("11 used; tie each unused one's + input to ground")


def test_part_names_take_the_article_they_are_read_with():
    from circuitnet.model.limits import article
    assert [f"{article(n)} {n}" for n in ("LM358", "OPA134", "NE5532", "TL072")] == [
        "an LM358", "an OPA134", "an NE5532", "a TL072"]
