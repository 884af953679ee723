"""Ask and tell (``trainer: external`` sweeps): ``sweep.ask()`` leases the next
trial to this client; the client runs it wherever it likes and reports on it through
the lease, as a remote worker does (WorkerService: ReportProgress, CompleteTrial,
FailTrial)."""

from __future__ import annotations

import math
import threading
import time
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type

from google.protobuf import json_format

from hpsearch import _convert
from hpsearch.errors import FailedPrecondition, HpsearchError
from hpsearch.v1 import sweep_service_pb2 as pb
from hpsearch.v1 import trial_pb2, worker_service_pb2 as wpb

if TYPE_CHECKING:
    from hpsearch.sweeps import Sweep

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_HELD, _STOPPED, _TOLD, _FAILED = "held", "stopped", "told", "failed"


def _metrics(metrics: Dict[str, Any]) -> Dict[str, float]:
    out = {}
    for name, value in metrics.items():
        if not name or len(name) > 64 or not _NAME_CHARS.issuperset(name):
            raise ValueError(f"hpsearch: metric name {name!r} is not 1-64 characters of A-Z a-z 0-9 _ .")
        if isinstance(value, bool):
            raise ValueError(f"hpsearch: {name}={value!r} is not a number")
        try:
            out[name] = float(value)  # numpy and torch scalars too
        except (TypeError, ValueError):
            raise ValueError(f"hpsearch: {name}={value!r} is not a number") from None
    return out


# Asks of a sweep, each right after a tell of it in the same thread, before a tell
# also asks for the next trial (prefetches it): a loop's third trial on.
_PREFETCH_AFTER = 2


class AskedTrial:
    """A trial leased to this client by ``Sweep.ask()``.

    ``number``, ``params`` (plain values, as ``Trial.params``), ``seed``, ``attempt``,
    ``sweep_id``, ``objective_metric`` and ``maximize`` describe it. While it is held
    the client's heartbeat keeps its lease. ``report`` sends an epoch, ``tell`` the
    result, ``fail`` a failure. Once the trial is stopped (pruned, cancelled, its lease
    lost: ``stop_reason`` says which) ``report`` returns True and ``tell``/``fail``
    do nothing and return False.

    As a context manager (``with sweep.ask() as t:``), an exception in the block
    fails the trial with the exception's repr and propagates; a block that ends
    without ``tell`` or ``fail`` fails it too.
    """

    def __init__(self, sweep: "Sweep", lease: Any) -> None:
        self._sweep = sweep
        self._client = sweep._client
        self._key = lease.key
        self.sweep_id: str = lease.key.sweep_id
        self.number: int = lease.key.index
        self.attempt: int = lease.key.attempt
        self.seed: int = lease.seed
        self.params: Dict[str, Any] = _convert.params_of(lease.params, sweep._floats())
        self.objective_metric: str = lease.objective_metric
        self.maximize: bool = lease.objective_maximize
        self.stop_reason: Optional[str] = None
        self.lease_ms: int = lease.lease_ms or 30_000
        self._state = _HELD
        self._lock = threading.Lock()
        self._last_report = time.monotonic()
        self.beat_due = self._last_report + self.lease_ms / 3000.0

    def __repr__(self) -> str:
        return (f"AskedTrial(sweep_id={self.sweep_id!r}, number={self.number}, attempt={self.attempt}, "
                f"params={self.params!r}, state={self._state!r})")

    @property
    def stopped(self) -> bool:
        """True once the server has stopped the trial (``stop_reason`` says why)."""
        return self._state == _STOPPED

    @property
    def held(self) -> bool:
        """True until the trial is told, failed or stopped."""
        return self._state == _HELD

    def _conn(self) -> Any:
        return self._client._conn

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self._state == _HELD:
                self._state = _STOPPED
                self.stop_reason = reason
        self._client._heartbeat().release(self)

    def _answer(self, resp: Any) -> bool:
        """Applies a ReportProgress answer; True when it says stop."""
        if resp.directive == wpb.STOP:
            self._stop(resp.reason or "stopped by the server")
            return True
        if resp.lease_ms > 0:
            self.lease_ms = resp.lease_ms
        self.beat_due = time.monotonic() + self.lease_ms / 3000.0
        return False

    def _beat(self) -> None:
        """One bare heartbeat (the heartbeat thread's)."""
        if self._state != _HELD:
            return
        conn = self._conn()
        try:
            request = wpb.ReportProgressRequest(key=self._key)
            resp = conn.call(conn.workers.ReportProgress, request, retry=False)
        except FailedPrecondition as e:
            self._stop(e.message)
            return
        except HpsearchError:
            self.beat_due = time.monotonic() + min(1.0, self.lease_ms / 6000.0)  # again soon
            return
        self._answer(resp)

    def report(self, epoch: int, **metrics: float) -> bool:
        """Reports epoch ``epoch`` (from 1, at most the trial's ``epochs``) with its
        metrics. Returns True when the trial should stop now (pruned, cancelled, or
        its lease lost; ``stop_reason`` says which): end it without ``tell``.
        A metric ``lr`` is also the epoch's learning rate; the epoch's seconds are
        the wall time since the previous report (or the ask). RuntimeError once the
        trial was told or failed."""
        if isinstance(epoch, bool) or int(epoch) != epoch or epoch < 1:
            raise ValueError(f"hpsearch: epoch {epoch!r} is not a whole number >= 1")
        values = _metrics(metrics)
        if self._state == _STOPPED:
            return True
        if self._state != _HELD:
            raise RuntimeError(f"hpsearch: trial {self.number} was already {self._state}")
        now = time.monotonic()
        lr = values.get("lr", 0.0)
        e = trial_pb2.EpochMetrics(epoch=int(epoch), metrics=values, seconds=now - self._last_report,
                                   lr=lr if math.isfinite(lr) and lr >= 0 else 0.0)
        conn = self._conn()
        try:
            resp = conn.call(conn.workers.ReportProgress, wpb.ReportProgressRequest(key=self._key, epoch=e))
        except FailedPrecondition as stale:  # the lease was lost (expired, or given to a later ask)
            self._stop(stale.message)
            return True
        self._last_report = now
        return self._answer(resp)

    def tell(self, **metrics: float) -> bool:
        """Completes the trial with its final metrics, the objective among them
        (ValueError before anything is sent otherwise). True when the result was
        taken; False when the trial had been stopped (``stop_reason``), told or
        failed already."""
        values = _metrics(metrics)
        if self.objective_metric not in values:
            have = ", ".join(sorted(values)) or "none"
            raise ValueError(f"hpsearch: tell() needs the objective metric {self.objective_metric!r} "
                             f"(given: {have})")
        conn = self._conn()
        request = wpb.CompleteTrialRequest(key=self._key, metrics=values)
        # A loop that asks right after each tell: the next ask rides on this call.
        prefetch = self._client._asks_after_tells(self.sweep_id) >= _PREFETCH_AFTER
        if prefetch:
            request.ask_next.client_id = self._client._ask_id()
            request.ask_next.request_id = uuid.uuid4().hex
        resp = self._finish(_TOLD, conn.workers.CompleteTrial, request)
        if resp is None:
            return False
        self._client._told(self.sweep_id)
        if prefetch and resp.HasField("next_lease"):
            trial = AskedTrial(self._sweep, resp.next_lease)
            self._client._heartbeat().hold(trial)
            self._client._keep_prefetched(trial)
        return True

    def fail(self, reason: str) -> bool:
        """Fails the trial for good (it is not retried) with ``reason``. True when
        the failure was recorded; False when the trial was no longer held."""
        conn = self._conn()
        request = wpb.FailTrialRequest(key=self._key, reason=str(reason)[:4096], permanent=True)
        return self._finish(_FAILED, conn.workers.FailTrial, request) is not None

    def _hand_back(self, reason: str) -> None:
        """Gives the trial back unstarted (it runs again for a later ask, not counted as
        a lost lease): a prefetched trial the program never asked for."""
        conn = self._conn()
        request = wpb.FailTrialRequest(key=self._key, reason=reason, permanent=False)
        self._finish(_FAILED, conn.workers.FailTrial, request)

    def _finish(self, state: str, method: Any, request: Any) -> Any:
        """The call's answer, or None when the trial was no longer held."""
        if self._state != _HELD:
            return None
        try:
            resp = self._conn().call(method, request)  # a retry after a lost answer is taken as the first
        except FailedPrecondition as e:  # stopped meanwhile, or the lease was lost
            self._stop(e.message)
            return None
        with self._lock:
            self._state = state
        self._client._heartbeat().release(self)
        return resp

    def __enter__(self) -> "AskedTrial":
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> bool:
        if self._state == _HELD:
            reason = repr(exc) if exc is not None else "the `with` block ended without tell() or fail()"
            try:
                self.fail(reason)
            except HpsearchError:
                if exc is None:
                    raise
        return False


