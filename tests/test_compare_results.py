"""compare's and transient's typed results (analysis/compare_results.py, classifier_results.py,
backends/spice/transient_results.py): ``to_dict`` writes compare.json's and transient.json's
keys exactly as the commands wrote them before the results were typed, in the same order,
key by key, and the values are the attributes'."""

import json

import numpy as np
import pytest
from test_compare import RECTIFIER
from test_export import NETLISTS

from circuitnet import Sweep, load_model
from circuitnet.analysis.classifier_compare import compare_classifier
from circuitnet.analysis.classifier_results import ClassifierComparison
from circuitnet.analysis.compare import compare_circuit, compare_netlist
from circuitnet.analysis.compare_results import ImportedComparison, RegressionComparison
from circuitnet.analysis.held_out import HeldOutData
from circuitnet.backends.spice.bandwidth import bandwidth
from circuitnet.backends.spice.transient import transient, with_bandwidth
from circuitnet.backends.spice.transient_results import TransientResult
from circuitnet.backends.opamp_summary import opamp_summary
from circuitnet.util.executor import LocalExecutor
from circuitnet.util.finite_json import json_text

# The keys of the documents as `circuitnet compare` and `circuitnet transient` wrote them before
# the results were typed (recorded from their --json output on the code of that time), in order.
REGRESSOR_KEYS = ["topology", "sweep", "hidden", "held_inputs", "references", "network", "neurons",
                  "neurons_reference", "data", "temperatures", "montecarlo", "power", "violations", "opamps",
                  "transient", "ngspice"]
NETWORK_KEYS = ["circuit_vs_readback_network", "surrogate_vs_readback_network", "spice_vs_surrogate_v"]
DATA_KEYS = ["source", "samples", "held_out", "fit_rows", "heading", "advice", "circuit_vs_data_rmse",
             "surrogate_vs_data_rmse", "readback_network_vs_data_rmse"]
MONTECARLO_KEYS = ["instances", "tolerance", "is_spread", "seed", "board_vs_nominal_spice_max_abs", "yield_threshold",
                   "yield", "yield_reference", "per_board_vs_nominal_spice_max_abs", "board_vs_data_rmse",
                   "per_board_vs_data_rmse", "opamp_offsets", "boards_beyond_limits", "per_board_beyond_limits"]
POWER_KEYS = ["opamp_model", "delivered", "delivered_total", "dissipated_resistors", "dissipated_diodes",
              "opamp_supply", "opamp_output_stage", "opamp_supply_note", "balance_max_w"]
NEURON_KEYS = ["node", "layer", "unit", "max_deviation_v", "rms_deviation_v", "ideal_knee", "fitted_knee",
               "knee_shift", "fitted_slope", "ideal_slope", "fit_rms_residual"]
TEMPERATURE_KEYS = ["temperature_c", "vs_nominal_spice", "vs_readback_network", "vs_data_rmse"]
CLASSIFIER_KEYS = ["topology", "hidden", "test_samples", "classes", "references", "classifier",
                   "accuracy_temperatures", "inference_power", "accuracy_boards", "violations", "test_split", "opamps",
                   "transient", "ngspice"]
ACCURACY_KEYS = ["accuracy_spice", "accuracy_surrogate", "accuracy_ideal", "class_changes_surrogate_vs_spice",
                 "confusion_matrix"]
BOARDS_KEYS = ["instances", "tolerance", "is_spread", "seed", "opamp_offsets", "accuracy", "yield_threshold", "yield",
               "yield_reference", "per_board_accuracy", "boards_beyond_limits", "per_board_beyond_limits"]
IMPORTED_KEYS = ["netlist", "input", "output", "hidden", "sweep", "elbows", "skipped", "included", "output_bias",
                 "deviation"]
TRANSIENT_KEYS = ["opamp", "step_time_s", "rise_time_s", "settle", "steps", "summary", "bandwidth"]
OPAMP_KEYS = ["name", "gbw_hz", "slew_v_per_us", "source", "rails"]
STEP_KEYS = ["x", "y_volts_final", "y_volts_dc", "settling_time_s", "output_settling_s", "last_to_settle", "energy_j",
             "inference_energy_j"]
SUMMARY_KEYS = ["inferences_per_second", "worst_settling_time_s", "unsettled_steps", "energy_per_inference_j",
                "last_to_settle", "opamp_model", "opamp_board", "energy_per_inference_split_j"]
SWEEP = Sweep(-1.0, 1.0, 11)


def as_written(document: dict) -> dict:
    """The document as the file holds it: through the JSON writer and back (plain JSON types only)."""
    return json.loads(json_text(document))


