"""Sign-in rate limits: per client address and per citizen ID, answered with a Thai 429 page.

The budgets are counted in identity's MongoDB (``rate_limit_windows``), so every replica spends the same ones."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.responses import HTMLResponse
from limits.storage import Storage

from contracts.rate_limit_storage import rate_limit_storage
from contracts.web import RateLimiter, client_address
from identity.settings import Settings
from identity.web.pages import render


@dataclass
class SigninLimits:
    per_address: RateLimiter
    per_citizen: RateLimiter

    @classmethod
    def create(cls, per_address: int, per_citizen: int, window: float, storage: Storage | None = None
               ) -> SigninLimits:
        """``storage``: where the budgets are counted (this process's memory when None)."""
        return cls(RateLimiter(per_address, window, storage, "signin-address"),
                   RateLimiter(per_citizen, window, storage, "signin-citizen"))

    @classmethod
    def from_settings(cls, settings: Settings) -> SigninLimits:
        """Shared by every identity replica: counted in identity's own database."""
        return cls.create(settings.signin_limit_per_address, settings.signin_limit_per_citizen,
                          settings.signin_limit_window_seconds,
                          rate_limit_storage(settings.mongodb_uri, settings.mongodb_database))

    def refuse(self, request: Request, citizen_id: str | None = None) -> HTMLResponse | None:
        """A 429 page when this address or this citizen ID has tried too often, else None."""
        wait = self.per_address.hit("addr:" + client_address(request))
        if wait is None and citizen_id:
            wait = self.per_citizen.hit("pid:" + citizen_id)
        return None if wait is None else too_many(request, wait)


def too_many(request: Request, retry_after: int) -> HTMLResponse:
    response = render(
        request,
        "error.html",
        status_code=429,
        heading_th="พยายามเข้าสู่ระบบบ่อยเกินไป",
        heading_en="Too many sign-in attempts",
        th="เพื่อความปลอดภัยของบัญชี ระบบจำกัดจำนวนครั้งในการเข้าสู่ระบบ",
        en="For the safety of accounts, sign-in attempts are limited.",
        retry_after=retry_after,
    )
    response.headers["Retry-After"] = str(retry_after)
    return response
