"""App factory: clients are built in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import MongoClient

from contracts.api import install_api_conventions, operation_id
from contracts.claims import TokenVerifier
from contracts.lease import Lease
from contracts.ops import Check, install_ops, kafka_probe
from contracts.outbox_metrics import watch_outbox
from contracts.web import trusted_proxy_hops
from registration import casework, contacts, figures, intake, publicity
from registration.cases.audit import AuditTrail
from registration.cases.errors import error_page
from registration.cases.store import CaseRepository
from registration.casework.lenders import Lenders
from registration.casework.use_cases import Casework
from registration.casework.worklist import ensure_worklist_indexes
from registration.intake.use_cases import Intake
from registration.outbox.relay import OutboxRelay
from registration.publicity.store import PublicityStore
from registration.settings import Settings
from registration.web import install_web
from registration.web.api_limits import ApiLimits


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    trusted_proxy_hops()  # a bad TRUSTED_PROXY_HOPS stops the start, not every request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        mongo: MongoClient[dict[str, object]] = MongoClient(
            settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
        )
        repo = CaseRepository(mongo[settings.mongodb_database], campaign=settings.campaign,
                              idempotency_ttl_s=settings.idempotency_ttl_seconds)
        repo.ensure_indexes()
        ensure_worklist_indexes(repo.cases)
        repo.start()
        relay = OutboxRelay(repo.outbox, settings.kafka_bootstrap_servers, batch_size=settings.relay_batch_size,
                            lease=Lease(repo.db["leases"]))
        relay.start()
        forget_outbox = watch_outbox("registration", repo.outbox)  # its backlog, read at each scrape
        app.state.mongo, app.state.cases, app.state.relay = mongo, repo, relay
        app.state.intake = Intake(repo, on_commit=relay.wake)
        app.state.casework = Casework(repo, on_commit=relay.wake)
        app.state.audit = AuditTrail(repo, on_commit=relay.wake)
        app.state.lenders = Lenders.install(repo, app.state.web.env, on_commit=relay.wake)  # + lender_keys index
        app.state.publicity = PublicityStore(mongo[settings.mongodb_database])
        app.state.publicity.ensure_indexes()
        app.state.token_verifier = TokenVerifier(settings.oidc_issuer_url, settings.oidc_audience)
        try:
            yield
        finally:
            forget_outbox()
            repo.stop()
            relay.stop()
            mongo.close()

    app = FastAPI(title="ลงทะเบียนลูกหนี้นอกระบบ — Registration", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)
    app.state.api_limits = ApiLimits.from_settings(settings)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        return {
            "mongodb": lambda: app.state.mongo.admin.command("ping"),
            "kafka": kafka_ready,
            "keycloak": app.state.token_verifier.discovery,  # the token issuer: its keys and sign-in
        }

    install_ops(app, "registration", checks)
    install_web(app, settings, [intake.FEATURE, publicity.FEATURE, casework.FEATURE, figures.FEATURE,
                                contacts.FEATURE])
    install_api_conventions(app, max_body_bytes=settings.max_body_bytes, page=error_page)
    return app
