"""A sweep of the user's own program (trainer.command) driven from Python: wait()
for its end, then logs() of a trial's stdout and stderr."""

import textwrap

import pytest

import hpsearch

from conftest import start_server, unique

TALK = """
import sys, time
import hpsearch
p = hpsearch.params()
print(f"out {p['x']}", flush=True)
print("err line", file=sys.stderr, flush=True)
time.sleep(p.get("sleep", 0))
hpsearch.report(1, loss=(p["x"] - 1) ** 2)
"""


@pytest.fixture(scope="module")
def commands(tmp_path_factory):
    code = tmp_path_factory.mktemp("code")
    (code / "talk.py").write_text(textwrap.dedent(TALK))
    server = start_server(tmp_path_factory, "--commands", str(code))
    with hpsearch.Client(server.address) as client:
        yield client
    server.stop()


def spec(name, **fixed):
    return {"name": unique(name), "trainer": {"command": ["/usr/bin/python3", "talk.py"]},
            "objective": {"metric": "loss"}, "method": "grid", "fixed": fixed,
            "parameters": {"x": {"values": [0.5, 2.0]}}}


def test_wait_returns_the_finished_sweep_and_logs_reads_each_stream(commands):
    done = commands.submit(spec("talk")).wait()
    assert done.done and done.status == "completed"
    assert done.counts.completed == 2
    assert commands.sweep(done.id).logs(0) == "out 0.5\n"
    assert done.logs(1) == "out 2.0\n"
    assert done.logs(1, stream="stderr", attempt=1) == "err line\n"
    with pytest.raises(ValueError):
        done.logs(0, stream="both")
    with pytest.raises(hpsearch.NotFound):
        done.logs(0, attempt=2)


def test_wait_with_a_timeout_raises_while_the_sweep_runs(commands):
    slow = commands.submit(spec("slow", sleep=30))
    with pytest.raises(hpsearch.DeadlineExceeded):
        slow.wait(timeout=0.3)
    slow.cancel()
    assert slow.wait(timeout=30).status == "cancelled"
