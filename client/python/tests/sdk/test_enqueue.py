"""Enqueue (Optuna's enqueue_trial) through ask: a trial of given values on top of the
sweep's own, every method; the values checked against the search space; the search's
own trials all still run, after a server restart too."""

import pytest

import hpsearch

from conftest import start_server, unique
from specs import external, f


def _run_out(s, loss=f):
    """Tells every remaining trial; the numbers and params it ran."""
    ran = []
    while (t := s.ask(timeout=30)) is not None:
        ran.append((t.number, dict(t.params)))
        assert t.tell(loss=loss(t.params))
    return ran


@pytest.mark.parametrize("method", ["random", "tpe", "nsga2"])
def test_an_enqueued_trial_runs_the_given_values_on_top_of_the_budget(client, method):
    s = client.submit(external(unique(f"enqueue-{method}"), trials=12, method=method,
                               **({"nsga2": {"population": 4}} if method == "nsga2" else {})))
    first = s.ask()
    known = s.ask(enqueue={"x": 3.0, "y": -1.0})  # f's optimum
    assert known.params["x"] == 3.0 and known.params["y"] == -1.0 and known.number == 1
    assert known.tell(loss=f(known.params)) and first.tell(loss=f(first.params))
    partial = s.ask(enqueue={"x": 2.5})  # y drawn at random
    assert partial.params["x"] == 2.5 and -10.0 <= partial.params["y"] <= 10.0
    assert partial.tell(loss=f(partial.params))
    ran = _run_out(s)
    done = s.status()
    assert done.status == "completed" and done.total_trials == 14
    assert done.counts.completed == 14 and len(ran) == 11  # the search's own 12, less the first
    assert done.best_objective == 0.0 and done.best_trial == 1


def test_a_grid_loses_no_point_to_an_enqueued_trial(client):
    spec = external(unique("enqueue-grid"), method="grid",
                    parameters={"x": {"values": [-1.0, 0.0, 1.0]}, "y": {"values": [2.0, 3.0]}})
    del spec["budget"]
    s = client.submit(spec)
    t = s.ask(enqueue={"x": 1.0, "y": 3.0})
    assert t.tell(loss=f(t.params))
    grid = {(p["x"], p["y"]) for _, p in _run_out(s)}
    assert grid == {(x, y) for x in (-1.0, 0.0, 1.0) for y in (2.0, 3.0)}  # all six points
    assert s.status().counts.completed == 7


def test_values_outside_the_space_are_refused_naming_the_parameter(client):
    spec = external(unique("enqueue-refused"), trials=3,
                    parameters={"x": {"min": -10.0, "max": 10.0}, "n": {"min": 1, "max": 4},
                                "kind": {"values": ["a", "b"]}, "w": {"min": 0.0, "max": 1.0, "when": {"kind": "b"}}})
    s = client.submit(spec)
    cases = [({"x": 11.0}, "params.x: 11 is outside"), ({"n": 2.5}, "params.n: 2.5 is not an integer"),
             ({"kind": "c"}, 'params.kind: "c" is not one of its values'), ({"z": 1.0}, "params.z: is not a searched"),
             ({"kind": "a", "w": 0.5}, "params.w: is inactive"), ({"epochs": 3}, "params.epochs")]
    for values, message in cases:
        with pytest.raises(hpsearch.InvalidSpec, match=message.replace(".", r"\.")):
            s.ask(enqueue=values)
    t = s.ask(enqueue={"n": 3, "kind": "b", "w": 0.25})
    assert t.params["n"] == 3 and type(t.params["n"]) is int and t.params["w"] == 0.25
    assert t.tell(loss=1.0)
    _run_out(s, loss=lambda p: 1.0)
    with pytest.raises(hpsearch.FailedPrecondition, match="has ended"):
        s.ask(enqueue={"x": 0.0})


def test_after_a_restart_the_search_resumes_after_its_own_trials(tmp_path_factory):
    server = start_server(tmp_path_factory, workers=0)
    try:
        with hpsearch.Client(server.address) as c:
            s = c.submit(external(unique("enqueue-restart"), trials=6, method="random", seed=9))
            asked = [s.ask() for _ in range(2)]
            extra = s.ask(enqueue={"x": 0.0, "y": 0.0})
            for t in asked + [extra]:
                assert t.tell(loss=f(t.params))
            server.stop()
            server.start()
            rest = _run_out(s)
            done = s.status()
            assert done.total_trials == 7 and done.counts.completed == 7
            assert [n for n, _ in rest] == [3, 4, 5, 6]
        # The same sweep without the restart draws the same configurations.
        with hpsearch.Client(server.address) as c:
            twin = c.submit(external(unique("enqueue-twin"), trials=6, method="random", seed=9))
            same = [(t.number, dict(t.params)) for t in [twin.ask() for _ in range(6)]]
        assert [p for _, p in same[2:]] == [p for _, p in rest]
    finally:
        server.stop()


def test_extend_after_an_enqueued_trial_adds_exactly_what_it_says(client):
    s = client.submit(external(unique("enqueue-extend"), trials=3, method="tpe"))
    t = s.ask(enqueue={"x": 1.0, "y": 1.0})
    assert t.tell(loss=f(t.params))
    _run_out(s)
    assert s.status().total_trials == 4
    s.extend(trials=2)
    ran = _run_out(s)
    assert [n for n, _ in ran] == [4, 5]
    done = s.status()
    assert done.total_trials == 6 and done.counts.completed == 6 and done.status == "completed"
