"""Series pairs of E-series values (issue #22, item 6: E24 within 1.5x of the unsnapped RMSE):
the pair sums, a snapped circuit's record of its pairs, the bill of materials, the exported
netlist's header and the pair built as two resistors in stock ngspice, the model file, and the
--e-series-pairs flag."""

import csv
import io
import json
import re
from dataclasses import replace

import numpy as np
import pytest
from test_export import NETLISTS, run_stock_ngspice

from circuitnet import Sweep, load_model, netlist_text
from circuitnet.backends.spice.batch import read_wrdata
from circuitnet.backends.surrogate import SurrogateBackend
from circuitnet.errors import CircuitnetError, ModelFileError
from circuitnet.formats import modelfile
from circuitnet.interface.cli import main
from circuitnet.interface.fit_outputs import bom_csv
from circuitnet.model.circuit import map_resistors, resistors
from circuitnet.model.preferred_values import is_series_value
from circuitnet.model.series_pairs import SeriesPairs
from circuitnet.training import snap_pairs, snapping
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.eseries import series_values, snap
from circuitnet.training.run import fit
from circuitnet.training.snap_grid import PairSums
from circuitnet.training.snap_pairs import pair_count, pairs_record


def test_pair_sums_are_two_e24_values_that_add_up_and_fill_in_e24s_steps():
    sums = PairSums.of("E24", 1e3, 1e6)
    np.testing.assert_array_equal(sums.ohms, sums.larger + sums.smaller)
    assert all(is_series_value(v, "E24") for v in np.concatenate([sums.larger, sums.smaller]))
    assert not any(is_series_value(v, "E24") for v in sums.ohms)  # a value the series has is one part
    assert np.all(np.diff(sums.ohms) > 0) and sums.ohms[0] >= 1e3 and sums.ohms[-1] <= 1e6
    grid = sums.values_with(series_values("E24", 1e3, 1e6))
    assert np.median(np.diff(np.log(grid))) < 1e-3  # ~0.06 %, against E24's ~10 %
    is_pair, larger, smaller = sums.parts_of(np.array([9100.0 + 910.0, 10000.0, np.inf]))
    assert list(is_pair) == [True, False, False]
    assert (larger[0], smaller[0]) == (10000.0, 10.0)  # of 9.1 k + 910 and 10 k + 10, the smaller trim


def paired_circuit():
    """The golden eight-neuron diode circuit with every resistor moved to the nearest E24 value
    or pair sum (a circuit that has pairs, without a fit)."""
    circuit = load_model(NETLISTS / "eight_diode.json")
    grid = PairSums.of("E24", *circuit.resistor_range).values_with(series_values("E24", *circuit.resistor_range))
    snapped = map_resistors(circuit, lambda path, ohms: snap(ohms, grid))
    return replace(snapped, series_pairs=pairs_record(snapped, "E24"))


def test_a_snapped_pairs_sum_is_the_resistor_the_circuit_has():
    circuit = paired_circuit()
    paired = 0
    for _, ohms in resistors(circuit):
        for value in ohms[np.isfinite(ohms)].ravel():
            parts = circuit.series_pairs.parts(value)
            if parts is None:
                assert is_series_value(value, "E24"), value
            else:
                paired += 1
                assert parts[0] + parts[1] == value and parts[0] >= parts[1]
                assert is_series_value(parts[0], "E24") and is_series_value(parts[1], "E24")
    assert paired == pair_count(circuit) > 10


def test_the_bill_of_materials_lists_both_parts_of_a_pair():
    circuit = paired_circuit()
    rows = list(csv.DictReader(io.StringIO(bom_csv(circuit, "E24"))))
    resistors_listed = {row["reference"]: float(row["value"].split()[0]) for row in rows if row["kind"] == "resistor"}
    offset = 20196.435528776081  # Rl1n1_sum_offset in the golden netlist
    larger, smaller = circuit.series_pairs.parts(snap(np.array(offset), circuit_grid(circuit)))
    assert "Rl1n1_sum_offset" not in resistors_listed
    assert resistors_listed["Rl1n1_sum_offseta"] == pytest.approx(larger, rel=1e-6)
    assert resistors_listed["Rl1n1_sum_offsetb"] == pytest.approx(smaller, rel=1e-6)
    assert len(resistors_listed) == circuit.resistor_count() + pair_count(circuit)


def circuit_grid(circuit):
    return PairSums.of("E24", *circuit.resistor_range).values_with(series_values("E24", *circuit.resistor_range))


def test_a_circuit_without_paired_resistors_writes_the_netlist_it_always_did():
    """A pairs record that names no resistor of the circuit (10 k + 10 = 10,010 ohm, which the
    golden circuit lacks) changes nothing: the golden netlists stay byte-identical."""
    circuit = load_model(NETLISTS / "eight_diode.json")
    unused = SeriesPairs("E24", ((10010.0, 10000.0, 10.0),))
    text = netlist_text(replace(circuit, series_pairs=unused), sweep=Sweep(-1, 1, 201), data_file="eight_diode.dat")
    assert text == netlist_text(circuit, sweep=Sweep(-1, 1, 201), data_file="eight_diode.dat")
    assert "series pairs" not in text


