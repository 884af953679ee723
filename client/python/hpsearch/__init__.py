"""hpsearch: report from your own training program to hpsearch.

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
"""

from hpsearch.report import attempt, final, params, report, seed, sweep, trial, trial_dir

__all__ = ["params", "report", "final", "sweep", "trial", "attempt", "seed", "trial_dir"]
