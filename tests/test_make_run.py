"""``make run``'s launcher starts the dev stack and all four services, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from infra.dev.services import SERVICES
from infra.dev.testing import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_launcher_starts_everything_ready_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ports = {spec.port_var: str(free_port()) for spec in SERVICES}
    env = {k: v for k, v in os.environ.items()
           if k not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "OIDC_ISSUER_URL", "ENV")}
    env.update(ports, DEV_VAR_DIR=str(tmp_path / "var"), DEV_MONGODB_PORT=str(free_port()), PYTHONUNBUFFERED="1")
    launcher = subprocess.Popen([sys.executable, "-m", "infra.dev.run"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        output = _read_until(launcher, "Press Ctrl-C to stop", timeout=120)
        for spec in SERVICES:
            url = f"http://127.0.0.1:{ports[spec.port_var]}"
            assert url in output
            assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
            assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200, spec.name
        launcher.send_signal(signal.SIGINT)
        rest = launcher.communicate(timeout=60)[0].decode()
        assert launcher.returncode == 0, rest
        assert "Stopped." in rest
        for spec in SERVICES:
            try:
                httpx.get(f"http://127.0.0.1:{ports[spec.port_var]}/healthz", timeout=2)
                raise AssertionError(f"{spec.name} still answers after Ctrl-C")
            except httpx.ConnectError:
                pass
        assert (tmp_path / "var" / "mongo").is_dir(), "MongoDB data must live under var/ to survive restarts"
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()


def _read_until(process: subprocess.Popen[bytes], marker: str, timeout: float) -> str:
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
