"""The report module as a trial's program sees it: its JSON reader against the
standard library's, the report lines it writes, and the answers it reads, over a
real pipe pair standing in for the runner (docs/spec.md, "Reporting from your
program")."""

import importlib
import json
import os
import random
import subprocess
import sys
import textwrap

import pytest

from hpsearch import _json

report = importlib.import_module("hpsearch.report")  # the module (the package exports its function)
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(report.__file__)))


def _documents(seed: int, n: int):
    rng = random.Random(seed)

    def gen(depth=0):
        kind = rng.randrange(7 if depth < 3 else 4)
        if kind == 0:
            return rng.randint(-10**15, 10**15)
        if kind == 1:
            return rng.uniform(-1e6, 1e6) * 10 ** rng.randint(-300, 300) / 1e6
        if kind == 2:
            chars = [rng.randrange(32, 127), rng.randrange(0x80, 0x3000), 0x1F600, 10, 34, 92, 9, 8, 0]
            return "".join(chr(rng.choice(chars)) for _ in range(rng.randrange(8)))
        if kind == 3:
            return rng.choice([True, False, None])
        if kind == 4:
            return [gen(depth + 1) for _ in range(rng.randrange(4))]
        return {f"k{i}": gen(depth + 1) for i in range(rng.randrange(4))}

    for _ in range(n):
        yield gen()


def test_the_json_reader_reads_what_json_writes():
    for value in _documents(seed=1, n=3000):
        for text in (json.dumps(value), json.dumps(value, ensure_ascii=False), json.dumps(value, indent=2)):
            assert _json.loads(text) == json.loads(text), text
    # ints stay ints, floats floats, as json.loads gives them
    assert _json.loads('{"width": 64, "lr": 0.001, "big": 1e300, "neg": -0.0}') == {
        "width": 64, "lr": 0.001, "big": 1e300, "neg": -0.0}
    assert type(_json.loads('{"width": 64}')["width"]) is int


@pytest.mark.parametrize("text", ["{", '{"a" 1}', "[1,", '"unterminated', "{}x", "nul", '{"a": tru}'])
def test_the_json_reader_refuses_what_is_not_json(text):
    with pytest.raises((ValueError, IndexError, KeyError)):
        _json.loads(text)


def test_report_lines_are_written_as_the_runner_reads_them():
    metrics = {"val_loss": 0.412, "acc": 1, "n": float("nan"), "x": float("-inf"), "y": float("inf")}
    assert report._line("epoch=3", metrics) == "epoch=3 val_loss=0.412 acc=1 n=nan x=-inf y=inf"
    with pytest.raises(ValueError, match="metric name"):
        report._line("epoch=1", {"val loss": 1.0})
    with pytest.raises(ValueError, match="is not a number"):
        report._line("epoch=1", {"loss": "abc"})
    with pytest.raises(ValueError, match="whole number"):
        report.report(1.5, loss=1.0)


def _run(program: str, env: dict) -> subprocess.CompletedProcess:
    env = dict(env, PYTHONPATH=PACKAGE)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(program)], env=env, capture_output=True,
                          text=True, timeout=30, pass_fds=tuple(int(env[k]) for k in ("HPSEARCH_REPORT_FD",
                                                                                           "HPSEARCH_REPLY_FD")
                                                                   if k in env))


def test_outside_hpsearch_report_prints_the_stdout_form_and_never_stops():
    out = _run("""
        import hpsearch
        assert hpsearch.params() == {} and hpsearch.trial() is None
        assert hpsearch.report(1, loss=0.5) is False
        hpsearch.final(test_accuracy=0.9)
    """, {k: v for k, v in os.environ.items() if not k.startswith("HPSEARCH_")})
    assert out.returncode == 0, out.stderr
    assert out.stdout == "hpsearch: epoch=1 loss=0.5\nhpsearch: final test_accuracy=0.9\n"


def test_over_the_pipes_each_report_waits_for_its_answer_and_stop_sticks():
    report_r, report_w = os.pipe()
    reply_r, reply_w = os.pipe()
    # The runner's answers, written ahead: continue, continue, stop.
    os.write(reply_w, b"continue\ncontinue\nstop\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HPSEARCH_")}
    env.update(HPSEARCH_REPORT_FD=str(report_w), HPSEARCH_REPLY_FD=str(reply_r),
               HPSEARCH_PARAMS='{"lr": 0.01, "hidden": [256, 128], "opt": "adam"}',
               HPSEARCH_TRIAL="7", HPSEARCH_SEED="18446744073709551615", HPSEARCH_TRIAL_DIR="/tmp/x")
    out = _run("""
        import hpsearch
        assert hpsearch.params() == {"lr": 0.01, "hidden": [256, 128], "opt": "adam"}
        assert (hpsearch.trial(), hpsearch.seed(), hpsearch.trial_dir()) == (7, 2**64 - 1, "/tmp/x")
        answers = [hpsearch.report(e, loss=1.0 / e) for e in (1, 2, 3, 4)]
        print(answers)
        hpsearch.final(loss=0.1)   # not sent once stopped
    """, env)
    os.close(report_w)
    os.close(reply_r)
    sent = os.read(report_r, 65536).decode()
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[False, False, True, True]"
    assert sent == "epoch=1 loss=1.0\nepoch=2 loss=0.5\nepoch=3 loss=0.3333333333333333\n"


def test_a_runner_that_goes_away_reads_as_stop():
    report_r, report_w = os.pipe()
    reply_r, reply_w = os.pipe()
    os.close(reply_w)  # end of file: no answer will ever come
    env = dict(os.environ, HPSEARCH_REPORT_FD=str(report_w), HPSEARCH_REPLY_FD=str(reply_r))
    out = _run("import hpsearch; print(hpsearch.report(1, loss=1.0))", env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"
