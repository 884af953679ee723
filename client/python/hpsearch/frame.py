"""Sweep.to_dataframe(): trials as a pandas DataFrame (pandas imported only here)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from hpsearch.types import Trial

_HEAD = ["number", "status", "objective"]
_TAIL = ["seed", "attempt", "worker", "started", "finished", "failure_reason"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise ImportError("Sweep.to_dataframe() needs pandas, which hpsearch does not install: "
                          "apt-get install python3-pandas, or pip install pandas") from None
    return pandas


def trials_frame(trials: Iterable[Trial]) -> Any:
    """One row per trial: _HEAD (then pareto_rank for a multi-objective sweep), the
    parameters, the metrics, _TAIL (a parameter named like
    one of those is "param.<name>", a metric named like any column before it "metric.<name>")."""
    pandas = _pandas()
    rows: List[Dict[str, Any]] = []
    params: Dict[str, None] = {}
    metrics: Dict[str, None] = {}
    ranked = False  # a multi-objective sweep's trials: a pareto_rank column after objective
    for t in trials:
        row: Dict[str, Any] = {"number": t.number, "status": t.status, "objective": t.objective}
        if t.pareto_rank is not None:
            ranked = True
            row["pareto_rank"] = t.pareto_rank
        for k, v in t.params.items():
            name = k if k not in _HEAD and k not in _TAIL else f"param.{k}"
            params.setdefault(name)
            row[name] = v
        for k, v in t.metrics.items():
            name = k if k not in params and k not in _HEAD and k not in _TAIL else f"metric.{k}"
            metrics.setdefault(name)
            row[name] = v
        row.update(seed=t.seed, attempt=t.attempt, worker=t.worker, started=t.started, finished=t.finished,
                   failure_reason=t.failure_reason)
        rows.append(row)
    columns = _HEAD + (["pareto_rank"] if ranked else []) + list(params) + list(metrics) + _TAIL
    return pandas.DataFrame(rows, columns=columns)
