"""The report side of a command trial, standard library only.

One text line per message (docs/spec.md, "Reporting from your program"):

* to the runner, on the file descriptor in ``HPSEARCH_REPORT_FD``:
  ``epoch=3 val_loss=0.412 val_accuracy=0.871`` or ``final test_accuracy=0.88``;
* from the runner, on ``HPSEARCH_REPLY_FD``, one answer per line sent:
  ``continue``, or ``stop`` when the trial was pruned, stopped or cancelled.
"""

import os

from hpsearch._json import loads

# Starting python3 is most of what a short trial costs: this module imports only
# what Python has loaded anyway (no json, re or typing: their imports take longer
# than the interpreter's own start; nor __future__ and math, 0.1 ms of a 9 ms
# trial: annotations that are not builtins are strings).
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_INF = float("inf")
_reply = None
_stopped = False


def params() -> "dict[str, object]":
    """The trial's parameters: searched and fixed, as the sweep spec names them."""
    text = os.environ.get("HPSEARCH_PARAMS")
    return loads(text) if text else {}


def _env(name: str) -> "str | None":
    return os.environ.get(name)


def sweep() -> "str | None":
    """The sweep's id ("s-000042"), or None outside hpsearch."""
    return _env("HPSEARCH_SWEEP")


def trial() -> "int | None":
    """The trial's index in its sweep, or None outside hpsearch."""
    value = _env("HPSEARCH_TRIAL")
    return int(value) if value is not None else None


def attempt() -> "int | None":
    """Which attempt at the trial this is (from 1), or None outside hpsearch."""
    value = _env("HPSEARCH_ATTEMPT")
    return int(value) if value is not None else None


def seed() -> "int | None":
    """The trial's seed (seed your generators with it), or None outside hpsearch."""
    value = _env("HPSEARCH_SEED")
    return int(value) if value is not None else None


def trial_dir() -> "str | None":
    """A fresh directory of this attempt's own, for checkpoints and artifacts."""
    return _env("HPSEARCH_TRIAL_DIR")


def _number(name: str, value: object) -> str:
    if not name or len(name) > 64 or not _NAME_CHARS.issuperset(name):
        raise ValueError(f"hpsearch: metric name {name!r} is not 1-64 characters of A-Z a-z 0-9 _ .")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)  # numpy and torch scalars
        except (TypeError, ValueError):
            raise ValueError(f"hpsearch: {name}={value!r} is not a number") from None
    if isinstance(value, int):
        return str(value)
    value = float(value)  # a float subclass's own == and != are not asked
    if value != value:
        return "nan"
    if value in (_INF, -_INF):
        return "inf" if value > 0 else "-inf"
    return repr(value)


def _line(head: str, metrics: "dict[str, object]") -> str:
    parts = [head] if head else []
    parts += [f"{name}={_number(name, value)}" for name, value in metrics.items()]
    return " ".join(parts)


def _send(line: str) -> bool:
    """Sends one line; True when the runner answers stop."""
    global _reply, _stopped
    report_fd = _env("HPSEARCH_REPORT_FD")
    if report_fd is None:
        print(f"hpsearch: {line}", flush=True)
        return False
    data = (line + "\n").encode()
    while data:
        data = data[os.write(int(report_fd), data):]
    reply_fd = _env("HPSEARCH_REPLY_FD")
    if reply_fd is None:
        return False
    if _reply is None:
        _reply = os.fdopen(int(reply_fd), "r", encoding="utf-8", closefd=False)
    answer = _reply.readline().strip()
    if answer != "continue":  # "stop", or the runner is gone
        _stopped = True
    return _stopped


def report(epoch: int, **metrics: object) -> bool:
    """Reports one epoch's metrics. Returns True when the trial should stop now
    (pruned, stopped, cancelled, or its lease lost): save what you need and return."""
    if isinstance(epoch, bool) or int(epoch) != epoch or epoch < 0:
        raise ValueError(f"hpsearch: epoch {epoch!r} is not a whole number >= 0")
    if _stopped:
        return True
    return _send(_line(f"epoch={int(epoch)}", metrics))


def final(**metrics: object) -> None:
    """The trial's final metrics (say, its test accuracy), if not its last report's."""
    if not _stopped:
        _send(_line("final", metrics))