def ask(sweep: "Sweep", timeout: Optional[float],
        enqueue: Optional[Mapping[str, Any]] = None) -> Optional[AskedTrial]:
    """Sweep.ask(): polls AskTrial until a lease comes, none will, or ``timeout``.

    None when the sweep has ended, and also when every trial of its budget is out and
    this client holds some of them itself (it has to tell those first; waiting for
    them would wait for itself). A client that holds none waits: a trial whose lease
    is lost (its client crashed) comes back to it, and the sweep ends when the last
    one is told."""
    client = sweep._client
    conn = client._conn
    client._asked(sweep.id)
    if not enqueue:
        kept = client._take_prefetched(sweep.id)
        if kept is not None:
            return kept
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        # A client id per asking thread (with the request id, the server's retry key):
        # asks from several threads never take each other's place.
        request = pb.AskTrialRequest(sweep=sweep.id, client_id=client._ask_id(), request_id=uuid.uuid4().hex)
        for name, value in (enqueue or {}).items():
            json_format.ParseDict(value, request.params[name])
        resp = conn.call(conn.sweeps.AskTrial, request)  # UNAVAILABLE: retried with the same request id
        if resp.HasField("lease"):
            trial = AskedTrial(sweep, resp.lease)
            client._heartbeat().hold(trial)
            return trial
        if resp.finished:
            return None
        if resp.handed_out and client._heartbeat().holds(sweep.id):
            return None
        wait = max(resp.retry_after_ms, 50) / 1000.0
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"hpsearch: no trial of sweep {sweep.id} within {timeout} s")
            wait = min(wait, left)
        time.sleep(wait)
