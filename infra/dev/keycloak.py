"""A real Keycloak (the Quarkus distribution from Maven Central) for the dev stack and the tests.

The distribution is unpacked into ``home_dir`` once; its database (Keycloak's dev-file H2) lives in
``home_dir/h2`` and survives restarts. At each start the realm file is placed in the import directory:
Keycloak imports a realm only when it does not exist yet, so accounts made since are never wiped.
No admin user is created: everything the stack needs goes through the realm's service accounts.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import httpx

from infra.dev.java_server import JavaServer
from infra.dev.jvm import Artifacts


class DevKeycloak(JavaServer):
    name = "Keycloak"

    def __init__(self, home_dir: Path, port: int, realm: dict[str, Any], *, log_file: Path | None = None,
                 artifacts: Artifacts | None = None) -> None:
        self.home_dir = home_dir.resolve()
        super().__init__(log_file or self.home_dir / "keycloak.log", artifacts)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.realm = realm

    @property
    def issuer(self) -> str:
        return f"{self.url}/realms/{self.realm['realm']}"

    def _distribution(self, artifacts: Artifacts) -> Path:
        dist = self.home_dir / f"keycloak-{artifacts.keycloak_version}"
        if not (dist / "bin" / "kc.sh").exists():
            self.home_dir.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(artifacts.keycloak_zip) as archive:
                archive.extractall(self.home_dir)
        return dist

    def start(self, timeout: float = 240.0) -> DevKeycloak:
        artifacts = self.artifacts
        dist = self._distribution(artifacts)
        imports = dist / "data" / "import"
        imports.mkdir(parents=True, exist_ok=True)
        (imports / "realm.json").write_text(json.dumps(self.realm, ensure_ascii=False), encoding="utf-8")
        db = self.home_dir / "h2" / "keycloakdb"
        env = {**os.environ, "JAVA_HOME": str(artifacts.java.parent.parent),
               "JAVA_OPTS_KC_HEAP": "-Xms128m -Xmx768m"}
        command = ["sh", str(dist / "bin" / "kc.sh"), "start-dev", f"--http-port={self.port}",
                   "--http-host=127.0.0.1", f"--hostname={self.url}", "--import-realm",
                   "--db=dev-file", f"--db-url=jdbc:h2:file:{db};NON_KEYWORDS=VALUE",
                   "--log-level=WARN,org.keycloak.services:INFO"]
        self._run_until(command, self._answers, timeout, env)
        return self

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
