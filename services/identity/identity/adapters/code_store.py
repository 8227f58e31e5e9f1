"""One-time authorization codes of the ThaiD simulator (ENV=dev), in memory (the simulator is one process).

A code is removed when it is redeemed, even if the exchange then fails, so a stolen or replayed
code is useless; it also expires after ``ttl`` seconds.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from identity.domain.authorization import AuthorizationRequest


@dataclass(frozen=True)
class Grant:
    request: AuthorizationRequest
    citizen_id: str  # the person chosen on the simulator's page
    auth_time: int
    expires_at: float


class CodeStore:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()

    def issue(self, request: AuthorizationRequest, citizen_id: str) -> str:
        code = secrets.token_urlsafe(32)
        now = self._clock()
        grant = Grant(request=request, citizen_id=citizen_id, auth_time=int(time.time()), expires_at=now + self.ttl)
        with self._lock:
            self._grants = {c: g for c, g in self._grants.items() if g.expires_at > now}
            self._grants[code] = grant
        return code

    def redeem(self, code: str) -> Grant | None:
        """The grant for ``code`` once; None if unknown, already used or expired."""
        with self._lock:
            grant = self._grants.pop(code, None)
        if grant is None or grant.expires_at <= self._clock():
            return None
        return grant
