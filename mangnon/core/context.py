"""Who is acting and from where, for the duration of one request, task or command.

Services take `actor=` explicitly; the request id and client address travel here so that services do
not need the request object to write a complete audit event.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    client_ip: str | None = None


_EMPTY = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "mangnon_request_context", default=None
)


def current() -> RequestContext:
    return _current.get() or _EMPTY


@contextmanager
def bound(request_id: str | None = None, client_ip: str | None = None) -> Iterator[RequestContext]:
    ctx = RequestContext(request_id=request_id or uuid.uuid4().hex, client_ip=client_ip)
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
