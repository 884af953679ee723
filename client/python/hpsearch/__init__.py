"""hpsearch: report from your own training program to hpsearch, and (the SDK) drive
an hpsearch server from Python.

Inside a command trial (a sweep with ``trainer.command``) the runner sets
``HPSEARCH_PARAMS`` and a report pipe; this module reads the one and writes to the
other. It needs nothing but Python's standard library::

    import hpsearch

    p = hpsearch.params()                      # {"lr": 0.003, "width": 128, "epochs": 20}
    for epoch in range(1, p["epochs"] + 1):
        loss, acc = train_one_epoch(p)
        if hpsearch.report(epoch, val_loss=loss, val_accuracy=acc):
            break                              # pruned or stopped: end now

Run outside hpsearch, ``report`` prints the same report on stdout and never stops.
The protocol is documented in docs/spec.md ("Reporting from your program").

The SDK (``hpsearch.Client`` and the names below; docs/python.md) needs
python3-grpcio and python3-protobuf. It is imported on first use of one of its
names, so ``import hpsearch`` stays quick and standard-library only::

    c = hpsearch.Client()                      # HPSEARCH_SERVER, HPSEARCH_TOKEN
    sweep = c.submit("examples/quickstart.yaml")
    for event in sweep.watch():
        ...
"""

from hpsearch.report import attempt, final, params, report, seed, sweep, trial, trial_dir

# The SDK's public names → the submodule that defines them (PEP 562: imported lazily).
_SDK = {
    "Client": "hpsearch.client",
    "Sweep": "hpsearch.sweeps",
    "AskedTrial": "hpsearch.asktell",
    "Trial": "hpsearch.types",
    "TrialCounts": "hpsearch.types",
    "Attempt": "hpsearch.types",
    "Importance": "hpsearch.types",
    "ParetoSummary": "hpsearch.types",
    "Event": "hpsearch.types",
    "Epoch": "hpsearch.types",
    "RetryResult": "hpsearch.types",
    "ServerInfo": "hpsearch.types",
    "Worker": "hpsearch.types",
    "WorkerTrial": "hpsearch.types",
    "HpsearchError": "hpsearch.errors",
    "InvalidSpec": "hpsearch.errors",
    "NotFound": "hpsearch.errors",
    "Unauthenticated": "hpsearch.errors",
    "PermissionDenied": "hpsearch.errors",
    "FailedPrecondition": "hpsearch.errors",
    "AlreadyExists": "hpsearch.errors",
    "ResourceExhausted": "hpsearch.errors",
    "Unavailable": "hpsearch.errors",
    "DeadlineExceeded": "hpsearch.errors",
}

__all__ = ["params", "report", "final", "sweep", "trial", "attempt", "seed", "trial_dir", *_SDK]


def __getattr__(name: str) -> object:
    module = _SDK.get(name)
    if module is None:
        raise AttributeError(f"module 'hpsearch' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(__all__)
