"""hpsearch.Client: a connection to hpsearch-server's SweepService (and, for ask and
tell, its WorkerService)."""

from __future__ import annotations

import itertools
import os
import socket
import threading
import uuid
from types import TracebackType
from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, Optional, Tuple, Type, Union

from hpsearch import _convert
from hpsearch._heartbeat import Heartbeat
from hpsearch._rpc import Connection
from hpsearch._spec import SpecInput, spec_text
from hpsearch.errors import InvalidSpec
from hpsearch.sweeps import Sweep
from hpsearch.types import ServerInfo, Worker
from hpsearch.v1 import sweep_service_pb2 as pb

if TYPE_CHECKING:
    from hpsearch.asktell import AskedTrial


class Client:
    """A client of one hpsearch server.

    ``address``: host:port (default: HPSEARCH_SERVER, else 127.0.0.1:50051).
    ``token``: sent as ``authorization: Bearer <token>`` (default: HPSEARCH_TOKEN).
    ``tls``: None (plain, unless HPSEARCH_TLS_CA names a CA file), False (plain),
    True (TLS trusting the system's roots) or a CA certificate's path (PEM).
    ``timeout``: seconds per call. ``retry_seconds``: how long a call that finds the
    server unavailable (restarting) is retried before Unavailable is raised.

    Use it as a context manager, or call ``close()``, to close the channel.
    """

    def __init__(self, address: Optional[str] = None, token: Optional[str] = None,
                 tls: Union[None, bool, str, "os.PathLike[str]"] = None, timeout: float = 10.0,
                 retry_seconds: float = 30.0) -> None:
        self._conn = Connection(address, token, tls, timeout, retry_seconds)
        self.client_id: str = f"sdk/{socket.gethostname()}-{os.getpid()}"
        self._asks = itertools.count(1)
        self._thread_ids = threading.local()
        self._beats: Optional[Heartbeat] = None
        self._beats_lock = threading.Lock()
        # Ask and tell: per thread, the sweep it last told and how many of its asks in
        # a row came right after a tell of that sweep; trials a tell prefetched, by
        # (sweep, asking client id).
        self._loop = threading.local()
        self._prefetched: Dict[Tuple[str, str], "AskedTrial"] = {}
        self._prefetched_lock = threading.Lock()

    def _told(self, sweep_id: str) -> None:
        self._loop.told = sweep_id

    def _asked(self, sweep_id: str) -> None:
        after_tell = getattr(self._loop, "told", None) == sweep_id
        self._loop.streak = getattr(self._loop, "streak", 0) + 1 if after_tell else 0
        self._loop.told = None
        self._loop.asked = sweep_id

    def _asks_after_tells(self, sweep_id: str) -> int:
        return getattr(self._loop, "streak", 0) if getattr(self._loop, "asked", None) == sweep_id else 0

    def _keep_prefetched(self, trial: "AskedTrial") -> None:
        with self._prefetched_lock:
            self._prefetched[(trial.sweep_id, self._ask_id())] = trial

    def _take_prefetched(self, sweep_id: str) -> "Optional[AskedTrial]":
        with self._prefetched_lock:
            trial = self._prefetched.pop((sweep_id, self._ask_id()), None)
        return trial if trial is not None and trial.held else None

    def _ask_id(self) -> str:
        """The client id the calling thread asks under: ``sdk/<host>-<pid>/<n>``, one
        per thread (a thread's asks are sequential, so a retried ask is recognised by
        its request id; ``hpsearch workers`` lists this process as the worker
        ``sdk/<host>-<pid>`` with a slot per asking thread)."""
        n = getattr(self._thread_ids, "n", None)
        if n is None:
            n = self._thread_ids.n = next(self._asks)
        return f"{self.client_id}/{n}"

    @property
    def address(self) -> str:
        """The server's address as dialled."""
        return self._conn.address

    def __repr__(self) -> str:
        return f"hpsearch.Client({self.address!r})"

    def _heartbeat(self) -> Heartbeat:
        with self._beats_lock:
            if self._beats is None:
                self._beats = Heartbeat()
            return self._beats

    def close(self) -> None:
        """Hands back the trials a tell prefetched that were never asked for, stops the
        heartbeat (held trials' leases then lapse) and closes the channel."""
        with self._prefetched_lock:
            unused = list(self._prefetched.values())
            self._prefetched.clear()
        for trial in unused:
            try:
                trial._hand_back("the client closed before asking for it")
            except Exception:  # the server is gone: the lease lapses instead
                pass
        if self._beats is not None:
            self._beats.close()
        self._conn.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], exc: Optional[BaseException],
                 tb: Optional[TracebackType]) -> None:
        self.close()

    def submit(self, spec: SpecInput) -> Sweep:
        """Submits a sweep: ``spec`` is a dict, a YAML file's path or YAML text. The
        server validates it (InvalidSpec naming the field otherwise). A call that
        finds the server unavailable is retried with the same request id, so it
        never makes two sweeps."""
        request = pb.SubmitSweepRequest(spec_yaml=spec_text(spec), request_id=uuid.uuid4().hex)
        try:
            return Sweep._of(self._conn.call(self._conn.sweeps.SubmitSweep, request), self)
        except InvalidSpec as e:
            # A dict goes as one line of JSON: "(line 1)" would point at nothing of yours.
            if isinstance(spec, Mapping) and e.message.endswith(" (line 1)"):
                raise InvalidSpec(e.message[:-len(" (line 1)")], e.code) from None
            raise

    create = submit

    def sweep(self, id_or_name: str) -> Sweep:
        """The sweep with this id ("s-000042") or name (the newest of that name)."""
        request = pb.GetSweepRequest(sweep=id_or_name)
        return Sweep._of(self._conn.call(self._conn.sweeps.GetSweep, request), self)

    def sweeps(self, status: Union[None, str, Iterable[str]] = None,
               labels: Optional[Dict[str, str]] = None) -> List[Sweep]:
        """Every sweep, newest first; only those of ``status`` (one or several:
        "running", "completed", ...) and carrying every label of ``labels``."""
        wanted = {status} if isinstance(status, str) else set(status) if status is not None else None
        out: List[Sweep] = []
        request = pb.ListSweepsRequest(page_size=1000)
        while True:
            resp = self._conn.call(self._conn.sweeps.ListSweeps, request)
            for m in resp.sweeps:
                s = Sweep._of(m, self)
                if wanted is not None and s.status not in wanted:
                    continue
                if labels and any(s.labels.get(k) != v for k, v in labels.items()):
                    continue
                out.append(s)
            if not resp.next_page_token:
                return out
            request.page_token = resp.next_page_token

    def server_info(self) -> ServerInfo:
        """The server's version and setup."""
        info = self._conn.call(self._conn.sweeps.GetServerInfo, pb.GetServerInfoRequest())
        return _convert.server_info_of(info)

    def workers(self) -> List[Worker]:
        """The workers that called in within one lease (embedded slots, remote
        workers, ask-and-tell clients), by name."""
        resp = self._conn.call(self._conn.sweeps.ListWorkers, pb.ListWorkersRequest())
        return _convert.workers_of(resp.workers)
