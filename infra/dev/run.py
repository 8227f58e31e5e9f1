"""``make run``: the dev stack (a real Kafka broker, a real Keycloak, nx-27017) and all four services,
stopped cleanly on Ctrl-C. Every part keeps its data under ``var/``, so a restart keeps it.

The services and workers are supervised (``infra/dev/supervisor.py``): one that exits is restarted with a
growing pause, and each exit and restart is printed and written to ``var/log/run.log``.

A part whose variable is already set (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI) is used as it is.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import httpx

from infra.dev.accounts import DEV_PEOPLE_FILE, provision_dev_staff
from infra.dev.jvm import fetch
from infra.dev.kafka import DevKafka
from infra.dev.keycloak import DevKeycloak
from infra.dev.mongo import DevMongo
from infra.dev.realm import THAID_DEV_CLIENT_ID, DevSecrets, DevUrls, dev_realm
from infra.dev.services import SERVICES, WORKERS, ServiceSpec, start_worker
from infra.dev.supervisor import Supervisor

VAR = Path(os.environ.get("DEV_VAR_DIR", "var"))


def _start_service(spec: ServiceSpec, env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    log = (logs / f"{spec.name}.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", spec.module], env=env, stdout=log, stderr=subprocess.STDOUT)


def _wait_ready(name: str, url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} exited with {process.returncode}; see {VAR}/log/{name}.log")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{name} not ready after {timeout:.0f}s; see {VAR}/log/{name}.log and {url}/readyz")


def _url(env: dict[str, str], var: str, default: int) -> str:
    return f"http://127.0.0.1:{env.get(var, default)}"


def _dev_parts(stack: ExitStack, env: dict[str, str]) -> list[str]:
    notes = []
    artifacts = fetch()  # a JDK and the pinned Kafka and Keycloak, fetched once through Maven
    logs = VAR / "log"
    keycloak_port = int(env.get("DEV_KEYCLOAK_PORT", "8080"))
    urls = DevUrls(keycloak=f"http://127.0.0.1:{keycloak_port}", registration=_url(env, "REGISTRATION_PORT", 8001),
                   identity=_url(env, "IDENTITY_PORT", 8002))
    dev_secrets = DevSecrets.load_or_create(VAR / "keycloak" / "dev-secrets.json")
    reporting = _url(env, "REPORTING_PORT", 8003)  # its staff pages sign in at <reporting>/reports/auth/callback
    realm = dev_realm(urls, dev_secrets, more_registration_urls=[reporting])
    keycloak = DevKeycloak(VAR / "keycloak", keycloak_port, realm,
                           log_file=logs / "keycloak.log", artifacts=artifacts)
    kafka = None
    if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
        kafka = DevKafka(VAR / "kafka", int(env.get("DEV_KAFKA_PORT", "9092")),
                         int(env.get("DEV_KAFKA_CONTROLLER_PORT", "9093")), log_file=logs / "kafka.log",
                         artifacts=artifacts)
    parts: list[DevKeycloak | DevKafka] = [keycloak] if kafka is None else [keycloak, kafka]
    for part in parts:
        stack.callback(part.stop)  # a no-op for a part that did not start
    with ThreadPoolExecutor(2) as pool:  # Keycloak takes longest: start both at once
        for future in [pool.submit(part.start) for part in parts]:
            future.result()
    if kafka is not None:
        kafka.create_contract_topics()
        env["KAFKA_BOOTSTRAP_SERVERS"] = kafka.bootstrap
        notes.append(f"Kafka (KRaft, data in {VAR / 'kafka'})  {kafka.bootstrap}")
    notes.append(f"Keycloak {artifacts.keycloak_version} (realm debt, data in {VAR / 'keycloak'})  {keycloak.url}")
    if not env.get("MONGODB_URI"):
        mongo = stack.enter_context(DevMongo(VAR / "mongo", int(env.get("DEV_MONGODB_PORT", "27017"))))
        env["MONGODB_URI"] = mongo.uri
        notes.append(f"MongoDB (nx-27017, data in {VAR / 'mongo'})  {mongo.uri}")
    clients = dev_secrets.clients
    env.update({
        "OIDC_ISSUER_URL": urls.issuer, "KEYCLOAK_URL": keycloak.url, "KEYCLOAK_REALM": "debt",
        "KEYCLOAK_ADMIN_CLIENT_ID": "debt-identity", "KEYCLOAK_ADMIN_CLIENT_SECRET": clients["debt-identity"],
        "IDENTITY_PUBLIC_URL": urls.identity, "REGISTRATION_PUBLIC_URL": urls.registration,
        "IDENTITY_OIDC_PUBLIC_CLIENT_SECRET": clients["debt-public"],
        "IDENTITY_OIDC_STAFF_CLIENT_SECRET": clients["debt-staff"],
        "REGISTRATION_OIDC_PUBLIC_CLIENT_SECRET": clients["debt-public"],
        "REGISTRATION_OIDC_STAFF_CLIENT_SECRET": clients["debt-staff"],
        "REPORTING_PUBLIC_URL": reporting, "REPORTING_OIDC_CLIENT_SECRET": clients["debt-staff"],
        "REPORTING_RECONCILE_REGISTRATION_URL": urls.registration,
        "REPORTING_RECONCILE_CLIENT_SECRET": clients["debt-reporting"],
        "NOTIFY_REGISTRATION_URL": urls.registration, "NOTIFY_CLIENT_SECRET": clients["debt-notify"],
        "NOTIFY_IDENTITY_URL": urls.identity,
        "THAID_SIM_CLIENT_ID": THAID_DEV_CLIENT_ID, "THAID_SIM_CLIENT_SECRET": clients[THAID_DEV_CLIENT_ID],
        "THAID_SIM_PEOPLE_FILE": str(DEV_PEOPLE_FILE),
    })
    env.setdefault("IDENTITY_DEV_KEY_DIR", str(VAR / "identity"))
    notes.append(f"ThaiD simulator (identity, ENV=dev)  {urls.thaid}")
    return notes


def _stop_on_sigterm(*_: object) -> None:
    raise KeyboardInterrupt  # the same clean shutdown as Ctrl-C


def _reporter(log: Path) -> Callable[[str], None]:
    """Supervision news: on the console and in ``var/log/run.log``, each line with its time."""

    def report(message: str) -> None:
        line = f"{datetime.now(UTC).isoformat(timespec='seconds')} {message}"
        print(line, file=sys.stderr, flush=True)
        with log.open("a", encoding="utf-8") as out:
            out.write(line + "\n")

    return report


def main() -> None:
    env = {**os.environ, "ENV": os.environ.get("ENV", "dev")}
    logs = VAR / "log"
    logs.mkdir(parents=True, exist_ok=True)
    supervisor = Supervisor(_reporter(logs / "run.log"))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with ExitStack() as stack:
        try:
            notes = _dev_parts(stack, env)
            urls = []
            for worker in WORKERS:  # before the services, so totals flow as soon as they are up
                supervisor.add(worker.name, functools.partial(start_worker, worker, env, VAR / worker.name,
                                                              logs / f"{worker.name}.log"))
                notes.append(f"{worker.name} (python -m {worker.module}, data in {VAR / worker.name})")
            for spec in SERVICES:
                url = f"http://127.0.0.1:{env.get(spec.port_var, spec.default_port)}"
                process = supervisor.add(spec.name, functools.partial(_start_service, spec, env, logs))
                _wait_ready(spec.name, url, process)
                urls.append(f"{spec.name:<13} {url}   (health {url}/healthz, API docs {url}/docs)")
            staff = provision_dev_staff(env["KEYCLOAK_URL"], env["KEYCLOAK_ADMIN_CLIENT_SECRET"])
            print("\nระบบพร้อมใช้งาน — the system is up\n  " + "\n  ".join(urls + notes))
            print("\nSign in (no passwords): choose a person on the ThaiD simulator's page.\n  " + "\n  ".join(staff))
            print(f"\nLogs in {logs}/. Press Ctrl-C to stop.", flush=True)
            while True:
                supervisor.poll()
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nStopping…", flush=True)
        finally:
            supervisor.stop()
    print("Stopped.")


if __name__ == "__main__":
    main()
