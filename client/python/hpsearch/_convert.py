"""hpsearch.v1 messages → the SDK's plain values (hpsearch.types)."""

from __future__ import annotations

import datetime
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional

from google.protobuf import json_format

from hpsearch.types import (Attempt, Epoch, Importance, ParetoSummary, ServerInfo, Trial, TrialCounts, Worker,
                            WorkerTrial)
from hpsearch.v1 import trial_pb2

TRIAL_STATUSES = {
    trial_pb2.PENDING: "pending", trial_pb2.RUNNING: "running", trial_pb2.COMPLETED: "completed",
    trial_pb2.FAILED: "failed", trial_pb2.PRUNED: "pruned", trial_pb2.CANCELLED: "cancelled",
}
SWEEP_STATUSES = {
    trial_pb2.SWEEP_RUNNING: "running", trial_pb2.SWEEP_STOPPING: "stopping",
    trial_pb2.SWEEP_COMPLETED: "completed", trial_pb2.SWEEP_FAILED: "failed",
    trial_pb2.SWEEP_CANCELLED: "cancelled",
}
FINISHED = frozenset({"completed", "failed", "cancelled"})


def trial_status_enum(name: str) -> int:
    """"completed" → trial_pb2.COMPLETED; ValueError naming the choices otherwise."""
    for number, text in TRIAL_STATUSES.items():
        if text == name.lower():
            return number
    raise ValueError(f"unknown trial status {name!r}: one of {', '.join(TRIAL_STATUSES.values())}")


def time_of(ms: int) -> Optional[datetime.datetime]:
    """Unix milliseconds → an aware UTC datetime; None for 0 (not yet)."""
    if ms <= 0:
        return None
    return datetime.datetime.fromtimestamp(ms / 1000.0, tz=datetime.timezone.utc)


def spec_dict(spec: Any) -> Dict[str, Any]:
    """A SweepSpec as a dict (proto field names; enums by name)."""
    return json_format.MessageToDict(spec, preserving_proto_field_name=True)


def float_params(spec: Mapping[str, Any]) -> FrozenSet[str]:
    """The parameters of a spec dict that are float ranges: their values stay floats."""
    names = set()
    for p in spec.get("parameters", []):
        r = p.get("range")
        if r is not None and r.get("type") != "INT":
            names.add(p.get("name", ""))
    return frozenset(names)


def _plain(value: Any, keep_float: bool) -> Any:
    if isinstance(value, float) and not keep_float and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v, keep_float) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v, keep_float) for k, v in value.items()}
    return value


def params_of(values: Mapping[str, Any], floats: FrozenSet[str]) -> Dict[str, Any]:
    """A map<string, google.protobuf.Value> → plain values. The wire has only floats:
    an integral number becomes an int unless its parameter is a float range."""
    return {name: _plain(json_format.MessageToDict(v), name in floats) for name, v in sorted(values.items())}


def counts_of(c: Any) -> TrialCounts:
    """A TrialCounts message → TrialCounts."""
    return TrialCounts(pending=c.pending, running=c.running, completed=c.completed, failed=c.failed,
                       pruned=c.pruned, cancelled=c.cancelled, not_started=c.not_started)


def _lr(e: Any) -> Optional[float]:
    # The built-in trainer's rate is never 0; a program or loop that reported no `lr`
    # has none (the message's 0 is its unset default, not a rate).
    return e.lr if e.lr != 0.0 or "lr" in e.metrics else None


def epoch_dict(e: Any) -> Dict[str, Optional[float]]:
    """An EpochMetrics → one curve point: epoch, lr (None if not reported), seconds
    and the metrics."""
    out: Dict[str, Optional[float]] = {"epoch": e.epoch, "lr": _lr(e), "seconds": e.seconds}
    out.update(sorted(e.metrics.items()))
    return out


def epoch_of(trial: int, e: Any) -> Epoch:
    """An EpochMetrics of trial ``trial`` → Epoch."""
    metrics = dict(sorted(e.metrics.items()))
    return Epoch(trial=trial, epoch=e.epoch, metrics=metrics, lr=_lr(e), seconds=e.seconds)


def trial_of(t: Any, floats: FrozenSet[str], full: bool = False) -> Trial:
    """A Trial message → Trial; ``full`` (GetTrial) adds its curve and attempts."""
    attempts: Optional[List[Attempt]] = None
    curve: Optional[List[Dict[str, float]]] = None
    if full:
        curve = [epoch_dict(e) for e in t.epochs]
        attempts = [Attempt(attempt=a.attempt, worker=a.worker, started=time_of(a.started_ms),
                            finished=time_of(a.finished_ms), outcome=a.outcome, seed=a.seed)
                    for a in t.attempts]
    return Trial(
        sweep_id=t.sweep_id, number=t.index, status=TRIAL_STATUSES.get(t.status, "unspecified"),
        params=params_of(t.params, floats), seed=t.seed, attempt=t.attempt, worker=t.worker,
        objective=t.objective if t.HasField("objective") else None, metrics=dict(sorted(t.metrics.items())),
        failure_reason=t.failure_reason, parameter_count=t.parameter_count,
        epochs_run=t.epochs_run, created=time_of(t.created_ms),
        started=time_of(t.started_ms), finished=time_of(t.finished_ms), curve=curve, attempts=attempts,
        objective_values=list(t.objective_values) if t.HasField("pareto_rank") else None,
        pareto_rank=t.pareto_rank if t.HasField("pareto_rank") else None)


def pareto_of(sweep: Any) -> Optional[ParetoSummary]:
    """A Sweep message's ParetoSummary (GetSweep of a multi-objective sweep), else None."""
    if not sweep.HasField("pareto"):
        return None
    p = sweep.pareto
    return ParetoSummary(metrics=list(p.metrics), maximize=list(p.maximize), front_size=p.front_size,
                         ranked_trials=p.ranked_trials, hypervolume=p.hypervolume,
                         reference_point=list(p.reference_point))


def importance_of(m: Any) -> Importance:
    """An Importance message → Importance."""
    return Importance(shares={p.param: p.importance for p in m.importances},
                      completed_trials=m.completed_trials, minimum_trials=m.minimum_trials, method=m.method,
                      target_quantile=m.target_quantile)


def server_info_of(m: Any) -> ServerInfo:
    """A ServerInfo message → ServerInfo."""
    return ServerInfo(version=m.version, schema_version=m.schema_version, embedded_slots=m.embedded_slots)


def workers_of(ws: Iterable[Any]) -> List[Worker]:
    """Worker messages → Workers."""
    return [Worker(name=w.name, embedded=w.embedded, slots=list(w.slots), last_seen=time_of(w.last_seen_ms),
                   running=[WorkerTrial(sweep_id=r.sweep_id, number=r.index, attempt=r.attempt)
                            for r in w.running])
            for w in ws]
