"""Builds the reconciliation once the app's own lifespan has made its clients (MongoDB, the live totals view,
the settings): a router lifespan, which FastAPI runs inside the app's when the router is included."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI

from reporting.reconcile.client import ClientCredentials, RegistrationExport
from reporting.reconcile.job import Reconciliation
from reporting.reconcile.runner import STALE_AFTER, Runner
from reporting.reconcile.settings import ReconcileSettings
from reporting.reconcile.store import ResultStore
from reporting.reconcile.use_cases import Reconciliations
from reporting.settings import Settings

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    service: Settings = app.state.settings
    settings: ReconcileSettings = getattr(app.state, "reconcile_settings", None) or ReconcileSettings()
    store = ResultStore(app.state.mongo[service.mongodb_database], keep=settings.history)
    store.ensure_indexes()
    store.interrupted(older_than=datetime.now(UTC) - STALE_AFTER)
    run = None
    if settings.configured and settings.client_secret is not None:
        credentials = ClientCredentials(service.oidc_issuer_url, settings.client_id,
                                        settings.client_secret.get_secret_value())
        export = RegistrationExport(settings.registration_url, credentials, timeout=settings.timeout_seconds)
        run = Reconciliation(export, app.state.totals_view, store, settle_seconds=settings.settle_seconds).run
    else:
        log.warning("reconciliation not configured: REPORTING_RECONCILE_CLIENT_SECRET is not set")
    runner = Runner(run, save_failure=store.save, claim_slot=store.claim_scheduled_run, heartbeat=store.heartbeat)
    app.state.reconciliations = Reconciliations(runner, store)
    runner.start_schedule(settings.interval_seconds)
    try:
        yield
    finally:
        await runner.stop()


router = APIRouter(lifespan=lifespan)
