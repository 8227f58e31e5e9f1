"""App factory: the lookup API and receipts, and (unless ``NOTIFY_DELIVER=false``) the event consumers and
one sending worker per provider, started and stopped with the web process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.api import install_api_conventions, operation_id
from contracts.claims import TokenVerifier
from contracts.lag import watch_consumer_group
from contracts.ops import Check, install_ops, kafka_probe
from notify.api.routes import router
from notify.audit import KafkaAudit
from notify.contacts import ClientCredentials, ServiceDirectory
from notify.deadletter import KafkaDeadLetters
from notify.delivery import TOPICS, Delivery
from notify.messages.store import MessageStore
from notify.messages.templates import Templates
from notify.metrics import watch_messages
from notify.optout import routes as optout_routes
from notify.optout.directory import OptOutDirectory
from notify.optout.store import OptOuts
from notify.sending.ports import DevDirectory, Directory
from notify.settings import Settings


def contact_directory(settings: Settings) -> Directory:
    """Registration's contact API when configured (always in production: ``registration_url`` is required
    there), else the dev stack's made-up contacts."""
    if settings.registration_url:
        credentials = ClientCredentials(settings.oidc_issuer_url, settings.client_id, settings.client_secret)
        return ServiceDirectory(settings.registration_url, credentials, settings.unit_mailbox,
                                identity_url=settings.identity_url)
    return DevDirectory()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.mongo = MongoClient(settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000)
        db = app.state.mongo[settings.mongodb_database]
        app.state.token_verifier = TokenVerifier(settings.oidc_issuer_url, settings.oidc_audience)
        app.state.messages = MessageStore(db)
        app.state.templates = Templates()
        app.state.audit = KafkaAudit(settings.kafka_bootstrap_servers)
        app.state.opt_outs = OptOuts(db, settings.optout_key)
        app.state.directory = OptOutDirectory(contact_directory(settings), app.state.opt_outs, settings.public_url)
        delivery = None
        if settings.deliver:
            delivery = Delivery(settings, db, app.state.directory,
                                KafkaDeadLetters(settings.kafka_bootstrap_servers))
            delivery.start()
        forget_metrics = [watch_messages(app.state.messages.messages)]  # the queue, counted at each scrape
        if settings.deliver:
            forget_metrics.append(watch_consumer_group("notify", settings.kafka_bootstrap_servers,
                                                       settings.consumer_group, TOPICS))
        try:
            yield
        finally:
            for forget in forget_metrics:
                forget()
            if delivery is not None:
                delivery.stop()
            app.state.audit.close()
            app.state.mongo.close()

    app = FastAPI(title="แจ้งเตือน — Notify", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        return {
            "mongodb": lambda: app.state.mongo.admin.command("ping"),
            "kafka": kafka_ready,
        }

    app.include_router(router)
    app.include_router(optout_routes.api)
    app.include_router(optout_routes.pages)
    install_ops(app, "notify", checks)
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes)
    return app
