"""bench/startup: how long ``make run`` takes until every service is ready, on a fresh ``var/`` (Kafka's
storage formatted, Keycloak importing the realm into an empty database, dev staff provisioned) and again on
the same ``var/`` (a restart), with the Maven cache warm.

Baseline, measured in the same run: Keycloak alone started on the same fresh and kept data (the slowest
part), so the ratio shows what the rest of the stack adds to it. Target: ready in under 2 minutes warm.

``python -m bench startup [--runs N]``
"""

from __future__ import annotations

import argparse
import signal
import tempfile
import time
from pathlib import Path

from infra.dev.jvm import fetch
from infra.dev.keycloak import DevKeycloak
from infra.dev.launcher import Launcher
from infra.dev.realm import DevSecrets, DevUrls, dev_realm
from infra.dev.testing import free_port


def launcher_ready(launcher: Launcher) -> float:
    started = time.monotonic()
    with launcher.running() as (process, _):
        ready = time.monotonic() - started
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=90)
    return ready


def keycloak_ready(home: Path) -> float:
    port = free_port()
    urls = DevUrls(f"http://127.0.0.1:{port}", "http://127.0.0.1:9", "http://127.0.0.1:9")
    started = time.monotonic()
    with DevKeycloak(home, port, dev_realm(urls, DevSecrets.load_or_create(None))):
        return time.monotonic() - started


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench startup")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.monotonic()
    fetch()
    print(f"startup: Maven fetch (cache as found) {time.monotonic() - started:.1f} s")
    print("run | make run fresh var/ | make run restart | Keycloak alone fresh | Keycloak alone restart | "
          "ratio fresh | ratio restart")
    for run in range(1, args.runs + 1):
        with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp:
            launcher = Launcher(Path(tmp) / "var")
            fresh, restart = launcher_ready(launcher), launcher_ready(launcher)
            kc_fresh, kc_restart = keycloak_ready(Path(tmp) / "kc"), keycloak_ready(Path(tmp) / "kc")
        print(f"{run} | {fresh:.1f} s | {restart:.1f} s | {kc_fresh:.1f} s | {kc_restart:.1f} s | "
              f"{fresh / kc_fresh:.2f} | {restart / kc_restart:.2f}", flush=True)