@pytest.mark.ngspice
def test_a_regressors_compare_json_has_the_keys_it_had_in_their_order(spice):
    from circuitnet.interface.opamp_choice import circuit_with_opamp, transient_dynamics
    circuit = circuit_with_opamp(load_model(NETLISTS / "elbow_diode.json"), "TL072", None)
    x = np.array([[-0.5], [0.1], [0.7]])
    data = HeldOutData(x, np.abs(x), "three samples")
    numbers, _ = compare_circuit(circuit, SWEEP, (0.0, 27.0), montecarlo=3, data=data, executor=LocalExecutor(2),
                                 spice=spice)
    assert isinstance(numbers, RegressionComparison)
    # what the CLI adds, as command_compare adds it
    numbers.opamps = opamp_summary(circuit)
    numbers.transient = transient(circuit, x[:2], transient_dynamics(circuit), 20e-6, spice=spice)
    numbers.ngspice = spice.ngspice_info().to_dict()
    document = numbers.to_dict()
    assert as_written(document) == document
    assert list(document) == REGRESSOR_KEYS
    assert list(document["network"]) == NETWORK_KEYS and list(document["data"]) == DATA_KEYS
    assert list(document["montecarlo"]) == MONTECARLO_KEYS and list(document["power"]) == POWER_KEYS
    assert [list(row) for row in document["neurons"]] == [NEURON_KEYS]
    assert [list(row) for row in document["temperatures"]] == [TEMPERATURE_KEYS] * 2
    assert list(document["transient"]) == TRANSIENT_KEYS[:-1]  # no bandwidth in compare
    assert document["network"]["circuit_vs_readback_network"] == {
        "max_abs": numbers.network.circuit_vs_readback_network.max_abs,
        "rms": numbers.network.circuit_vs_readback_network.rms}
    assert document["montecarlo"]["yield"] == numbers.montecarlo.yield_fraction
    assert document["montecarlo"]["board_vs_data_rmse"]["worst"] == max(numbers.montecarlo.per_board_vs_data_rmse)
    assert document["montecarlo"]["opamp_offsets"] == "TL072"
    assert list(document["power"]["delivered_total"]) == ["max_w", "mean_w"]
    assert document["temperatures"][0]["vs_data_rmse"] == numbers.temperatures[0].vs_data_rmse


@pytest.mark.ngspice
def test_a_regressor_without_data_boards_or_the_clis_additions_writes_none_of_their_keys(spice):
    numbers, _ = compare_circuit(load_model(NETLISTS / "elbow_diode.json"), SWEEP, (27.0,), spice=spice)
    document = numbers.to_dict()
    assert list(document) == [key for key in REGRESSOR_KEYS
                              if key not in ("data", "montecarlo", "opamps", "transient", "ngspice")]
    assert list(document["temperatures"][0]) == TEMPERATURE_KEYS[:-1]
    # the generic op-amp: the supply figures are there, null, with the note saying why
    assert document["power"]["opamp_supply"] is None and document["power"]["opamp_supply_note"]


@pytest.mark.ngspice
def test_a_classifiers_compare_json_has_the_keys_it_had_in_their_order(spice):
    circuit = load_model(NETLISTS / "three_class_diode.json")
    x = np.random.default_rng(5).uniform(-1, 1, (12, 4))
    truth = np.digitize(x.sum(axis=1), [-0.5, 0.5])
    numbers, curves = compare_classifier(circuit, x, truth, (27.0, 50.0), montecarlo=2, executor=LocalExecutor(2),
                                         spice=spice)
    assert isinstance(numbers, ClassifierComparison)
    numbers.test_split = {"data": "twelve samples", "seed": None, "how": "as given"}
    numbers.opamps = opamp_summary(circuit)
    numbers.ngspice = spice.ngspice_info().to_dict()
    document = numbers.to_dict()
    assert as_written(document) == document
    assert list(document) == [key for key in CLASSIFIER_KEYS if key != "transient"]
    assert list(document["classifier"]) == ACCURACY_KEYS and list(document["accuracy_boards"]) == BOARDS_KEYS
    assert list(document["accuracy_boards"]["accuracy"]) == ["median", "p5", "worst", "best"]
    assert list(document["inference_power"]) == ["median_w", "mean_w", "min_w", "max_w", "opamp_supply_w"]
    assert [list(row) for row in document["accuracy_temperatures"]] == [["temperature_c", "accuracy"]] * 2
    assert document["accuracy_boards"]["yield"] == numbers.accuracy_boards.yield_fraction
    assert np.sum(document["classifier"]["confusion_matrix"]) == len(x)
    assert len(curves["power_w"]) == len(x)


@pytest.mark.ngspice
def test_an_imported_netlists_compare_json_has_the_keys_it_had(spice):
    numbers, _ = compare_netlist(RECTIFIER, "rect.cir", "V1", "out", hidden=1, spice=spice)
    assert isinstance(numbers, ImportedComparison)
    document = numbers.to_dict()
    assert list(document) == ["imported"] and list(document["imported"]) == IMPORTED_KEYS
    assert list(document["imported"]["deviation"]) == ["max_abs", "rms"]
    numbers.ngspice = spice.ngspice_info().to_dict()
    assert list(numbers.to_dict()) == ["imported", "ngspice"]


@pytest.mark.ngspice
def test_transient_json_has_the_keys_it_had_in_their_order(spice):
    circuit = load_model(NETLISTS / "elbow_diode.json")
    x = np.array([[-0.5], [0.5]])
    result = transient(circuit, x, "TL072", step_time=20e-6, spice=spice)
    assert isinstance(result, TransientResult) and result.bandwidth is None
    assert list(result.to_dict()) == TRANSIENT_KEYS[:-1]
    result = with_bandwidth(result, bandwidth(circuit, x[0], "TL072", spice=spice))
    document = result.to_dict()
    assert as_written(document) == document
    assert list(document) == TRANSIENT_KEYS and list(document["opamp"]) == OPAMP_KEYS
    assert [list(step) for step in document["steps"]] == [STEP_KEYS] * 2
    assert list(document["summary"]) == SUMMARY_KEYS
    assert list(document["summary"]["energy_per_inference_j"]) == ["median", "worst"]
    assert list(document["bandwidth"]) == ["input", "f3db_hz", "low_frequency_gain"]
    assert document["steps"][1]["energy_j"] == result.steps[1].energy_j
    assert document["summary"]["worst_settling_time_s"] == max(step.settling_time_s for step in result.steps)
