"""The dev stack's Java servers (Kafka, Keycloak): find a JDK and Maven, fetch the pinned artifacts.

Versions are pinned in ``infra/dev/jvm/pom.xml``. Maven fetches them from Maven Central into its own
cache (``~/.m2``), which every later run and every clone on this machine reuses; the resolved paths are
remembered in ``$DEV_SERVERS_CACHE`` (default ``~/.cache/debt-dev``) so a warm start runs no Maven.

    python -m infra.dev.jvm      # find or install a JDK and Maven, fetch the artifacts, print them
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

POM = Path(__file__).parent / "jvm" / "pom.xml"
KAFKA_LOG4J = Path(__file__).parent / "jvm" / "log4j2.properties"
# Kafka 4 and Keycloak 26.4 both run on Java 17 and 21; later JDKs are tried last.
SUPPORTED_JAVA = (17, 21)
APT_PACKAGES = ("openjdk-17-jre-headless", "maven")


class ServerSetupError(SystemExit):
    """A one-sentence reason the dev servers cannot be set up on this machine."""


def _cache_dir() -> Path:
    return Path(os.environ.get("DEV_SERVERS_CACHE", Path.home() / ".cache" / "debt-dev"))


def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def _java_candidates() -> list[Path]:
    homes = [os.environ["JAVA_HOME"]] if os.environ.get("JAVA_HOME") else []
    homes += sorted(glob.glob("/usr/lib/jvm/*"))
    found = [Path(h) / "bin" / "java" for h in homes]
    on_path = shutil.which("java")
    if on_path:
        found.append(Path(on_path))
    return [j for j in found if j.exists()]


def find_java() -> Path:
    """A java executable the servers accept: ``JAVA_HOME`` first, then ``/usr/lib/jvm/*``, then PATH."""
    for attempt in range(2):
        versions = [(j, _java_major(j)) for j in _java_candidates()]  # JAVA_HOME first
        supported = [j for j, v in versions if v in SUPPORTED_JAVA]
        newer = [j for j, v in versions if v is not None and v > SUPPORTED_JAVA[-1]]
        if supported or newer:
            return (supported or newer)[0]
        if attempt == 0:
            _apt_install()
    raise ServerSetupError(
        "No Java 17 or newer was found (JAVA_HOME, /usr/lib/jvm, PATH) and none could be installed: "
        f"install one, e.g. `apt-get install {APT_PACKAGES[0]}`, or set JAVA_HOME.")


def find_maven() -> str:
    mvn = shutil.which("mvn")
    if mvn is None:
        _apt_install()
        mvn = shutil.which("mvn")
    if mvn is None:
        raise ServerSetupError("Maven (mvn) is missing and could not be installed: `apt-get install maven`.")
    return mvn


def _apt_install() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return
    print(f"Installing {' '.join(APT_PACKAGES)} through apt-get for the dev servers…", file=sys.stderr, flush=True)
    subprocess.run(["apt-get", "update", "-qq"], check=False)
    subprocess.run(["apt-get", "install", "-y", "-qq", *APT_PACKAGES], check=False)


@dataclass(frozen=True)
class Artifacts:
    java: Path
    kafka_classpath: tuple[Path, ...]
    keycloak_zip: Path

    @property
    def keycloak_version(self) -> str:
        return self.keycloak_zip.stem.removeprefix("keycloak-quarkus-dist-")


def _resolve_with_maven(record: Path) -> list[str]:
    mvn = find_maven()
    print("Fetching Kafka and Keycloak through Maven (first run only)…", file=sys.stderr, flush=True)
    out = record.with_suffix(".classpath")
    result = subprocess.run(
        [mvn, "-q", "-B", "-f", str(POM), "dependency:build-classpath", f"-Dmdep.outputFile={out}"],
        capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0 or not out.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-5:]
        raise ServerSetupError("Maven could not fetch the dev servers: " + " | ".join(tail))
    paths = out.read_text().strip().split(os.pathsep)
    out.unlink()
    return paths


def fetch() -> Artifacts:
    """The pinned artifacts, fetched once; later calls only check the remembered paths still exist."""
    java = find_java()
    cache = _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    record = cache / f"servers-{hashlib.sha256(POM.read_bytes()).hexdigest()[:16]}.json"
    paths: list[str] = json.loads(record.read_text()) if record.exists() else []
    if not paths or not all(Path(p).exists() for p in paths):
        paths = _resolve_with_maven(record)
        record.write_text(json.dumps(paths))
    zips = [Path(p) for p in paths if p.endswith(".zip")]
    jars = tuple(Path(p) for p in paths if p.endswith(".jar"))
    if len(zips) != 1 or not jars:
        raise ServerSetupError(f"unexpected artifacts from {POM}: {len(zips)} zip(s), {len(jars)} jar(s)")
    return Artifacts(java=java, kafka_classpath=jars, keycloak_zip=zips[0])


if __name__ == "__main__":
    found = fetch()
    print(f"java      {found.java} (Java {_java_major(found.java)})")
    print(f"kafka     {len(found.kafka_classpath)} jars")
    print(f"keycloak  {found.keycloak_zip}")
