"""Rate limits of the JSON API's POSTs (register, add creditors, add debts): one budget per client
address and one per citizen ID, answered with a Thai 429 JSON body and ``Retry-After``.

The address is the one ``contracts.web.client_address`` vouches for (the socket peer unless
``TRUSTED_PROXY_HOPS`` is set). The citizen is the token's own for citizens (registering or adding to their
case) and the debtor's for a desk registration. The budgets are counted in registration's MongoDB
(``contracts.rate_limit_storage``), so every replica spends the same ones, like the pages'.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from contracts.claims import Claims, Role
from contracts.rate_limit_storage import rate_limit_storage
from contracts.web import RateLimiter, client_address
from registration.cases.errors import TooManyRequests
from registration.settings import Settings


@dataclass
class ApiLimits:
    by_address: RateLimiter
    by_citizen: RateLimiter

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiLimits:
        window = settings.api_rate_window_seconds
        storage = rate_limit_storage(settings.mongodb_uri, settings.mongodb_database)
        return cls(RateLimiter(settings.api_rate_per_address, window, storage, "api-address"),
                   RateLimiter(settings.api_rate_per_citizen, window, storage, "api-citizen"))

    @staticmethod
    def _spend(limiter: RateLimiter, key: str) -> None:
        wait = limiter.hit(key)
        if wait is not None:
            raise TooManyRequests(wait)

    def check_address(self, request: Request) -> None:
        self._spend(self.by_address, "ip:" + client_address(request))

    def check_citizen(self, claims: Claims, debtor_id: str | None = None) -> None:
        """One hit for the citizen the request speaks for: a citizen's own ID (whatever ID they typed, so nobody
        spends another's budget), or at a desk the debtor's. Staff changes to a case are bounded per address."""
        key = citizen_key(claims.citizen_id if Role.CITIZEN in claims.roles else debtor_id)
        if key:
            self._spend(self.by_citizen, key[:80])


def citizen_key(citizen_id: str | None) -> str | None:
    return f"citizen:{citizen_id}" if citizen_id else None
