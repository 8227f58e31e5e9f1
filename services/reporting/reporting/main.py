"""App factory: clients are built in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.api import install_api_conventions, operation_id
from contracts.claims import TokenVerifier
from contracts.consumer import EventConsumer
from contracts.ops import Check, install_ops, kafka_probe
from reporting.adapters.totals_store import TotalsStore
from reporting.api import totals
from reporting.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo: MongoClient[dict[str, object]] = MongoClient(
            settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
        )
        store = TotalsStore(mongo[settings.mongodb_database])
        store.ensure_indexes()
        consumer = EventConsumer("case-events", store.apply,
                                 bootstrap=settings.kafka_bootstrap_servers, group_id=settings.consumer_group)
        consumer.start()
        app.state.mongo, app.state.totals, app.state.consumer = mongo, store, consumer
        app.state.token_verifier = TokenVerifier(settings.oidc_issuer_url, settings.oidc_audience)
        try:
            yield
        finally:
            consumer.stop()
            mongo.close()

    app = FastAPI(title="รายงานผล — Reporting", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        return {
            "mongodb": lambda: app.state.mongo.admin.command("ping"),
            "kafka": kafka_ready,
            "keycloak": app.state.token_verifier.discovery,  # the token issuer: its keys and sign-in
        }

    install_ops(app, "reporting", checks)
    app.include_router(totals.router)
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes)
    return app
