"""A two-objective sweep (accuracy against network size) through the SDK: the Pareto
front it returns is the one the CLI's ``best`` lists and the one computed here from the
trials' own metrics; status() reports the front; the DataFrame marks the ranks."""

import datetime
import importlib.util
import json
import subprocess

import pytest

from conftest import BIN, unique
from specs import builtin

TRIALS = 16


@pytest.fixture(scope="module")
def done(client):
    spec = builtin(unique("two-objectives"), trials=TRIALS, method="nsga2", nsga2={"population": 6},
                   objective=[{"metric": "val_accuracy"}, {"metric": "parameter_count"}])
    spec["parameters"]["hidden"] = {"values": [[2], [4], [8], [16], [32], [8, 8]]}
    del spec["fixed"]["hidden"]
    s = client.submit(spec)
    deadline = datetime.datetime.now() + datetime.timedelta(seconds=120)
    while not s.done:
        assert datetime.datetime.now() < deadline, s
        s = s.status()
    return s


def front_by_definition(trials):
    front = set()
    for a in trials:
        acc, size = a.metrics["val_accuracy"], a.parameter_count
        if not any(b.metrics["val_accuracy"] >= acc and b.parameter_count <= size
                   and (b.metrics["val_accuracy"] > acc or b.parameter_count < size) for b in trials):
            front.add(a.number)
    return front


def test_the_front_is_the_non_dominated_trials(done):
    assert done.status == "completed" and done.multi_objective
    completed = list(done.trials(status="completed"))
    assert completed and all(t.pareto_rank is not None and len(t.objective_values) == 2 for t in completed)
    front = done.pareto_front()
    assert {t.number for t in front} == front_by_definition(completed)
    assert all(t.pareto_rank == 0 for t in front)
    firsts = [t.objective_values[0] for t in front]
    assert firsts == sorted(firsts, reverse=True)  # by the first objective, best first
    for t in front:
        assert t.objective_values == [t.metrics["val_accuracy"], float(t.parameter_count)]


def test_status_reports_the_front(done):
    p = done.pareto
    assert p is not None
    assert p.metrics == ["val_accuracy", "parameter_count"] and p.maximize == [True, False]
    assert p.front_size == len(done.pareto_front())
    assert p.ranked_trials == done.counts.completed
    assert p.hypervolume > 0 and len(p.reference_point) == 2


def test_the_cli_lists_the_same_front(done, server):
    out = subprocess.run([str(BIN / "hpsearch"), "--server", server.address, "best", done.id, "-o", "json"],
                         check=True, capture_output=True, text=True).stdout
    assert [t["trial"] for t in json.loads(out)] == [t.number for t in done.pareto_front()]


def test_best_reaches_past_the_front_in_rank_order(done):
    ranked = done.best(k=TRIALS)
    assert [t.pareto_rank for t in ranked] == sorted(t.pareto_rank for t in ranked)


def test_a_single_objective_front_is_its_best_trial(client):
    s = client.submit(builtin(unique("one-objective"), trials=3))
    while not s.done:
        s = s.status()
    assert s.pareto is None and not s.multi_objective
    front = s.pareto_front()
    assert front and front[0].number == s.best_trial and all(t.objective == s.best_objective for t in front)
    assert all(t.pareto_rank is None and t.objective_values is None for t in front)


def test_to_dataframe_has_the_ranks(done):
    if importlib.util.find_spec("pandas") is None:
        pytest.skip("pandas is not installed")
    df = done.to_dataframe(status="completed")
    assert list(df.columns[:4]) == ["number", "status", "objective", "pareto_rank"]
    assert (df["pareto_rank"] == 0).sum() == done.pareto.front_size
