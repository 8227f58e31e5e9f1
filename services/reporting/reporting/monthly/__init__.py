"""The monthly reporting cycle (issue #10 item 5) and its events (item 7). ``install_monthly(app, settings)``
adds the JSON API and, in the app's lifespan, the store, the outbox relay and the periodic overdue check."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from contracts.lease import Lease
from reporting.monthly import metrics, pages
from reporting.monthly.api import router
from reporting.monthly.areas import Areas
from reporting.monthly.cycle import MonthlyCycle, TotalsSource
from reporting.monthly.periods import Period
from reporting.monthly.settings import MonthlySettings
from reporting.monthly.store import MongoReports
from reporting.outbox import Outbox, OutboxRelay
from reporting.settings import Settings
from reporting.web import Feature, NavLink

log = logging.getLogger(__name__)
HERE = Path(__file__).parent


def first_period(settings: MonthlySettings, cycle: MonthlyCycle) -> Period:
    if settings.first_period:
        return Period.parse(settings.first_period)
    today = Period.containing(cycle.clock())
    return Period(today.fiscal_year - 543 - 1, 10)


async def overdue_loop(cycle: MonthlyCycle, settings: MonthlySettings) -> None:
    """Looks for overdue reports every ``overdue_check_seconds``, the first time one interval after start (a
    process that only lives for a moment, such as a test's, does not write hundreds of flags)."""
    start = first_period(settings, cycle)
    while True:
        await asyncio.sleep(settings.overdue_check_seconds)
        try:
            found = await asyncio.to_thread(cycle.check_overdue, start)
            if found:
                log.info("ReportOverdue: %d report(s)", found)
        except Exception:
            log.exception("overdue check failed; trying again at the next interval")


def install_monthly(app: FastAPI, settings: Settings, monthly: MonthlySettings | None = None) -> None:
    monthly = monthly or MonthlySettings()
    app.include_router(router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with inner(app) as state:
            db = app.state.mongo[settings.mongodb_database]
            outbox = Outbox(db, "monthly_outbox")
            store = MongoReports(db, outbox)
            await asyncio.to_thread(store.ensure_indexes)
            relay = OutboxRelay(outbox, settings.kafka_bootstrap_servers, interval=monthly.outbox_interval_seconds,
                                lease=Lease(db["leases"], "monthly-outbox-relay")).start()

            def totals() -> TotalsSource:
                view: TotalsSource = app.state.totals_view
                return view

            cycle = MonthlyCycle(store, totals, Areas(), on_commit=relay.wake)
            app.state.monthly, app.state.monthly_relay = cycle, relay
            checker = asyncio.create_task(overdue_loop(cycle, monthly), name="monthly-overdue")
            forget_metrics = metrics.watch(store.reports, outbox.events, first_period(monthly, cycle))
            try:
                yield state
            finally:
                forget_metrics()
                checker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await checker
                await asyncio.to_thread(relay.stop)

    app.router.lifespan_context = lifespan


def feature() -> Feature:
    """The staff pages (review and submit, province review with return, the completeness board) for
    ``reporting.web.install_web``."""
    return Feature("monthly", [pages.router], templates=HERE / "templates", static=HERE / "static",
                   nav=[NavLink(pages.BASE, "รายงานประจำเดือน", "Monthly reports")])
