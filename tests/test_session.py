"""training/session.py: a fit started, searched and resumed through the API, the code the
CLI's ``fit`` and the estimators drive (the CLI adds only bars, messages and exit statuses)."""

from dataclasses import asdict, replace

import pytest
from conftest import StopAfter

from circuitnet.formats import modelfile
from circuitnet.training import run_folder, search, session
from circuitnet.training.config import FitConfig
from circuitnet.training.data import target_split
from circuitnet.training.run import FitRun
from circuitnet.training.topology_choice import TopologyChoice

CONFIG = FitConfig(topology="diode", mode="surrogate", hidden=[4], epochs=20, pretrain_epochs=100, seed=3)


@pytest.fixture(scope="module")
def split():
    return target_split("abs", 40, seed=5)


@pytest.mark.ngspice
def test_a_run_stopped_and_resumed_through_the_session_ends_where_a_whole_one_does(split, spice, tmp_path):
    whole = session.plan(split, CONFIG, driving=session.Driving(spice=spice)).fit()
    stopped = session.start(split, CONFIG, tmp_path, {"target": "abs"},
                            driving=session.Driving(progress=StopAfter("surrogate training", 7), spice=spice)).fit()
    assert stopped.interrupted and stopped.report["epochs_run"]["circuit"] == 7
    resumed = session.resume(tmp_path, session.Driving(spice=spice))
    assert isinstance(resumed.run, FitRun) and resumed.table is None
    finished = resumed.fit()
    assert not finished.interrupted
    assert modelfile.dumps(finished.circuit) == modelfile.dumps(whole.circuit)


def test_ctrl_c_while_searching_is_a_search_interrupted_naming_the_folder(split, tmp_path, monkeypatch):
    told = []

    def stopped_search(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(search, "search", stopped_search)
    with pytest.raises(session.SearchInterrupted, match="the finished trials are in .*search.json") as caught:
        session.start(split, CONFIG, tmp_path, {"target": "abs"}, search=True,
                      driving=session.Driving(tell=told.append))
    assert caught.value.folder == tmp_path
    assert told == ["searching hidden width, lam, lr on validation data..."]
    assert run_folder.read_data(tmp_path)[0].x_train.shape == split.x_train.shape  # a resume finds the run


def test_a_search_stopped_before_any_checkpoint_is_finished_on_resume(split, tmp_path, monkeypatch):
    """search.json but no checkpoint: resume takes the search up (with its saved settings and
    trials) and plans the fit of its best settings, the table kept for the report."""
    table = [{"topology": "diode", "hidden": [6], "lam": 0.0, "lr": 0.03, "validation_score": 0.1}]
    asked = {}

    def finished_search(given_split, config, trials=8, folder=None, **kwargs):
        asked.update(config=config, trials=trials, folder=folder)
        return replace(config, hidden=[6], lam=0.0, lr=0.03), table

    run_folder.write_data(tmp_path, split, {"target": "abs"})
    run_folder.write_search(tmp_path, {"config": asdict(CONFIG), "trials": 3, "done": []})
    monkeypatch.setattr(search, "search", finished_search)
    planned = session.resume(tmp_path)
    assert asked == {"config": CONFIG, "trials": 3, "folder": tmp_path}
    assert isinstance(planned.run, FitRun) and planned.run.config.hidden == [6] and planned.table == table


def test_topology_auto_plans_a_choice_that_says_its_candidates(split):
    told = []
    planned = session.plan(split, replace(CONFIG, topology="auto", hidden=[4, 4]),
                           driving=session.Driving(tell=told.append))
    assert isinstance(planned.run, TopologyChoice) and list(planned.run.configs) == ["diode", "precision"]
    assert told == ["choosing the topology on validation data among diode, precision..."]
