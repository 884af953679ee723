"""The connection: a gRPC channel to hpsearch-server with the CLI's settings (the
same environment variables, keepalive and retries), its two stubs, and calls that
raise the SDK's exceptions instead of ``grpc.RpcError``."""

from __future__ import annotations

import os
import time
import warnings
from typing import Any, Callable, Optional, Union

import grpc

from hpsearch.errors import HpsearchError, error_for
from hpsearch.v1 import sweep_service_pb2_grpc, worker_service_pb2_grpc

DEFAULT_SERVER = "127.0.0.1:50051"
_LOOPBACK = ("127.", "localhost:", "[::1]:", "unix:", "unix-abstract:")


def translate(e: grpc.RpcError) -> HpsearchError:
    """The SDK exception for a failed call."""
    code = e.code() if hasattr(e, "code") else None
    name = code.name if code is not None else "UNKNOWN"
    details = e.details() if hasattr(e, "details") else None
    return error_for(name, details or str(e))


def _credentials(tls: Union[None, bool, str]) -> Optional[grpc.ChannelCredentials]:
    if tls is None or tls is False:
        return None
    if tls is True:
        return grpc.ssl_channel_credentials()
    with open(os.fspath(tls), "rb") as f:
        return grpc.ssl_channel_credentials(root_certificates=f.read())


class Connection:
    """One channel and its stubs. Thread-safe (gRPC channels are)."""

    def __init__(self, address: Optional[str], token: Optional[str], tls: Union[None, bool, str],
                 timeout: float, retry_seconds: float) -> None:
        self.address = address or os.environ.get("HPSEARCH_SERVER") or DEFAULT_SERVER
        self.token = token if token is not None else os.environ.get("HPSEARCH_TOKEN") or None
        if tls is None:
            tls = os.environ.get("HPSEARCH_TLS_CA") or None
        self.timeout = timeout
        self.retry_seconds = retry_seconds
        options = [
            ("grpc.max_receive_message_length", 64 << 20),
            # Pings on quiet connections (a watch between events), as the CLI does.
            ("grpc.keepalive_time_ms", 20_000),
            ("grpc.keepalive_timeout_ms", 10_000),
            ("grpc.keepalive_permit_without_calls", 1),
            ("grpc.http2.max_pings_without_data", 0),
        ]
        creds = _credentials(tls)
        if creds is None:
            if self.token and not self.address.startswith(_LOOPBACK):
                warnings.warn(f"hpsearch: sending the token in plaintext to {self.address}; use tls=",
                              stacklevel=3)
            self.channel = grpc.insecure_channel(self.address, options=options)
        else:
            self.channel = grpc.secure_channel(self.address, creds, options=options)
        self.sweeps = sweep_service_pb2_grpc.SweepServiceStub(self.channel)
        self.workers = worker_service_pb2_grpc.WorkerServiceStub(self.channel)
        self.metadata = [("authorization", f"Bearer {self.token}")] if self.token else []

    def call(self, method: Callable[..., Any], request: Any, retry: bool = True,
             retry_seconds: Optional[float] = None) -> Any:
        """Calls a unary method. With ``retry``, an UNAVAILABLE answer (the server is
        down, restarting or starting) is retried with the same request, backing off
        from 0.2 s to 2 s, for up to ``retry_seconds`` (the client's by default)."""
        until = time.monotonic() + (self.retry_seconds if retry_seconds is None else retry_seconds)
        backoff = 0.2
        while True:
            try:
                return method(request, timeout=self.timeout, metadata=self.metadata)
            except grpc.RpcError as e:
                unavailable = e.code() == grpc.StatusCode.UNAVAILABLE
                if not (retry and unavailable) or time.monotonic() + backoff > until:
                    raise translate(e) from None
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def stream(self, method: Callable[..., Any], request: Any) -> Any:
        """Opens a server stream (no deadline): iterate it; cancel() ends it."""
        return method(request, metadata=self.metadata)

    def close(self) -> None:
        self.channel.close()
