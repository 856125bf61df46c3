"""Data in the user's units: fit maps data beyond the circuits' window onto it, and every path
-- the backends, the model file, the exported netlist in stock ngspice -- gives the user's units."""

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from circuitnet import ModelFileError, load_model, simulate
from circuitnet.backends.spice.batch import run_batch
from circuitnet.formats import modelfile
from circuitnet.model.scaling import DataScaling

NETLISTS = Path(__file__).resolve().parent.parent / "netlists"


def test_only_columns_beyond_the_window_are_scaled():
    x = np.column_stack([np.linspace(-1, 1, 5), np.linspace(0, 100, 5)])
    y = np.linspace(-1.5, 1.5, 5)[:, None]
    scaling = DataScaling.for_data(x, y)
    assert scaling.x_offset.tolist() == [0.0, 50.0] and scaling.x_scale.tolist() == [1.0, 50.0]
    assert scaling.y_offset.tolist() == [0.0] and scaling.y_scale.tolist() == [1.0]
    np.testing.assert_allclose(scaling.to_circuit(x)[:, 1], np.linspace(-1, 1, 5))
    np.testing.assert_allclose(scaling.to_data(scaling.target_to_circuit(y)), y)
    assert DataScaling.for_data(x[:, :1], y) is None


@pytest.mark.ngspice
def test_every_backend_and_the_model_file_speak_the_users_units():
    plain = load_model(NETLISTS / "eight_diode.json")
    scaled = replace(plain, data_scaling=DataScaling([50.0], [50.0], [10.0], [4.0]))
    loaded = modelfile.loads(modelfile.dumps(scaled))
    assert loaded.data_scaling.to_dict() == scaled.data_scaling.to_dict()
    x = np.linspace(0, 100, 21)[:, None]
    for backend in ("ideal", "surrogate", "spice"):
        np.testing.assert_allclose(simulate(loaded, x, backend).y, 10 + 4 * simulate(plain, x / 50 - 1, backend).y,
                                   rtol=0, atol=1e-9, err_msg=backend)
    with pytest.raises(ModelFileError, match=r"data_scaling\.x_scale\[0\] = -50\.0"):
        modelfile.loads(modelfile.dumps(scaled).replace('"x_scale": [50.0]', '"x_scale": [-50.0]'))


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "circuitnet", *args], capture_output=True, text=True, timeout=600)


@pytest.mark.ngspice
@pytest.mark.slow
def test_fit_scales_data_far_from_the_window_and_the_netlist_says_how(tmp_path):
    rows = np.linspace(0, 100, 80)
    data = tmp_path / "far.csv"
    data.write_text("x,y\n" + "".join(f"{x},{abs(x - 50) + 10}\n" for x in rows))
    out = tmp_path / "run"
    done = run_cli("fit", "--data", str(data), "--hidden", "4", "--epochs", "300", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["test_rmse_spice"] < 2.5  # data units; the target spans 10..60
    model = load_model(out / "model.json")
    scaling = model.data_scaling.to_dict()
    assert scaling["x_offset"][0] == pytest.approx(50, abs=2) and scaling["x_scale"][0] == pytest.approx(50, abs=2)
    # the exported netlist, in stock ngspice -b, gives the same data-unit outputs as simulate
    text = (out / "circuit.cir").read_text()
    assert "* data scaling" in text and "x1 = " in text
    stock = run_batch(text, "circuit.dat")
    x = stock["x1_units"][:, None]
    np.testing.assert_allclose(stock["y_units"], simulate(model, x, "spice").y[:, 0], rtol=0, atol=1e-6)
    assert x.min() == pytest.approx(rows.min(), abs=1e-9) and x.max() > 95
    check = run_cli("simulate", str(out / "model.json"), "--x=0:100:11", "--json")
    assert check.returncode == 0 and json.loads(check.stdout)["violations"] == [], check.stderr
