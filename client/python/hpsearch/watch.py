"""Sweep.watch(): the WatchSweep stream as Event values, reconnecting as
``hpsearch watch`` does (client/commands/watch_command.cc) when the server restarts
or the connection drops."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any, Dict, Iterator, Optional

import grpc

from hpsearch import _convert, _rpc
from hpsearch.types import Event
from hpsearch.v1 import sweep_service_pb2 as pb

if TYPE_CHECKING:
    from hpsearch.sweeps import Sweep

RECONNECT_FOR = 60.0  # seconds without the server before a watch gives up
RECONNECT_PAUSE = 0.5
QUIET = 5.0  # seconds of a silent stream before the sweep is looked up directly


class _QuietWatcher:
    """Looks the sweep up while its stream stays quiet and the reader waits on it (a
    lost final event, or a server that vanished without closing the connection): when
    it has ended and the stream still says nothing for 2 s more, cancels the stream,
    whose reader then finds the sweep finished (as ``hpsearch watch`` does)."""

    def __init__(self, conn: Any, sweep_id: str, call: Any) -> None:
        self._conn, self._sweep_id, self._call = conn, sweep_id, call
        self._heard = time.monotonic()
        self._paused = False
        self._stop = threading.Event()
        threading.Thread(target=self._loop, name="hpsearch-watch", daemon=True).start()

    def pause(self) -> None:
        """The reader has an event and is away (yielded it): not the stream's silence."""
        self._paused = True

    def resume(self) -> None:
        """The reader waits on the stream again."""
        self._heard = time.monotonic()
        self._paused = False

    def close(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(0.5):
            if self._paused or time.monotonic() - self._heard < QUIET:
                continue
            self._heard = time.monotonic()
            try:
                s = self._conn.call(self._conn.sweeps.GetSweep, pb.GetSweepRequest(sweep=self._sweep_id),
                                    retry=False)
            except _rpc.HpsearchError:
                continue
            if _convert.SWEEP_STATUSES.get(s.status) in _convert.FINISHED:
                asked = time.monotonic()
                if self._stop.wait(2.0):
                    return
                if not self._paused and self._heard < asked:
                    self._call.cancel()
                    return


def _event(e: Any, sweep: "Sweep") -> Event:
    floats = _convert.float_params(sweep.spec)
    when = _convert.time_of(e.time_ms)
    if e.HasField("trial"):
        return Event(kind="trial", time=when, sweep=sweep, trial=_convert.trial_of(e.trial, floats))
    if e.HasField("epoch"):
        epoch = _convert.epoch_of(e.epoch.trial, e.epoch.metrics)
        return Event(kind="epoch", time=when, sweep=sweep, epoch=epoch)
    if e.skipped > 0:
        return Event(kind="catch_up", time=when, sweep=sweep, skipped=e.skipped)
    return Event(kind="end" if sweep.done else "snapshot", time=when, sweep=sweep)


def watch(sweep: "Sweep") -> Iterator[Event]:
    """Yields the sweep's events until it has finished (the last one: kind "end")."""
    from hpsearch.sweeps import Sweep

    conn = sweep._client._conn
    spec: Dict[str, Any] = sweep.spec
    lost_since: Optional[float] = None
    while True:
        call = conn.stream(conn.sweeps.WatchSweep, pb.WatchSweepRequest(sweep=sweep.id))
        quiet = _QuietWatcher(conn, sweep.id, call)
        error: Optional[grpc.RpcError] = None
        try:
            for e in call:
                quiet.pause()
                lost_since = None
                current = Sweep._of(e.sweep, sweep._client, spec)
                spec = current.spec
                event = _event(e, current)
                yield event
                quiet.resume()
                if current.done:
                    if event.kind != "end":
                        yield Event(kind="end", time=event.time, sweep=current)
                    return
        except grpc.RpcError as e:
            error = e
        finally:
            quiet.close()
            call.cancel()
        if error is not None and error.code() not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED):
            raise _rpc.translate(error) from None
        # The stream ended before the sweep did: the server went away (or closed it).
        # If the sweep has ended meanwhile, say so; else reconnect for a fresh snapshot.
        now = time.monotonic()
        lost_since = lost_since if lost_since is not None else now
        try:
            answer = conn.call(conn.sweeps.GetSweep, pb.GetSweepRequest(sweep=sweep.id), retry=False)
            latest = Sweep._of(answer, sweep._client, spec)
            if latest.done:
                yield Event(kind="end", time=None, sweep=latest)
                return
        except _rpc.HpsearchError as e:
            if e.code != "UNAVAILABLE" or now - lost_since > RECONNECT_FOR:
                raise
        time.sleep(RECONNECT_PAUSE)
