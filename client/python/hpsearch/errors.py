"""The SDK's exceptions: one per gRPC status the server answers with, never a raw
``grpc.RpcError``. Each carries the server's message and the status code's name."""

from __future__ import annotations

import re

# A field path as the server writes it before ": " (parameters.lr.min, budget,
# spec_yaml, parameters[2].when, fixed.epochs).
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(\[[0-9]+\][A-Za-z0-9_.\-]*)*$")


class HpsearchError(Exception):
    """Base of every error the SDK raises for a failed call.

    ``message`` is the server's (or gRPC's) message; ``code`` the gRPC status code's
    name, e.g. ``"NOT_FOUND"``.
    """

    def __init__(self, message: str, code: str = "UNKNOWN") -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


class InvalidSpec(HpsearchError):
    """INVALID_ARGUMENT: a spec (or another argument) the server refused.

    ``field`` is the field path the message starts with (``"parameters.lr.min"``),
    or None when the message names none.
    """

    def __init__(self, message: str, code: str = "INVALID_ARGUMENT") -> None:
        super().__init__(message, code)
        head, sep, _ = message.partition(": ")
        self.field: "str | None" = head if sep and _FIELD.match(head) else None


class NotFound(HpsearchError):
    """NOT_FOUND: no sweep, trial or attempt has that id, name or number."""


class Unauthenticated(HpsearchError):
    """UNAUTHENTICATED: the server wants a token (``token=`` or HPSEARCH_TOKEN), or
    another one."""


class PermissionDenied(HpsearchError):
    """PERMISSION_DENIED: the call is not allowed."""


class FailedPrecondition(HpsearchError):
    """FAILED_PRECONDITION: not now (a running sweep cannot be deleted, a lease was
    lost, a sweep that is not ``trainer: external`` cannot be asked)."""


class AlreadyExists(HpsearchError):
    """ALREADY_EXISTS: a retried submit whose request id came with another spec."""


class ResourceExhausted(HpsearchError):
    """RESOURCE_EXHAUSTED: a server limit (trials, active sweeps, streams, size)."""


class Unavailable(HpsearchError):
    """UNAVAILABLE: the server could not be reached (after the SDK's retries)."""


class DeadlineExceeded(HpsearchError):
    """DEADLINE_EXCEEDED: the server did not answer within the call's timeout."""


BY_CODE: "dict[str, type[HpsearchError]]" = {
    "INVALID_ARGUMENT": InvalidSpec,
    "NOT_FOUND": NotFound,
    "UNAUTHENTICATED": Unauthenticated,
    "PERMISSION_DENIED": PermissionDenied,
    "FAILED_PRECONDITION": FailedPrecondition,
    "ALREADY_EXISTS": AlreadyExists,
    "RESOURCE_EXHAUSTED": ResourceExhausted,
    "UNAVAILABLE": Unavailable,
    "DEADLINE_EXCEEDED": DeadlineExceeded,
}


def error_for(code: str, message: str) -> HpsearchError:
    """The exception for a status code's name and a message."""
    return BY_CODE.get(code, HpsearchError)(message, code)
