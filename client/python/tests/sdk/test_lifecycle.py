"""Steering sweeps: cancel, stop, extend, retry, delete (ask-and-tell sweeps: their
trials run only when asked, so each state is reached on purpose)."""

import pytest

import hpsearch

from conftest import unique
from specs import external, f


def test_cancel_and_stop(client):
    s = client.submit(external(unique("cancel")))
    held = s.ask()
    c = s.cancel()
    assert c.status == "cancelled" and c.id == s.id
    assert held.report(1, loss=1.0) is True  # its running trial is told to stop
    assert held.stopped and held.stop_reason
    assert held.tell(loss=1.0) is False
    assert s.cancel().status == "cancelled"  # already finished: left as it is

    g = client.submit(external(unique("stop")))
    t = g.ask()
    stopping = g.stop()
    assert stopping.status in ("stopping", "cancelled")
    assert g.ask(timeout=5) is None  # nothing new starts
    assert t.tell(loss=f(t.params)) is True  # a running trial finishes
    assert g.status().status == "cancelled"


def test_extend_adds_trials_and_reopens_a_finished_sweep(client):
    s = client.submit(external(unique("extend"), trials=2))
    for _ in range(2):
        t = s.ask()
        assert t.tell(loss=f(t.params))
    assert s.ask() is None
    assert s.status().status == "completed"
    e = s.extend(trials=2)
    assert e.total_trials == 4 and e.status == "running"
    numbers = []
    while (t := s.ask()) is not None:
        numbers.append(t.number)
        t.tell(loss=f(t.params))
    assert numbers == [2, 3]
    assert s.status().counts.completed == 4


def test_retry_requeues_failed_trials_as_new_attempts(client):
    s = client.submit(external(unique("retry"), trials=2))
    bad = s.ask()
    assert bad.fail("diverged on purpose") is True
    ok = s.ask()
    ok.tell(loss=f(ok.params))
    done = s.status()
    assert done.counts.failed == 1 and done.done
    assert s.trial(bad.number).failure_reason == "diverged on purpose"
    r = s.retry(new_seed=True)
    assert r.requeued == 1 and r.sweep.status == "running"
    again = s.ask()
    assert again.number == bad.number and again.attempt == 2 and again.seed != bad.seed
    assert again.params == bad.params
    assert again.tell(loss=f(again.params))
    assert [a.attempt for a in s.trial(bad.number).attempts] == [1, 2]


def test_delete_refuses_a_running_sweep_and_deletes_a_finished_one(client):
    s = client.submit(external(unique("delete"), trials=1))
    with pytest.raises(hpsearch.FailedPrecondition):
        s.delete()
    s.cancel()
    gone = s.delete()
    assert gone.id == s.id
    with pytest.raises(hpsearch.NotFound):
        client.sweep(s.id)
