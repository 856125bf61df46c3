"""Every file of a run folder is untrusted input: a damaged data.json or checkpoint.json is
one sentence naming the file and the field, exit 2, and the folder is left as it was."""

import json
import shutil

import numpy as np
import pytest

from circuitnet.interface.cli import main


@pytest.fixture(scope="module")
def finished_fit(tmp_path_factory):
    """A finished ideal-mode fit of drag against speed (speed 2..6, so it is scaled)."""
    root = tmp_path_factory.mktemp("finished")
    speed = np.random.default_rng(0).uniform(2, 6, 60)
    (root / "drag.csv").write_text("speed,drag\n" + "".join(f"{s:.4f},{0.05 * s * s:.4f}\n" for s in speed))
    assert main(["fit", "--data", str(root / "drag.csv"), "--hidden", "4", "--mode", "ideal", "--epochs", "20",
                 "--out", str(root / "r1")]) == 0
    return root / "r1"


def damaged_copy(finished, tmp_path, name: str, damage):
    """A copy of the finished run without its results, ``name`` rewritten as damage(document)."""
    folder = tmp_path / "damaged"
    shutil.copytree(finished, folder)
    (folder / "model.json").unlink()
    (folder / "report.json").unlink()
    document = json.loads((folder / name).read_text())
    (folder / name).write_text(json.dumps(damage(document)))
    return folder


def with_config(field, value):
    def damage(document):
        document["config"][field] = value
        return document
    return damage


def without(*keys):
    def damage(document):
        inner = document
        for key in keys[:-1]:
            inner = inner[key]
        del inner[keys[-1]]
        return document
    return damage


@pytest.mark.ngspice
@pytest.mark.parametrize("name, damage, message", [
    ("data.json", lambda d: [1, 2], "data.json: the document is [1, 2], not a JSON object"),
    ("data.json", lambda d: {}, "data.json: names no data source"),
    ("data.json", lambda d: {**d, "input_columns": ["speed", "extra"]}, "data.json: input_columns is"),
    ("data.json", lambda d: {**d, "input_columns": "speed"}, "data.json: input_columns is \"speed\", not a list"),
    ("checkpoint.json", lambda d: {}, "checkpoint.json: the document has no field 'config'"),
    ("checkpoint.json", lambda d: [], "checkpoint.json: the document is [], not a JSON object"),
    ("checkpoint.json", with_config("hidden", ["a"]), "checkpoint.json: config.hidden[0] is \"a\", not a whole"),
    ("checkpoint.json", with_config("lr", "fast"), "checkpoint.json: config.lr is \"fast\", not a number"),
    ("checkpoint.json", with_config("mode", "magic"), "checkpoint.json: config: mode = 'magic'"),
    ("checkpoint.json", with_config("colour", 1), "checkpoint.json: config has the unknown field 'colour'"),
    ("checkpoint.json", lambda d: {**d, "stage": 3}, "checkpoint.json: stage is 3"),
    ("checkpoint.json", lambda d: {**d, "history": []}, "checkpoint.json: history is [], not a JSON object"),
    ("checkpoint.json", without("state", "epoch"), "checkpoint.json: state has no field 'epoch'"),
    ("checkpoint.json", lambda d: {**d, "state": {**d["state"], "params": [[1.0]]}},
     "checkpoint.json: state.params has arrays of shapes [(1,)]"),
    ("checkpoint.json", lambda d: {**d, "state": {**d["state"], "rng": {"bit_generator": "nope"}}},
     "checkpoint.json: state.rng is no random generator's state"),
])
def test_resume_of_a_damaged_json_file_is_one_sentence(finished_fit, tmp_path, capsys, name, damage, message):
    folder = damaged_copy(finished_fit, tmp_path, name, damage)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    status = main(["fit", "--resume", str(folder)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert message in err and "the run folder is damaged" in err, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before


@pytest.mark.ngspice
def test_an_undamaged_copy_still_resumes(finished_fit, tmp_path, capsys):
    """The checks refuse damage, not the files fit writes: the same copy, undamaged, finishes
    and keeps its column names."""
    folder = damaged_copy(finished_fit, tmp_path, "data.json", lambda d: d)
    assert main(["fit", "--resume", str(folder)]) == 0, capsys.readouterr().err
    assert json.loads((folder / "model.json").read_text())["data"]["input_names"] == ["speed"]


def test_a_network_that_cannot_be_realised_leaves_no_run_behind(tmp_path, capsys, monkeypatch):
    """A failure found only at realisation: one sentence with fixes the command line takes, exit
    2, and no data.json / data.csv / checkpoint.json that --resume would fail on forever."""
    from circuitnet.errors import RealisationError
    from circuitnet.training import fit_stages as run

    def refuse(*args, **kwargs):
        raise RealisationError("layer 1 neuron 1: its weights' ratio (1053:1) needs resistors outside the range "
                               "1000..1e+06 ohm; set the small weight to 0, rescale the network, or widen "
                               "resistor_range")

    monkeypatch.setattr(run, "realise_pruned", refuse)
    out = tmp_path / "out"
    status = main(["fit", "--target", "sine", "--mode", "ideal", "--epochs", "3", "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2, err
    assert "ratio (1053:1)" in err and "on the command line use --scale auto, a smaller --volts-per-unit" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


@pytest.mark.ngspice
@pytest.mark.parametrize("search, message", [
    ({"config": {"hidden": ["a"]}, "trials": 3, "done": []}, "search.json: config.hidden[0] is \"a\""),
    ({"config": {}, "trials": "many", "done": []}, "search.json: trials is \"many\", not a whole number >= 1"),
    ([], "search.json: the document is [], not a JSON object"),
])
def test_resume_of_a_damaged_search_is_one_sentence(finished_fit, tmp_path, capsys, search, message):
    """A run stopped while searching resumes from search.json: it is checked like the checkpoint."""
    folder = damaged_copy(finished_fit, tmp_path, "data.json", lambda d: d)
    (folder / "checkpoint.json").unlink()
    (folder / "search.json").write_text(json.dumps(search))
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert main(["fit", "--resume", str(folder)]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
