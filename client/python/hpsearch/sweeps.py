"""A sweep as the server last described it, bound to the client that fetched it:
its fields are a snapshot (``status()`` fetches a fresh one); its methods query and
steer the sweep on the server."""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterator, List, Optional, Sequence, Union

from hpsearch import _convert
from hpsearch.errors import DeadlineExceeded, FailedPrecondition
from hpsearch.types import Event, Importance, ParetoSummary, RetryResult, Trial, TrialCounts
from hpsearch.v1 import sweep_service_pb2 as pb
from hpsearch.v1 import trial_pb2

if TYPE_CHECKING:
    from hpsearch.asktell import AskedTrial
    from hpsearch.client import Client

_PAGE = 1000  # the server's largest page


class SweepStatus(str):
    """A sweep's status, a lower-case string ("running", "completed", ...) that can
    also be called: ``sweep.status()`` fetches the sweep anew (as ``refresh()``)."""

    _sweep: "Sweep"

    def __call__(self) -> "Sweep":
        return self._sweep.refresh()


@dataclass(frozen=True)
class Sweep:
    """One sweep. ``status`` is lower case: "running", "stopping", "completed",
    "failed" or "cancelled"; called, ``sweep.status()`` is a fresh snapshot.
    ``best_objective``/``best_trial`` are None until a trial completes. ``spec`` is
    the stored spec as a dict (hpsearch.v1.SweepSpec's field names, enums by name;
    {} when the server's answer did not carry it)."""

    id: str
    name: str
    status: SweepStatus
    status_reason: str
    total_trials: int
    counts: TrialCounts
    best_objective: Optional[float]
    best_trial: Optional[int]
    objective_metric: str
    maximize: bool
    created: Optional[datetime.datetime]
    finished: Optional[datetime.datetime]
    labels: Dict[str, str]
    spec: Dict[str, Any]
    # A multi-objective sweep's front (from status() or refresh()); None otherwise.
    pareto: Optional[ParetoSummary]
    _client: "Client" = field(repr=False, compare=False)

    @classmethod
    def _of(cls, message: Any, client: "Client", spec: Optional[Dict[str, Any]] = None) -> "Sweep":
        """From an hpsearch.v1.Sweep; ``spec`` stands in when the message has none."""
        if message.HasField("spec"):
            spec = _convert.spec_dict(message.spec)
        spec = spec or {}
        status = SweepStatus(_convert.SWEEP_STATUSES.get(message.status, "unspecified"))
        sweep = cls(
            id=message.id, name=message.name, status=status,
            status_reason=message.status_reason, total_trials=message.total_trials,
            counts=_convert.counts_of(message.counts),
            best_objective=message.best_objective if message.HasField("best_objective") else None,
            best_trial=message.best_trial if message.HasField("best_objective") and message.best_trial >= 0
            else None,
            objective_metric=message.objective_metric, maximize=message.maximize,
            created=_convert.time_of(message.created_ms), finished=_convert.time_of(message.finished_ms),
            labels=dict(spec.get("labels", {})), spec=spec, pareto=_convert.pareto_of(message), _client=client)
        status._sweep = sweep
        return sweep

    @property
    def done(self) -> bool:
        """True once the sweep has finished (completed, failed or cancelled)."""
        return self.status in _convert.FINISHED

    @property
    def external(self) -> bool:
        """True for a ``trainer: external`` sweep (ask and tell)."""
        return bool(self.spec.get("trainer", {}).get("external", False))

    def _floats(self) -> FrozenSet[str]:
        spec = self.spec or self._client.sweep(self.id).spec
        return _convert.float_params(spec)

    def _rpc(self, method: str, request: Any, retry: bool = True) -> Any:
        conn = self._client._conn
        return conn.call(getattr(conn.sweeps, method), request, retry=retry)

    def _new(self, message: Any) -> "Sweep":
        return Sweep._of(message, self._client, self.spec)

    # Queries.

    def refresh(self) -> "Sweep":
        """The sweep as it is now (a fresh snapshot); ``sweep.status()`` says the same."""
        return self._new(self._rpc("GetSweep", pb.GetSweepRequest(sweep=self.id)))

    @property
    def multi_objective(self) -> bool:
        """True when the spec lists several objectives (its best trials are a Pareto front)."""
        return bool(self.spec.get("other_objectives"))

    def best(self, k: int = 5) -> List[Trial]:
        """The ``k`` best completed trials by the objective, best first. With several
        objectives: by Pareto rank, then the first objective (``pareto_front()`` for
        the front alone)."""
        floats = self._floats()
        resp = self._rpc("GetBestTrials", pb.GetBestTrialsRequest(sweep=self.id, k=k))
        return [_convert.trial_of(t, floats) for t in resp.trials]

    def pareto_front(self) -> List[Trial]:
        """The completed trials no other one beats on every objective, by the first
        objective (best first), each with ``objective_values`` and ``pareto_rank`` 0,
        as ``hpsearch best`` lists them. With one objective: the best trial, and any
        that tie it."""
        floats = self._floats()
        resp = self._rpc("GetBestTrials", pb.GetBestTrialsRequest(sweep=self.id, k=0 if self.multi_objective else 1000))
        trials = [_convert.trial_of(t, floats) for t in resp.trials]
        if self.multi_objective or not trials:
            return trials
        return [t for t in trials if t.objective == trials[0].objective]

    def trials(self, where: Union[None, str, Sequence[str]] = None, sort: Optional[str] = None,
               descending: bool = False, status: Optional[str] = None) -> Iterator[Trial]:
        """Every trial (all pages), lazily.

        ``where``: a condition or a list of them, each "<key><op><value>" (key a
        parameter, "objective" or a metric; op = != < <= > >=; "optimizer=adam,sgd"
        means any of): trials meeting them all. ``sort``: "index" (default),
        "objective" (best first) or a metric name (ascending); ``descending`` flips
        it. ``status``: "completed", "failed", ... (default: any).
        """
        conditions = [where] if isinstance(where, str) else list(where or [])
        request = pb.ListTrialsRequest(sweep=self.id, sort_by=sort or "", descending=descending,
                                       page_size=_PAGE, where=conditions)
        if status is not None:
            request.status = _convert.trial_status_enum(status)
        floats = self._floats()
        while True:
            resp = self._rpc("ListTrials", request)
            for t in resp.trials:
                yield _convert.trial_of(t, floats)
            if not resp.next_page_token:
                return
            request.page_token = resp.next_page_token

    def trial(self, number: int) -> Trial:
        """Trial ``number`` with its per-epoch ``curve`` and its ``attempts``."""
        t = self._rpc("GetTrial", pb.GetTrialRequest(sweep=self.id, index=number))
        return _convert.trial_of(t, self._floats(), full=True)

    def importance(self) -> Importance:
        """How much each searched parameter mattered (empty ``shares`` while withheld)."""
        return _convert.importance_of(self._rpc("GetImportance", pb.GetImportanceRequest(sweep=self.id)))

    def watch(self) -> Iterator[Event]:
        """Events until the sweep finishes (the last has kind "end"); reconnects, as
        ``hpsearch watch`` does, while the server restarts (for up to a minute)."""
        from hpsearch.watch import watch

        return watch(self)

    def wait(self, timeout: Optional[float] = None) -> "Sweep":
        """Blocks until the sweep has finished and returns it as it ended (``done``).
        With ``timeout`` (seconds), raises DeadlineExceeded when it has not finished by
        then; without, it follows the sweep's events (as ``watch()``) to its end."""
        if timeout is None:
            for _ in self.watch():
                pass
            return self.refresh()
        deadline = time.monotonic() + timeout
        while True:
            now = self.refresh()
            if now.done:
                return now
            left = deadline - time.monotonic()
            if left <= 0:
                raise DeadlineExceeded(f"sweep {self.id} is still {now.status} after {timeout:g} s",
                                       "DEADLINE_EXCEEDED")
            time.sleep(min(0.5, left))

    def logs(self, number: int, stream: str = "stdout", attempt: int = 0) -> str:
        """What trial ``number``'s program wrote to ``stream`` ("stdout" or "stderr"),
        as the server keeps it (the last 1 MiB), decoded as UTF-8 (invalid bytes
        replaced); ``attempt`` 0 is the latest. For a command trial (trainer.command):
        a trial queued but not started has written nothing (""); one the sweep has not
        drawn yet raises NotFound. A running trial's output is read up to where it was
        at the first answer."""
        streams = {"stdout": trial_pb2.OUTPUT_STREAM_STDOUT, "stderr": trial_pb2.OUTPUT_STREAM_STDERR}
        if stream not in streams:
            raise ValueError(f"stream {stream!r}: 'stdout' or 'stderr'")
        data = bytearray()
        offset = 0
        end = None  # where the stream was at the first answer: a running program may write on
        while True:
            log = self._rpc("GetTrialLog", pb.GetTrialLogRequest(
                sweep=self.id, index=number, attempt=attempt, stream=streams[stream], offset=offset,
                max_bytes=1 << 20))
            end = log.end if end is None else end
            data += log.data
            offset = log.offset + len(log.data)
            if log.attempt == 0 or offset >= end or not log.data:
                return data.decode("utf-8", errors="replace")
            attempt = log.attempt  # the next pages from the same attempt

    def to_dataframe(self, where: Union[None, str, Sequence[str]] = None,
                     status: Optional[str] = None) -> Any:
        """The trials as a pandas DataFrame, one row each: number, status, objective,
        the parameters, the final metrics (a metric named like a column before it is
        "metric.<name>"; a parameter named like a fixed column "param.<name>"), seed,
        attempt, worker, started, finished, failure_reason.
        Needs pandas (not a dependency of hpsearch): ImportError without it."""
        from hpsearch.frame import trials_frame

        return trials_frame(self.trials(where=where, status=status))

    # Changes.

    def stop(self) -> "Sweep":
        """Stops the sweep gracefully: running trials finish, nothing new starts. A
        finished sweep is left as it is."""
        return self._cancel(graceful=True)

    def cancel(self) -> "Sweep":
        """Cancels the sweep: running trials stop within an epoch. A finished sweep is
        left as it is."""
        return self._cancel(graceful=False)

    def _cancel(self, graceful: bool) -> "Sweep":
        try:
            request = pb.CancelSweepRequest(sweep=self.id, graceful=graceful)
            return self._new(self._rpc("CancelSweep", request))
        except FailedPrecondition:
            return self.refresh()  # already finished: stopped either way, as the CLI says

    def extend(self, trials: int = 0, duration: Union[None, float, datetime.timedelta] = None) -> "Sweep":
        """More budget: ``trials`` more trials and/or ``duration`` more time (seconds
        or a timedelta). A finished sweep runs again. FailedPrecondition says why
        when nothing can be added."""
        if isinstance(duration, datetime.timedelta):
            duration = duration.total_seconds()
        seconds = float(duration or 0)
        request = pb.ExtendSweepRequest(sweep=self.id, trials=trials, duration_seconds=seconds)
        return self._new(self._rpc("ExtendSweep", request, retry=False))

    def retry(self, failed: bool = True, cancelled: bool = False, new_seed: bool = False) -> RetryResult:
        """Requeues the failed and/or cancelled trials as new attempts (``new_seed``:
        each with a new seed)."""
        request = pb.RetryTrialsRequest(sweep=self.id, failed=failed, cancelled=cancelled, new_seed=new_seed)
        resp = self._rpc("RetryTrials", request, retry=False)
        return RetryResult(sweep=self._new(resp.sweep), requeued=resp.requeued, resumed=resp.resumed)

    def delete(self) -> "Sweep":
        """Deletes the finished sweep and its trials (FailedPrecondition while it
        runs); returns it as it was."""
        return self._new(self._rpc("DeleteSweep", pb.DeleteSweepRequest(sweep=self.id)))

    # Ask and tell.

    def ask(self, timeout: Optional[float] = None,
            enqueue: Optional[Dict[str, Any]] = None) -> "Optional[AskedTrial]":
        """The next trial of this ``trainer: external`` sweep, leased to this client,
        or None when no trial will come (the sweep has ended or every trial of its
        budget is out). Waits while ``max_concurrent`` trials are out; TimeoutError
        after ``timeout`` seconds (None: no limit).

        ``enqueue`` (Optuna's ``enqueue_trial``): a new trial with these searched
        parameters' values (the ones left out drawn at random), for a configuration
        known to be good; one trial more than the sweep planned, leased at once.
        ``InvalidSpec`` naming ``params.<name>`` for a value outside the search space,
        ``FailedPrecondition`` once the sweep has ended."""
        from hpsearch.asktell import ask

        return ask(self, timeout, enqueue)
