"""``make run``: the embedded dev stack and all four services, stopped cleanly on Ctrl-C.

A part whose variable is already set (KAFKA_BOOTSTRAP_SERVERS, MONGODB_URI, OIDC_ISSUER_URL) is
used as it is instead of its dev stand-in.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import ExitStack
from pathlib import Path

import httpx

from contracts.settings import DEV_ISSUER_PATH
from infra.dev.kafka_mock import MockKafkaCluster
from infra.dev.mongo import DevMongo
from infra.dev.services import SERVICES, ServiceSpec

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


def _dev_parts(stack: ExitStack, env: dict[str, str]) -> list[str]:
    notes = []
    if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
        kafka = stack.enter_context(MockKafkaCluster())
        kafka.create_contract_topics()
        env["KAFKA_BOOTSTRAP_SERVERS"] = kafka.bootstrap
        notes.append(f"Kafka (librdkafka mock cluster)  {kafka.bootstrap}")
    if not env.get("MONGODB_URI"):
        mongo = stack.enter_context(DevMongo(VAR / "mongo", int(env.get("DEV_MONGODB_PORT", "27017"))))
        env["MONGODB_URI"] = mongo.uri
        notes.append(f"MongoDB (nx-27017, data in {VAR / 'mongo'})  {mongo.uri}")
    if not env.get("OIDC_ISSUER_URL"):
        identity_port = env.get("IDENTITY_PORT", "8002")
        env.setdefault("IDENTITY_PUBLIC_URL", f"http://127.0.0.1:{identity_port}")
        env["OIDC_ISSUER_URL"] = env["IDENTITY_PUBLIC_URL"] + DEV_ISSUER_PATH
        env.setdefault("IDENTITY_DEV_KEY_DIR", str(VAR / "identity"))
        notes.append(f"OIDC issuer (identity dev stand-in)  {env['OIDC_ISSUER_URL']}")
    return notes


def _stop_on_sigterm(*_: object) -> None:
    raise KeyboardInterrupt  # the same clean shutdown as Ctrl-C


def main() -> None:
    env = {**os.environ, "ENV": os.environ.get("ENV", "dev")}
    logs = VAR / "log"
    logs.mkdir(parents=True, exist_ok=True)
    children: list[subprocess.Popen[bytes]] = []
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with ExitStack() as stack:
        try:
            notes = _dev_parts(stack, env)
            urls = []
            for spec in SERVICES:
                url = f"http://127.0.0.1:{env.get(spec.port_var, spec.default_port)}"
                process = _start_service(spec, env, logs)
                children.append(process)
                _wait_ready(spec.name, url, process)
                urls.append(f"{spec.name:<13} {url}   (health {url}/healthz, API docs {url}/docs)")
            print("\nระบบพร้อมใช้งาน — the system is up\n  " + "\n  ".join(urls + notes))
            print(f"\nLogs in {logs}/. Press Ctrl-C to stop.", flush=True)
            while all(p.poll() is None for p in children):
                time.sleep(0.5)
            print("A service stopped unexpectedly; stopping the rest.", file=sys.stderr)
        except KeyboardInterrupt:
            print("\nStopping…", flush=True)
        finally:
            for process in reversed(children):
                process.terminate()
            for process in reversed(children):
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    print("Stopped.")


if __name__ == "__main__":
    main()
