"""The 784-100-10 op-amp offsets benchmark (benchmarks/opamp_offset_784_cases.py), on a small
digits classifier: a model file it is given keeps the nominal ngspice accuracy its fit measured
(the benchmark printed "-" for it), every board is printed as it is measured (a run that stops
late keeps them), and its rows hold the figures the surrogate and ngspice give."""

import json

import numpy as np
import pytest

from benchmarks import opamp_offset_784_cases as cases
from circuitnet import save_model
from circuitnet.analysis.montecarlo import monte_carlo_board
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.interface.opamp_choice import circuit_with_opamp
from circuitnet.topologies import circuit_elements
from circuitnet.training.classes import load_dataset, stratified_split


@pytest.fixture(scope="module")
def split():
    return stratified_split(load_dataset("digits"), 0)


def test_a_given_model_keeps_the_nominal_accuracy_of_its_fits_report(digits_classifier, split, tmp_path,
                                                                   monkeypatch):
    save_model(digits_classifier.circuit, tmp_path / "model.json")
    (tmp_path / "report.json").write_text(json.dumps({"test_accuracy_spice": 0.8765}))
    monkeypatch.setenv("CIRCUITNET_TEST_MODEL", str(tmp_path / "model.json"))
    found = cases.trained("CIRCUITNET_TEST_MODEL", 1.0, split)
    assert found.nominal == 0.8765
    assert "report.json" in found.source and str(tmp_path / "model.json") in found.source
    assert found.circuit.n_outputs == 10


def test_the_cost_of_offsets_is_measured_against_the_same_boards_resistors_alone():
    found = {None: np.array([0.97, 0.96, 0.98]), "TL072": np.array([0.96, 0.95, 0.97])}
    assert cases.cost_sentence(found) == "TL072 offsets cost the median 1.00 points and the worst 1.00 points"


@pytest.mark.ngspice  # the digits_classifier fixture's fit verifies in ngspice
def test_each_board_is_printed_as_measured_and_the_row_holds_the_surrogates_figures(digits_classifier, split,
                                                                                     capsys):
    base = cases.Trained(digits_classifier.circuit, 0.9, "given")
    rows, found = cases.board_rows(base, split, 3, "small digits", (None, "TL072"))
    printed = capsys.readouterr().out
    for label in ("small digits, resistors only", "small digits, TL072"):
        assert all(f"{label}: board {k}: " in printed for k in range(3))
    truth = split.y_test[:, 0].astype(np.int64)
    circuit = cases.with_part(digits_classifier.circuit, "TL072")
    expected = [np.mean(np.argmax(SurrogateBackend().simulate(monte_carlo_board(circuit, k, 0.01, 0),
                                                              split.x_test).y, axis=1) == truth) for k in range(3)]
    assert np.array_equal(found["TL072"], expected)
    cells = [cell.strip() for cell in rows[1].strip("|").split("|")]
    assert len(cells) == len(cases.BOARD_TABLE[1].strip("|").split("|"))
    assert cells[3] == "90.00 %" and cells[4] == f"{100 * np.median(expected):.2f} %"
    assert cells[5] == f"{100 * np.min(expected):.2f} %" and cells[1] == "TL072: data-sheet V_os, I_b, I_os"


@pytest.mark.ngspice
def test_the_larger_signal_is_the_most_volts_per_unit_that_keeps_the_boards_inside_the_swing(digits_classifier,
                                                                                               split, monkeypatch):
    monkeypatch.setattr(cases, "BOARDS", 3)
    base = cases.Trained(digits_classifier.circuit, 0.9, "given")
    tl072 = cases.with_part(base.circuit, "TL072")
    _, largest = cases.surrogate_boards(tl072, 3, split, "at 1 V")
    larger = cases.larger_signal(base, split)
    volts = larger.circuit.volts_per_unit
    assert volts == np.floor(10 * 13.5 / largest) / 10 and volts > 1.0  # the TL072 swings to +-13.5 V on +-15 V
    _, scaled_largest = cases.surrogate_boards(cases.with_part(larger.circuit, "TL072"), 3, split, "larger")
    assert 13.5 * 0.8 < scaled_largest <= 13.5
    assert np.array_equal(larger.circuit.stages[0].r_plain, base.circuit.stages[0].r_plain)  # not retrained
    truth = split.y_test[:, 0].astype(np.int64)
    assert larger.nominal == np.mean(np.argmax(SurrogateBackend().simulate(larger.circuit, split.x_test).y, 1) == truth)


