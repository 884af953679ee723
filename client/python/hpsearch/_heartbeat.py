"""The heartbeat of ask and tell: one daemon thread per client sends a bare
ReportProgress for every trial it holds, a third of a lease after that trial's last
report, so a slow training loop keeps its leases. A STOP answer (pruned, cancelled)
or a lost lease marks the trial stopped."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Dict, Optional

if TYPE_CHECKING:
    from hpsearch.asktell import AskedTrial


class Heartbeat:
    """The trials a client holds and the thread that keeps their leases."""

    def __init__(self) -> None:
        self._held: Dict[int, "AskedTrial"] = {}
        self._cv = threading.Condition()
        self._thread: Optional[threading.Thread] = None
        self._closed = False

    def hold(self, trial: "AskedTrial") -> None:
        """Starts beating for ``trial`` (its next beat is due per ``trial.beat_due``)."""
        with self._cv:
            if self._closed:
                raise RuntimeError("hpsearch: this client is closed; open a new Client to ask")
            self._held[id(trial)] = trial
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="hpsearch-heartbeat", daemon=True)
                self._thread.start()
            self._cv.notify()

    def holds(self, sweep_id: str) -> bool:
        """Whether this client holds a trial of ``sweep_id``."""
        with self._cv:
            return any(t.sweep_id == sweep_id for t in self._held.values())

    def release(self, trial: "AskedTrial") -> None:
        """Stops beating for ``trial``."""
        with self._cv:
            self._held.pop(id(trial), None)
            self._cv.notify()

    def close(self) -> None:
        """Ends the thread (the held trials' leases then lapse)."""
        with self._cv:
            self._closed = True
            self._held.clear()
            self._cv.notify()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._cv:
                if self._closed:
                    return
                now = time.monotonic()
                due = [t for t in self._held.values() if t.beat_due <= now]
                if not due:
                    wake = min((t.beat_due for t in self._held.values()), default=now + 60.0)
                    self._cv.wait(timeout=max(0.01, wake - now))
                    continue
            for trial in due:
                try:
                    trial._beat()  # outside the lock: a call may take a while
                except Exception:  # noqa: BLE001 - the thread must outlive any one beat
                    trial.beat_due = time.monotonic() + 1.0
