"""Rate limits per school link, in the Django cache, with no address involved.

A school's link is shared by a whole school, so a limit per client address would both store what we
must not (an address beside the survey) and fail (a school's pupils often share one address). The
limit is per link instead: at most `settings.MANGNON_SURVEY_LINK_RATE[kind]` requests of a kind
("submit": stored answers, "page": moves between pages) per hour, counted in fixed hourly windows.
A flood through one link is slowed without touching the others.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 3600
DEFAULT_RATES = {"submit": 300, "page": 3000}


def limit(kind: str) -> int:
    rates = getattr(settings, "MANGNON_SURVEY_LINK_RATE", DEFAULT_RATES)
    return int(rates.get(kind, DEFAULT_RATES[kind]))


def _key(token: str, kind: str, now: float) -> str:
    # The link's token is a secret: the cache holds a hash of it, not the token.
    digest = hashlib.sha256(token.encode()).hexdigest()[:32]
    return f"surveys:rate:{kind}:{digest}:{int(now // WINDOW_SECONDS)}"


def hit(token: str, kind: str, now: float | None = None) -> bool:
    """Count one request of `kind` through the link; False when it is over the limit."""
    key = _key(token, kind, time.time() if now is None else now)
    if cache.add(key, 1, timeout=WINDOW_SECONDS + 60):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW_SECONDS + 60)
            count = 1
    return count <= limit(kind)