@pytest.mark.ngspice
def test_every_board_is_measured_in_ngspice_printed_as_it_finishes_and_beside_the_surrogate(digits_classifier,
                                                                                             split, capsys):
    base = cases.Trained(digits_classifier.circuit, 0.9, "given")
    with cases.WorkerPool(workers=2) as pool:
        rows, found = cases.spice_board_rows(base, split, 3, pool, "small digits", ("TL072",))
    printed = capsys.readouterr().out
    assert all(f"small digits, TL072: board {k}: ngspice " in printed for k in range(3))
    truth = split.y_test[:, 0].astype(np.int64)
    circuit = cases.with_part(digits_classifier.circuit, "TL072")
    boards = [monte_carlo_board(circuit, k, 0.01, 0) for k in range(3)]
    with cases.WorkerPool(workers=1) as pool:
        spice = [np.mean(np.argmax(cases.SpiceBackend(pool).simulate(b, split.x_test).y, axis=1) == truth)
                 for b in boards]
    modelled = [np.mean(np.argmax(SurrogateBackend().simulate(b, split.x_test).y, axis=1) == truth) for b in boards]
    assert np.array_equal(found["TL072"], spice)  # the row's accuracies are ngspice's, board by board
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert len(cells) == len(cases.SPICE_TABLE[1].strip("|").split("|"))
    assert cells[4] == f"{100 * np.median(spice):.2f} %" and cells[5] == f"{100 * np.min(spice):.2f} %"
    # every board checked against the operating limits from its own ngspice run, as compare does
    with cases.WorkerPool(workers=1) as pool:
        checked = [cases.SpiceBackend(pool).simulate_limited(b, split.x_test)[1] for b in boards]
    assert cells[7] == f"{sum(bool(found) for found in checked)}"
    inside = np.array([not found for found in checked])
    assert cells[6] == f"{100 * np.mean((np.array(spice) >= cases.YIELD_AT) & inside):.0f} %"
    assert cells[8] == f"{100 * np.median(modelled):.2f} %, {100 * np.min(modelled):.2f} %"
    assert float(cells[9]) < 1.0 and cells[10] == "0"  # within 1 uV of the surrogate, no sample classed differently


@pytest.mark.ngspice
def test_the_energy_rows_name_the_whole_board_and_their_split_adds_up_to_the_energy(digits_classifier, split,
                                                                                    monkeypatch):
    monkeypatch.setattr(cases, "ENERGY_PARTS", (("TL072", 50e-6),))
    rows = cases.energy_case(cases.Trained(digits_classifier.circuit, 0.9, "given"), split, images=1)
    cells = [cell.strip() for cell in rows[-1].strip("|").split("|")]
    assert len(cells) == len(rows[3].strip("|").split("|"))
    in_circuit = sum(e.part == "opamp" for e in circuit_elements(circuit_with_opamp(digits_classifier.circuit,
                                                                                    "TL072", None)))
    # the network's op-amps, the reference's two and the spare unit of the last dual package
    total = 2 * -(-(in_circuit + 2) // 2)
    assert cells[1].startswith(f"{total} amplifiers in {total // 2} packages: {in_circuit} in the circuit")
    shares = [float(v) for v in cells[7].split(", ")]
    median = float(cells[6].split(", ")[0])
    assert abs(sum(shares) - median) <= 0.01 * median and cells[8].endswith(" %")
    assert abs(float(cells[8].removesuffix(" %")) - 100.0) <= 1.0
