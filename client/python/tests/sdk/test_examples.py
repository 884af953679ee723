"""examples/python/ runs as docs/python.md says, against a real server."""

import importlib.util
import os
import subprocess
import sys

import pytest

from conftest import SOURCE

EXAMPLES = SOURCE / "examples" / "python"


def _run(script: str, server, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, HPSEARCH_SERVER=server.address)
    env.pop("HPSEARCH_TOKEN", None)
    return subprocess.run([sys.executable, str(EXAMPLES / script), *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_ask_and_tell_example_then_the_dataframe_example(server):
    run = _run("ask_tell.py", server)
    assert run.returncode == 0, run.stderr
    summary = run.stdout.splitlines()[-1]
    assert "completed" in summary and "pruned;" in summary and "best loss" in summary, run.stdout
    query = _run("query_dataframe.py", server, "ask-tell-example")
    if importlib.util.find_spec("pandas") is None:
        assert query.returncode != 0 and "needs pandas" in query.stderr
        pytest.skip("pandas is not installed: the DataFrame example stops at to_dataframe()")
    assert query.returncode == 0, query.stderr
    lines = query.stdout.splitlines()
    assert lines[0].startswith("s-") and "ask-tell-example: completed" in lines[0], query.stdout
    assert lines[1].split() == ["number", "objective", "x", "y"], query.stdout
    assert len(lines[2].split()) == 4  # the best trial's row


def test_the_two_objectives_example_prints_its_front(server):
    run = _run("two_objectives.py", server)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "two-objectives-example: completed" in lines[0] and "on the front of 24" in lines[0], run.stdout
    assert lines[1].split() == ["trial", "val_accuracy", "parameters", "hidden"], run.stdout
    rows = [line.split() for line in lines[2:]]
    assert rows, run.stdout
    # Down the front accuracy falls and size falls with it: each row trades one for the other.
    accuracies = [float(r[1]) for r in rows]
    sizes = [int(r[2]) for r in rows]
    assert accuracies == sorted(accuracies, reverse=True) and sizes == sorted(sizes, reverse=True), run.stdout
