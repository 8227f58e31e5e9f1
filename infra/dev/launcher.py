"""``make run`` as a child process with its own ports and var/ directory, for the test that stops and starts
it again and for ``bench/startup``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.dev.browser import code_flow_tokens
from infra.dev.services import SERVICES
from infra.dev.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
READY = "Press Ctrl-C to stop"


class Launcher:
    """``make run`` with its own ports and var/ directory, so a test can stop and start it again."""

    def __init__(self, var: Path) -> None:
        self.var = var
        self.ports = {spec.port_var: str(free_port()) for spec in SERVICES}
        for name in ("DEV_MONGODB_PORT", "DEV_KEYCLOAK_PORT", "DEV_KAFKA_PORT", "DEV_KAFKA_CONTROLLER_PORT"):
            self.ports[name] = str(free_port())
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "OIDC_ISSUER_URL", "ENV")}
        self.env.update(self.ports, DEV_VAR_DIR=str(var), PYTHONUNBUFFERED="1")

    def url(self, service: str) -> str:
        spec = next(s for s in SERVICES if s.name == service)
        return f"http://127.0.0.1:{self.ports[spec.port_var]}"

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.ports['DEV_KEYCLOAK_PORT']}/realms/debt"

    @contextmanager
    def running(self) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
        process = subprocess.Popen([sys.executable, "-m", "infra.dev.run"], cwd=ROOT, env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            yield process, read_until(process, READY, timeout=240)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

    def token(self, citizen_id: str, client_id: str) -> str:
        """Signed in as a person does: Keycloak → the ThaiD simulator (told only the citizen ID; Keycloak links
        a staff member's ThaiD to their provisioned account) → back to registration's callback."""
        secrets = json.loads((self.var / "keycloak" / "dev-secrets.json").read_text())
        tokens = code_flow_tokens(self.issuer, f"citizen:{citizen_id}", client_id=client_id,
                                  client_secret=secrets[client_id],
                                  redirect_uri=f"{self.url('registration')}/auth/callback")
        return str(tokens["access_token"])


def read_until(process: subprocess.Popen[bytes], marker: str, timeout: float) -> str:
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    seen, deadline = b"", time.monotonic() + timeout
    while marker.encode() not in seen:
        assert process.poll() is None, f"launcher exited early:\n{seen.decode(errors='replace')}"
        assert time.monotonic() < deadline, f"launcher not ready in {timeout}s:\n{seen.decode(errors='replace')}"
        seen += process.stdout.read() or b""
        time.sleep(0.2)
    os.set_blocking(process.stdout.fileno(), True)
    return seen.decode()
