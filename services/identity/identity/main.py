"""App factory: clients are built in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.ops import Check, install_ops
from identity.adapters.signing_keys import KeyRing
from identity.api import dev_issuer
from identity.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.mongo = MongoClient(settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000)
        try:
            yield
        finally:
            app.state.mongo.close()

    app = FastAPI(title="ยืนยันตัวตน — Identity", version="0.1.0", lifespan=lifespan)
    if settings.env == "dev":
        # Keys are loaded before the app serves, so the first discovery request already has them.
        app.state.signing_keys = KeyRing(settings.dev_key_dir).load_or_create()
        app.include_router(dev_issuer.build_router(settings, app.state.signing_keys))

    def checks() -> Mapping[str, Check]:
        return {"mongodb": lambda: app.state.mongo.admin.command("ping")}

    install_ops(app, "identity", checks)
    return app
