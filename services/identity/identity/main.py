"""App factory: clients are built in the lifespan, never at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from pymongo import MongoClient

from contracts.api import operation_id
from contracts.claims import TokenVerifier
from contracts.consumer import EventConsumer
from contracts.lag import watch_consumer_group
from contracts.ops import Check, install_ops, kafka_probe
from contracts.web import SecurityHeaders
from identity.activation import api as activation_api
from identity.activation import pages as activation_pages
from identity.activation.relay import WelcomeRelay
from identity.activation.store import ActivationStore
from identity.activation.use_cases import Welcomes
from identity.adapters.audit_store import AuditStore
from identity.adapters.geothai_units import load_catalogue
from identity.adapters.keycloak_directory import KeycloakStaffDirectory
from identity.adapters.oidc_client import OidcClient
from identity.adapters.session_store import SessionStore
from identity.adapters.signing_keys import KeyRing
from identity.api import audit_log, signin, staff_api, staff_pages, thaid_link, thaid_simulator
from identity.settings import Settings
from identity.web.errors import install_api
from identity.web.limits import SigninLimits
from identity.web.pages import STATIC_DIR

log = logging.getLogger(__name__)


def _staff_directory(settings: Settings, stack: AsyncExitStack) -> KeycloakStaffDirectory | None:
    if settings.keycloak_url and settings.keycloak_admin_client_id and settings.keycloak_admin_client_secret:
        return KeycloakStaffDirectory.connect(settings.keycloak_url, settings.keycloak_realm,
                                              settings.keycloak_admin_client_id,
                                              settings.keycloak_admin_client_secret.get_secret_value())
    if settings.env != "dev":
        log.warning("KEYCLOAK_URL is not set: staff provisioning is unavailable")
        return None
    # Dev stack without Keycloak: the Admin REST stand-in, in memory, on a loopback port.
    from identity.devtools.keycloak_fake import FakeKeycloak
    from identity.devtools.threaded_server import ThreadedServer

    fake = FakeKeycloak(realm=settings.keycloak_realm)
    server = ThreadedServer(fake.app).start()
    stack.callback(server.stop)
    return KeycloakStaffDirectory.connect(server.url, fake.realm, fake.client_id, fake.client_secret)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            mongo: MongoClient[dict[str, object]] = MongoClient(
                settings.mongodb_uri, tz_aware=True, serverSelectionTimeoutMS=3000
            )
            stack.callback(mongo.close)
            db = mongo[settings.mongodb_database]
            audit_store, sessions = AuditStore(db), SessionStore(db, settings.session_ttl_seconds)
            audit_store.ensure_indexes()
            sessions.ensure_indexes()
            verifier = TokenVerifier(settings.oidc_issuer_url, settings.oidc_audience)
            app.state.mongo, app.state.audit_store, app.state.sessions = mongo, audit_store, sessions
            app.state.token_verifier, app.state.oidc = verifier, OidcClient(verifier)
            app.state.units = load_catalogue()
            app.state.staff_directory = _staff_directory(settings, stack)
            app.state.activations = activations = ActivationStore(db)
            activations.ensure_indexes()
            app.state.welcomes = Welcomes(activations)
            if settings.consumes_audit_events:  # Kafka configured: welcomes go to staff-events (else wait in MongoDB)
                relay = WelcomeRelay(activations, settings.kafka_bootstrap_servers)
                app.state.welcomes.wake = relay.wake
                relay.start()
                stack.callback(relay.stop)
            if settings.consumes_audit_events:
                consumer = EventConsumer("audit-events", audit_store.append,
                                         bootstrap=settings.kafka_bootstrap_servers, group_id=settings.consumer_group)
                consumer.start()
                stack.callback(consumer.stop)
                stack.callback(watch_consumer_group("identity", settings.kafka_bootstrap_servers,  # lag, at each scrape
                                                    settings.consumer_group, ["audit-events"]))
            yield

    app = FastAPI(title="ยืนยันตัวตน — Identity", version="0.1.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id)
    app.state.settings = settings
    app.add_middleware(SecurityHeaders, hsts=settings.env == "production")
    limits = SigninLimits.from_settings(settings)  # counted in MongoDB, shared by every replica
    app.state.signin_limits = limits
    if settings.env == "dev":
        # The simulator's keys are loaded before the app serves, so Keycloak's first JWKS fetch has them.
        app.state.signing_keys = KeyRing(settings.dev_key_dir).load_or_create()
        # The ThaiD simulator the dev realm's `thaid` identity provider brokers to (refuses outside ENV=dev).
        app.include_router(thaid_simulator.build_router(settings, app.state.signing_keys, limits))
    for router in (signin.router, thaid_link.router, staff_api.router, staff_pages.router, audit_log.api,
                   audit_log.pages, activation_api.router, activation_pages.router, activation_pages.staff_router):
        app.include_router(router)
    # Fonts first: the /static mount would otherwise claim /static/fonts/… too.
    app.mount("/static/fonts", StaticFiles(directory=str(files("fontpkg_sarabun") / "files")), name="fonts")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    install_api(app, settings)

    kafka_ready = kafka_probe(settings.kafka_bootstrap_servers)

    def checks() -> Mapping[str, Check]:
        named: dict[str, Check] = {"mongodb": lambda: app.state.mongo.admin.command("ping"),
                                   "keycloak": app.state.token_verifier.discovery}  # sign-in, keys, provisioning
        if settings.consumes_audit_events:
            named["kafka"] = kafka_ready
        return named

    install_ops(app, "identity", checks)
    return app