@pytest.mark.ngspice
def test_the_pairs_built_as_two_resistors_in_stock_ngspice_equal_the_surrogate_within_a_microvolt(tmp_path):
    """The netlist writes a pair as one resistor of its sum and names its parts in the header;
    the same netlist with each of those resistors replaced by its two parts and a node between
    them (as the board is built) gives the surrogate's outputs in stock ngspice."""
    circuit = paired_circuit()
    text = netlist_text(circuit, sweep=Sweep(-1, 1, 41), data_file="pairs.dat")
    named = re.findall(r"^\*\s+(R\S+) = (\S+) \+ (\S+) ohm$", text, flags=re.MULTILINE)
    assert len(named) == pair_count(circuit)
    built = text
    for name, larger, smaller in named:
        line = re.search(rf"^{name} (\S+) (\S+) (\S+)$", built, flags=re.MULTILINE)
        a, b, value = line.groups()
        assert float(larger) + float(smaller) == pytest.approx(float(value), rel=1e-6)
        parts = circuit.series_pairs.parts(float(value))
        built = built.replace(line.group(0), f"{name}a {a} {name}_mid {parts[0]:.17g}\n"
                                             f"{name}b {name}_mid {b} {parts[1]:.17g}")
    cir = tmp_path / "pairs.cir"
    cir.write_text(built)
    (tmp_path / "run").mkdir()
    done = run_stock_ngspice(cir, tmp_path / "run")
    assert done.returncode == 0, done.stdout + done.stderr
    data = read_wrdata((tmp_path / "run" / "pairs.dat").read_text())
    x = data["x1_units"][:, None]
    surrogate = SurrogateBackend().simulate(circuit, x).y[:, 0] * circuit.volts_per_unit
    assert np.max(np.abs(data["v(y)"] - surrogate)) < 1e-6


def test_the_model_file_keeps_the_pairs_and_refuses_a_pair_that_does_not_add_up(tmp_path):
    circuit = paired_circuit()
    path = modelfile.save(circuit, tmp_path / "model.json")
    loaded = load_model(path)
    assert loaded.series_pairs == circuit.series_pairs.used_by(
        np.concatenate([np.ravel(ohms) for _, ohms in resistors(circuit)]))
    assert pair_count(loaded) == pair_count(circuit)
    document = json.loads(path.read_text())
    total, larger, smaller = document["series_pairs"]["pairs"][0]
    document["series_pairs"]["pairs"][0] = [total, larger, smaller * 1.01]
    with pytest.raises(ModelFileError, match=r"series_pairs.pairs\[0\]: its smaller part .* is not a value of E24"):
        modelfile.circuit_from_dict(document)
    document["series_pairs"]["pairs"][0] = [total + 1.0, larger, smaller]
    with pytest.raises(ModelFileError, match=r"series_pairs.pairs\[0\]: .* is not its sum"):
        modelfile.circuit_from_dict(document)


def test_pairs_without_a_series_are_refused_before_any_file_is_written(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["fit", "--target", "abs", "--hidden", "2", "--e-series-pairs", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "--e-series-pairs" in error and "--e-series E24" in error and "Traceback" not in error
    assert not out.exists()


@pytest.fixture
def pairs_always_needed(monkeypatch):
    """Snapping that finds single values never good enough (an aim of 1.0x the unsnapped
    RMSE), so a small fit takes the pair path."""
    monkeypatch.setattr(snapping, "PAIR_AIM", 1.0)
    monkeypatch.setattr(snap_pairs, "PAIR_AIM", 1.0)


@pytest.mark.ngspice
def test_a_fit_with_pairs_reports_how_many_and_lists_them_in_its_files(pairs_always_needed, tmp_path, capsys):
    out = tmp_path / "run"
    # (at 3 neurons the fit misses sin(pi x), RMSE 0.4, and since its hidden summers are kept
    # inside the swing the pair search finds nothing better than single values there)
    assert main(["fit", "--target", "sine", "--hidden", "4", "--points", "80",
                 "--e-series", "E24", "--e-series-pairs", "--out", str(out)]) == 0
    line = capsys.readouterr().out
    report = json.loads((out / "report.json").read_text())
    count = report["e_series"]["series_pairs"]
    assert count > 0 and f"E24 with {count} series pair(s): test RMSE" in line
    circuit = load_model(out / "model.json")
    assert pair_count(circuit) == count
    bom = list(csv.DictReader(io.StringIO((out / "bom.csv").read_text())))
    assert sum(row["kind"] == "resistor" for row in bom) == circuit.resistor_count() + count
    assert "series pairs (E24)" in (out / "circuit.cir").read_text()


@pytest.mark.ngspice
def test_pairs_keep_precision_on_kinks_within_1_5x_of_unsnapped(spice):
    """The benchmark's worst miss (benchmarks/RESULTS.md, eseries-misses): precision rectifiers
    on `kinks`, 16 neurons, 400 points, seed 1, test RMSE 0.0001 unsnapped and 0.0018 (18x)
    with E24 single values, in ngspice on the test split. With pairs it is within 1.5x."""
    split = target_split("kinks", 400, seed=1)
    result = fit(split, FitConfig(hidden=[16], topology="precision", seed=1, e_series="E24", e_series_pairs=True),
                 spice=spice)
    snapped = result.report["e_series"]
    assert snapped["test_rmse_spice_after"] <= 1.5 * snapped["test_rmse_spice_before"], snapped
    assert 0 < snapped["series_pairs"] < result.circuit.resistor_count()


def test_a_search_with_pairs_runs_its_trials_without_snapping():
    """The search's trials are fits without --e-series; with --e-series-pairs on, dropping the
    series alone made each trial's settings refuse themselves."""
    from circuitnet.training.search import search
    split = target_split("abs", 30, seed=0)
    config = FitConfig(hidden=[2], mode="ideal", epochs=20, pretrain_epochs=20, e_series="E24", e_series_pairs=True)
    best, table = search(split, config, trials=1, workers=1)
    assert len(table) == 1 and best.hidden == table[0]["hidden"]
    assert (best.e_series, best.e_series_pairs) == ("E24", True)  # the final fit snaps, with pairs
    with pytest.raises(CircuitnetError, match="--e-series-pairs .* without --e-series"):
        replace(config, e_series=None)
