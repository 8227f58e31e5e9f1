"""App factory. Notify's consumers and gateways arrive with the notifications issue; today it
exposes its ops endpoints and checks the dependencies it will use."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.api import install_api_conventions, operation_id
from contracts.ops import Check, install_ops, kafka_probe
from notify.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.mongo = MongoClient(settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000)
        try:
            yield
        finally:
            app.state.mongo.close()

    app = FastAPI(title="แจ้งเตือน — Notify", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        return {
            "mongodb": lambda: app.state.mongo.admin.command("ping"),
            "kafka": kafka_ready,
        }

    install_ops(app, "notify", checks)
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes)
    return app
