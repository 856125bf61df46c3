"""Classifier circuits: the data they read, the split, the loss, the realisability
constraint, the sharded ngspice verification, and the CLI end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import StopAfter, assert_cotangent_by_central_differences

from circuitnet import DataFileError
from circuitnet.formats.imagefile import ImageFileError, read_idx, read_labelled_images
from circuitnet.training.classes import ClassDataset, load_dataset, read_classes_csv, stratified_split
from circuitnet.training.losses import SoftmaxCrossEntropy


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """An IDX file as the MNIST distribution writes it (written here independently of the reader)."""
    header = bytes([0, 0, code, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_idx_pair_reads_back_as_written(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    labels = rng.integers(0, 10, 7, dtype=np.uint8)
    (tmp_path / "img").write_bytes(idx_bytes(images))
    (tmp_path / "lab").write_bytes(idx_bytes(labels))
    found = read_labelled_images(tmp_path / "img", tmp_path / "lab")
    np.testing.assert_array_equal(found.images, images / 255.0)
    np.testing.assert_array_equal(found.labels, labels)
    assert found.flat.shape == (7, 20)
    floats = rng.uniform(0, 1, (3, 2, 2))
    (tmp_path / "f").write_bytes(idx_bytes(floats.astype(">f8"), 0x0E))
    np.testing.assert_array_equal(read_idx(tmp_path / "f"), floats)


@pytest.mark.parametrize("content, words", [
    (b"\x01\x00\x08\x01" + (3).to_bytes(4, "big") + b"abc", "not an IDX file"),
    (b"\x00\x00\x07\x01" + (3).to_bytes(4, "big") + b"abc", "unknown IDX element type 0x07"),
    (b"\x00\x00\x08\x03" + (2).to_bytes(4, "big"), "ends inside its header"),
    (b"\x00\x00\x08\x01" + (5).to_bytes(4, "big") + b"abc", "truncated"),
    (b"\x00\x00\x08\x09" + b"\x00" * 40, "IDX rank 9"),
    (b"", "not an IDX file"),
])
def test_malformed_idx_files_are_refused_by_name(tmp_path, content, words):
    path = tmp_path / "bad-idx"
    path.write_bytes(content)
    with pytest.raises(ImageFileError, match=words) as raised:
        read_idx(path)
    assert str(path) in str(raised.value)


def test_malformed_image_sets_are_refused(tmp_path):
    images = np.zeros((4, 3, 3), dtype=np.uint8)
    (tmp_path / "img").write_bytes(idx_bytes(images))
    (tmp_path / "lab").write_bytes(idx_bytes(np.zeros(5, dtype=np.uint8)))
    with pytest.raises(ImageFileError, match="4 images but 5 labels"):
        read_labelled_images(tmp_path / "img", tmp_path / "lab")
    with pytest.raises(ImageFileError, match="needs its IDX label file"):
        read_labelled_images(tmp_path / "img")
    np.savez(tmp_path / "wrong.npz", pictures=images, labels=np.zeros(4))
    with pytest.raises(ImageFileError, match="needs 'images' and 'labels'"):
        read_labelled_images(tmp_path / "wrong.npz")
    np.savez(tmp_path / "pickled.npz", images=np.array([object()] * 4), labels=np.zeros(4, dtype=int))
    with pytest.raises(ImageFileError, match="not a readable .npz"):  # never unpickled: no code runs
        read_labelled_images(tmp_path / "pickled.npz")
    np.savez(tmp_path / "bright.npz", images=np.full((4, 2, 2), 3.0), labels=np.zeros(4, dtype=int))
    with pytest.raises(ImageFileError, match="pixels from 3 to 3"):
        read_labelled_images(tmp_path / "bright.npz")
    np.savez(tmp_path / "fuzzy.npz", images=np.zeros((4, 2, 2)), labels=np.full(4, 0.5))
    with pytest.raises(ImageFileError, match="integer class labels"):
        read_labelled_images(tmp_path / "fuzzy.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ImageFileError, match="not a readable .npz"):
        read_labelled_images(tmp_path / "junk.npz")


def test_digit_sets_ship_offline_in_data_units():
    small, large = load_dataset("digits"), load_dataset("digits28")
    assert small.x.shape == (1797, 64) and large.x.shape == (1797, 784)
    assert small.image_shape == (8, 8) and large.image_shape == (28, 28)
    assert small.x.min() == 0.0 and small.x.max() == 1.0
    assert 0.0 <= large.x.min() and large.x.max() <= 1.0
    np.testing.assert_array_equal(small.labels, large.labels)
    assert list(small.classes) == list(range(10))
    # the upsampled image is the small one, interpolated: its corners are the small one's corners
    assert np.allclose(large.x.reshape(-1, 28, 28)[:, 0, 0], small.x.reshape(-1, 8, 8)[:, 0, 0])


def test_stratified_split_is_disjoint_deterministic_and_stratified():
    dataset = load_dataset("digits")
    split = stratified_split(dataset, seed=3)
    again = stratified_split(dataset, seed=3)
    other = stratified_split(dataset, seed=4)
    for name, (x, y) in split.parts().items():
        np.testing.assert_array_equal(x, again.parts()[name][0])
        np.testing.assert_array_equal(y, again.parts()[name][1])
    assert not np.array_equal(split.x_test, other.x_test)
    rows = {name: {row.tobytes() for row in x} for name, (x, _) in split.parts().items()}
    assert not (rows["train"] & rows["val"] or rows["train"] & rows["test"] or rows["val"] & rows["test"])
    sizes = [len(x) for x, _ in split.parts().values()]
    assert sum(sizes) == 1797 and sizes[2] == round(0.2 * 1797)
    overall = np.bincount(dataset.labels) / 1797
    for _, y in split.parts().values():
        share = np.bincount(y[:, 0].astype(int), minlength=10) / len(y)
        assert np.max(np.abs(share - overall)) < 0.01


def test_split_refuses_a_class_too_rare_to_split():
    dataset = ClassDataset(np.arange(8.0)[:, None], np.array([0, 0, 0, 0, 0, 1, 1, 0]), None, {})
    with pytest.raises(DataFileError, match="class 1 has 2 sample"):
        stratified_split(dataset, 0)


def test_csv_labels_may_be_names(tmp_path):
    path = tmp_path / "flowers.csv"
    path.write_text("a,b,species\n1,2,iris\n3,4,rose\n5,6,iris\n")
    dataset = read_classes_csv(path, y_column="species")
    assert list(dataset.classes) == ["iris", "rose"] and dataset.x.shape == (3, 2)


def test_cross_entropy_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    prediction, target = rng.normal(size=(6, 4)), rng.integers(0, 4, (6, 1)).astype(float)
    loss = SoftmaxCrossEntropy(gain=3.0)
    value, cotangent = loss.value_and_cotangent(prediction, target)
    # an independent value: -log of the softmax probability of each sample's class, summed by hand
    by_hand = np.mean([np.log(np.sum(np.exp(3 * row))) - 3 * row[int(k)] for row, k in zip(prediction, target[:, 0])])
    assert value == pytest.approx(by_hand, rel=1e-12)
    assert_cotangent_by_central_differences(loss, prediction, target, cotangent, abs_tolerance=1e-8)


def test_realisability_holds_after_every_training_step():
    """The ideal stage's projection keeps every summer inside the resistor ratio after every
    step; the circuit stage keeps every trained resistor inside the resistor range."""
    from circuitnet import resistors
    from circuitnet.topologies import RealisationOptions
    from circuitnet.training import loop
    from circuitnet.training.circuit_problem import CircuitProblem
    from circuitnet.training.ideal_problem import IdealProblem, initial_params, params_to_network
    from circuitnet.training.pruning import realise_pruned
    from circuitnet.training.realisable import RowRatioProjection
    dataset = load_dataset("digits")
    split = stratified_split(dataset, 0)
    projection = RowRatioProjection((1e3, 1e6))
    steps = []

    class Watched(IdealProblem):
        def project(self, params):
            projected = super().project(params)
            steps.append(projection.holds(projected))
            return projected

    watched = Watched(1e-6, SoftmaxCrossEntropy(4.0), projection, swing=9.0)
    config = loop.LoopConfig(40, 0.01)
    params = projection(initial_params(split.x_train, [16], 10, np.random.default_rng(0)))
    state = loop.run(watched, loop.new_state(params, config, 1), config, (split.x_train, split.y_train),
                     (split.x_val, split.y_val))
    assert len(steps) == 40 and all(steps)
    assert np.count_nonzero(state.params[0] == 0) > 0  # the constraint binds on 64 inputs
    assert not projection.holds([state.params[0] + 1e-12, state.params[1]])  # and the check can fail
    circuit, pruned = realise_pruned(params_to_network(state.params), "diode", RealisationOptions())
    circuit_problem = CircuitProblem(circuit, 1e-6, loss=SoftmaxCrossEntropy(4.0))
    low, high = circuit_problem.bounds
    theta = circuit_problem.initial_params()
    for _ in range(5):
        _, grads = circuit_problem.loss_and_grad(theta, split.x_train, split.y_train)
        theta = circuit_problem.project([theta[0] - 50.0 * grads[0] / np.abs(grads[0]).max()])
        assert low <= theta[0].min() and theta[0].max() <= high
        for _, ohms in resistors(circuit_problem.circuit(theta)):
            finite = ohms[np.isfinite(ohms)]
            assert np.all((finite >= 1e3 * (1 - 1e-9)) & (finite <= 1e6 * (1 + 1e-9)))


@pytest.mark.ngspice
@pytest.mark.slow
def test_sharded_verification_equals_one_run_and_dask_equals_local(spice, digits_classifier):
    from distributed import Client, LocalCluster

    from circuitnet.backends.spice.sharded import chunk_bounds, simulate_sharded
    from circuitnet.util.executor import DaskExecutor, LocalExecutor
    circuit = digits_classifier.circuit
    x = stratified_split(load_dataset("digits"), 0).x_test[:90]
    whole = spice.simulate(circuit, x).y
    seen = []
    local = simulate_sharded(circuit, x, 27.0, LocalExecutor(2), progress=lambda done, total: seen.append(done))
    assert local.chunks == len(chunk_bounds(90)) == 2 and seen[-1] == 90 and sorted(seen) == seen
    np.testing.assert_allclose(local.y, whole, atol=1e-6)  # chunks start Newton elsewhere: within VNTOL
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        remote = simulate_sharded(circuit, x, 27.0, DaskExecutor(client))
    np.testing.assert_array_equal(remote.y, local.y)
    assert remote.violations == local.violations == []


@pytest.mark.ngspice
@pytest.mark.slow
def test_a_killed_worker_costs_only_its_chunk(digits_classifier, spice_pool, spice):
    import os
    import signal
    import threading

    from circuitnet.backends.spice.sharded import simulate_sharded
    from circuitnet.util.executor import LocalExecutor
    circuit = digits_classifier.circuit
    x = np.tile(stratified_split(load_dataset("digits"), 0).x_test, (4, 1))
    undisturbed = simulate_sharded(circuit, x, 27.0, LocalExecutor(2), spice=spice)
    pool = spice_pool
    retried_before, done, kills = pool.retried, threading.Event(), []

    def killer():
        while not done.wait(0.2) and pool.retried == retried_before and len(kills) < 20:
            pids = [worker.pid for worker in pool.workers if worker.pid is not None]
            if pids:
                try:
                    os.kill(pids[0], signal.SIGKILL)
                    kills.append(pids[0])
                except ProcessLookupError:
                    pass

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        disturbed = simulate_sharded(circuit, x, 27.0, LocalExecutor(2), spice=spice)
    finally:
        done.set()
        thread.join()
    assert kills and pool.retried > retried_before
    np.testing.assert_array_equal(disturbed.y, undisturbed.y)


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_classifies_an_image_subset_and_ngspice_agrees_with_the_surrogate(tmp_path):
    dataset = load_dataset("digits")
    keep = np.flatnonzero(dataset.labels < 4)[:300]
    np.savez(tmp_path / "digits.npz", images=(dataset.x[keep] * 255).round().astype(np.uint8).reshape(-1, 8, 8),
             labels=dataset.labels[keep])
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-m", "circuitnet", "fit", "--images", str(tmp_path / "digits.npz"),
                           "--hidden", "8", "--epochs", "300", "--out", str(out), "--json"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report == json.loads((out / "report.json").read_text())
    assert report["classes"] == [0, 1, 2, 3] and report["test_samples"] == 60
    assert report["test_accuracy_spice"] > 0.9
    assert report["class_changes_surrogate_vs_spice"] == 0
    assert report["test_accuracy_spice"] == report["test_accuracy_surrogate"]
    confusion = np.array(report["confusion_matrix"])
    assert confusion.sum() == 60 and np.trace(confusion) == round(60 * report["test_accuracy_spice"])
    for name in ("model.json", "circuit.cir", "confusion.png", "misclassified.png", "curves.png", "bom.csv"):
        assert (out / name).stat().st_size > 0, name
    # the model file alone gives the same predictions: simulate its outputs at the test inputs
    from circuitnet import load_model, simulate
    from circuitnet.training.run_folder import read_data_csv
    split = read_data_csv(out / "data.csv")
    predicted = np.argmax(simulate(load_model(out / "model.json"), split.x_test).y, axis=1)
    assert np.mean(predicted == split.y_test[:, 0]) == report["test_accuracy_spice"]


@pytest.mark.slow
def test_cli_refuses_mixed_up_tasks(tmp_path):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "circuitnet", "fit", *args, "--out", str(tmp_path / "o")],
                              capture_output=True, text=True, timeout=60)
    done = run("--dataset", "digits", "--task", "regress")
    assert done.returncode == 2 and "--task classify" in done.stderr
    done = run("--target", "sine", "--task", "classify")
    assert done.returncode == 2 and "--dataset" in done.stderr
    done = run("--dataset", "mnist")
    assert done.returncode == 2 and "invalid choice: 'mnist'" in done.stderr


@pytest.mark.ngspice
def test_power_per_sample_equals_the_sweep_power_at_the_same_points(spice):
    """The sharded run's static power at each sample equals compare's power over a sweep
    through the same points (a different netlist: .dc of the input source, V sources)."""
    from circuitnet import Sweep, load_model
    from circuitnet.analysis.compare import power_figures
    from circuitnet.backends.spice.sharded import simulate_sharded
    from circuitnet.util.executor import LocalExecutor
    circuit = load_model(Path(__file__).resolve().parent.parent / "netlists" / "eight_diode.json")
    sweep = Sweep(-1.0, 1.0, 21)
    _, swept = power_figures(circuit, sweep, spice)
    sampled = simulate_sharded(circuit, sweep.inputs(1), 27.0, LocalExecutor(2))
    np.testing.assert_allclose(sampled.power_w, swept["delivered"], rtol=1e-6, atol=1e-9)
    # and it is the power the parts dissipate (an independent sum over the resistors and diodes)
    np.testing.assert_allclose(sampled.power_w, swept["resistors"] + swept["diodes"], rtol=1e-4)


@pytest.mark.ngspice
@pytest.mark.slow
def test_compare_a_classifier_through_the_cli(tmp_path, digits_classifier):
    fitted = digits_classifier
    from circuitnet import save_model
    save_model(fitted.circuit, tmp_path / "model.json")

    def run(*args):
        return subprocess.run([sys.executable, "-m", "circuitnet", "compare", str(tmp_path / "model.json"), *args],
                              capture_output=True, text=True, timeout=600)
    done = run("--dataset", "digits", "--montecarlo", "6", "--tolerance", "1%", "--temps", "0,70",
               "--out", str(tmp_path / "cmp"), "--json")
    assert done.returncode == 0, done.stderr
    numbers = json.loads(done.stdout)
    # the nominal accuracy is the fit's own test accuracy: the same split, the same circuit
    assert numbers["classifier"]["accuracy_spice"] == fitted.report["test_accuracy_spice"]
    assert [row["temperature_c"] for row in numbers["accuracy_temperatures"]] == [0.0, 70.0]
    boards = numbers["accuracy_boards"]
    assert len(boards["per_board_accuracy"]) == 6 and boards["yield_threshold"] == 0.95
    assert boards["yield"] == np.mean(np.array(boards["per_board_accuracy"]) >= 0.95)
    assert "accuracy on the test samples' labels" in boards["yield_reference"]
    assert numbers["references"]["labels"].startswith("the class labels of the test samples")
    from circuitnet import load_model
    assert load_model(tmp_path / "model.json").data_record.class_labels == tuple(str(k) for k in range(10))
    assert 0 < numbers["inference_power"]["min_w"] <= numbers["inference_power"]["median_w"]
    assert numbers["violations"] == []
    html = (tmp_path / "cmp" / "report.html").read_text()
    for heading in ("Classifier", "Accuracy against temperature", "Monte Carlo boards", "Static power while inferring"):
        assert f"<h2>{heading}</h2>" in html
    assert html.count("<img") == 4
    done = run("--dataset", "digits28", "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "784 inputs" in done.stderr
    done = run("--dataset", "digits", "--yield-threshold", "5", "--out", str(tmp_path / "y"))
    assert done.returncode == 2 and "accuracy" in done.stderr


@pytest.mark.ngspice
@pytest.mark.slow
def test_spice_loop_and_e96_train_a_classifier():
    """spice-loop (ngspice's forward pass, the surrogate's direction) and E96 snapping work for
    classifiers as for regression: the loop runs its epochs and the report says before/after."""
    from circuitnet.training.config import FitConfig
    from circuitnet.training.run import FitRun
    digits = load_dataset("digits")
    keep = np.flatnonzero(digits.labels < 3)[:150]
    split = stratified_split(ClassDataset(digits.x[keep], digits.labels[keep], (8, 8), {}), 0)
    config = FitConfig(hidden=[6], mode="spice-loop", epochs=5, pretrain_epochs=200, task="classify",
                       classes=[0, 1, 2], e_series="E96")
    report = FitRun(split, config).run().report
    assert report["epochs_run"] == {"ideal": 200, "circuit": 5}
    assert report["e_series"]["test_accuracy_spice_after"] == report["test_accuracy_spice"] >= 0.9
    assert report["class_changes_surrogate_vs_spice"] == 0


@pytest.mark.ngspice
@pytest.mark.parametrize("stage", ["ideal network", "surrogate training"])
def test_a_stopped_classifier_resumes_where_it_stopped(tmp_path, stage):
    from circuitnet.formats import modelfile
    from circuitnet.training.config import FitConfig
    from circuitnet.training.run import FitRun
    digits = load_dataset("digits")
    keep = np.flatnonzero(digits.labels < 3)[:150]
    split = stratified_split(ClassDataset(digits.x[keep], digits.labels[keep], (8, 8), {}), 0)
    config = dict(hidden=[6], epochs=30, pretrain_epochs=40, task="classify", classes=[0, 1, 2], patience=None)
    described = {"dataset": "digits, classes 0-2"}
    whole = FitRun.start(split, FitConfig(**config), tmp_path / "whole", described).run()
    stopped = FitRun.start(split, FitConfig(**config), tmp_path / "parts", described,
                           progress=StopAfter(stage, 10)).run()
    assert stopped.interrupted
    resumed = FitRun.resume(tmp_path / "parts").run()
    assert modelfile.dumps(resumed.circuit) == modelfile.dumps(whole.circuit)
    assert resumed.history["circuit"]["val_accuracy"] == whole.history["circuit"]["val_accuracy"]
    assert resumed.report["test_accuracy_spice"] == whole.report["test_accuracy_spice"]


@pytest.mark.ngspice
@pytest.mark.slow
def test_cli_fit_on_a_dask_scheduler_equals_the_local_run(tmp_path):
    from distributed import LocalCluster

    from circuitnet.interface.cli import main
    dataset = load_dataset("digits")
    keep = np.flatnonzero(dataset.labels < 4)[:200]
    np.savez(tmp_path / "d.npz", images=dataset.x[keep].reshape(-1, 8, 8), labels=dataset.labels[keep])
    base = ["fit", "--images", str(tmp_path / "d.npz"), "--hidden", "6", "--epochs", "50", "--json"]
    assert main(base + ["--out", str(tmp_path / "local"), "--workers", "2"]) == 0
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        assert main(base + ["--out", str(tmp_path / "dask"), "--scheduler", cluster.scheduler_address]) == 0
    local, remote = (json.loads((tmp_path / name / "report.json").read_text()) for name in ("local", "dask"))
    for key in ("test_accuracy_spice", "confusion_matrix", "static_power_per_inference_w", "spice_chunks"):
        assert remote[key] == local[key], key
