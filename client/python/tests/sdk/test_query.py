"""Querying a finished sweep of 120 trials: status, best, every page of trials with
filters and sorts, one trial's curve, importance, a DataFrame; and watching one."""

import datetime
import importlib.util

import pytest

import hpsearch
from hpsearch import sweeps as sweeps_module

from conftest import unique
from specs import builtin, external

TRIALS = 120


@pytest.fixture(scope="module")
def done(client):
    s = client.submit(builtin(unique("many"), trials=TRIALS))
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=120)
    while not s.done:
        assert datetime.datetime.now() < deadline, s
        s = s.status()  # called: a fresh snapshot
    return s


def test_status_counts_and_best(done):
    assert done.status == "completed"
    assert done.counts.completed + done.counts.failed == TRIALS
    assert done.counts.done == TRIALS
    assert done.best_trial is not None and done.best_objective is not None
    assert done.finished is not None and done.finished >= done.created
    best = done.best(k=5)
    assert len(best) == 5
    assert best[0].number == done.best_trial and best[0].objective == done.best_objective
    assert [t.objective for t in best] == sorted((t.objective for t in best), reverse=True)
    assert all(t.status == "completed" and "val_loss" in t.metrics for t in best)


def test_trials_reads_every_page(done, monkeypatch):
    monkeypatch.setattr(sweeps_module, "_PAGE", 25)  # five pages
    trials = list(done.trials())
    assert [t.number for t in trials] == list(range(TRIALS))
    t = trials[7]
    assert t.sweep_id == done.id and t.worker.startswith("embedded")
    assert type(t.params["batch_size"]) is int and type(t.params["lr"]) is float
    assert t.params["epochs"] == 2 and type(t.params["epochs"]) is int
    assert t.params["hidden"] == [8]
    assert t.curve is None  # GetTrial only
    by_objective = list(done.trials(sort="objective"))
    assert by_objective[0].number == done.best_trial
    assert len(by_objective) == TRIALS
    ascending = [t.objective for t in done.trials(sort="objective", descending=True, status="completed")]
    assert ascending == sorted(ascending)


def test_trials_where(done):
    small = list(done.trials(where="batch_size=16"))
    assert small and all(t.params["batch_size"] == 16 for t in small)
    both = list(done.trials(where=["batch_size=16", "lr<0.01"]))
    assert all(t.params["batch_size"] == 16 and t.params["lr"] < 0.01 for t in both)
    assert len(both) < len(small)
    with pytest.raises(hpsearch.InvalidSpec, match="no_such_key"):
        list(done.trials(where="no_such_key>1"))
    with pytest.raises(ValueError, match="unknown trial status"):
        list(done.trials(status="finished"))


def test_one_trial_with_its_curve_and_attempts(done):
    t = done.trial(done.best_trial)
    assert [e["epoch"] for e in t.curve] == [1, 2]
    assert {"val_loss", "val_accuracy", "lr", "seconds"} <= set(t.curve[0])
    assert len(t.attempts) == 1 and t.attempts[0].outcome == "completed"
    assert t.objective == done.best_objective
    with pytest.raises(hpsearch.NotFound):
        done.trial(TRIALS + 5)


def test_importance(done):
    imp = done.importance()
    assert imp.completed_trials >= imp.minimum_trials and not imp.withheld
    assert set(imp.shares) == {"lr", "batch_size"}
    assert sum(imp.shares.values()) == pytest.approx(1.0, abs=1e-6)


def test_to_dataframe(done):
    if importlib.util.find_spec("pandas") is None:
        with pytest.raises(ImportError, match="pandas"):
            done.to_dataframe()
        return
    df = done.to_dataframe()
    assert len(df) == TRIALS
    assert list(df.columns[:3]) == ["number", "status", "objective"]
    assert {"lr", "batch_size", "val_loss"} <= set(df.columns)


def test_watch_follows_the_sweep_to_its_end(client):
    # An ask-and-tell sweep: each event happens while the stream is open.
    s = client.submit(external(unique("watched"), trials=3, fixed={"epochs": 2}))
    events = s.watch()
    first = next(events)
    assert first.kind == "snapshot" and first.sweep.id == s.id and first.sweep.counts.done == 0
    for _ in range(3):
        t = s.ask()
        t.report(1, loss=2.0)
        t.report(2, loss=1.0)
        t.tell(loss=float(t.number))
    rest = list(events)
    assert rest[-1].kind == "end" and rest[-1].sweep.done and rest[-1].sweep.counts.completed == 3
    trials = [(e.trial.number, e.trial.status) for e in rest if e.kind == "trial"]
    assert [n for n, status in trials if status == "completed"] == [0, 1, 2]
    epochs = [(e.epoch.trial, e.epoch.epoch, e.epoch.metrics["loss"]) for e in rest if e.kind == "epoch"]
    assert epochs == [(n, epoch, loss) for n in range(3) for epoch, loss in ((1, 2.0), (2, 1.0))]
    assert all(e.sweep.spec for e in rest)  # the snapshot's spec on every event
    assert rest[-1].sweep.best_objective == 0.0 and rest[-1].sweep.best_trial == 0
    # A finished sweep's watch is its final state at once.
    again = list(s.watch())
    assert again[-1].kind == "end" and len(again) == 1
