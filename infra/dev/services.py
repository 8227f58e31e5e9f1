"""The four services as the dev stack starts them: module, port variable and default port; and the
background workers (no port) that run beside them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port_var: str
    default_port: int

    @property
    def module(self) -> str:
        return self.name


SERVICES = (
    ServiceSpec("identity", "IDENTITY_PORT", 8002),  # first: the others fetch its OIDC discovery
    ServiceSpec("registration", "REGISTRATION_PORT", 8001),
    ServiceSpec("reporting", "REPORTING_PORT", 8003),
    ServiceSpec("notify", "NOTIFY_PORT", 8004),
)


@dataclass(frozen=True)
class WorkerSpec:
    """A process with no HTTP port: started before the services, stopped after them."""

    name: str  # its log file and var/ directory
    module: str
    args: tuple[str, ...]
    data_dir_var: str  # the variable that names its data directory (under var/ on the dev stack)
    dev_env: tuple[tuple[str, str], ...] = ()  # settings for a one-broker dev stack

    def command(self) -> list[str]:
        return [sys.executable, "-m", self.module, *self.args]


# The streamed totals (reporting.streams): its own process, so it can be killed, restarted and scaled apart
# from the reporting web process, which only reads the totals topic it writes. No /metrics port on a dev host
# (several workers would want 6066).
REPORTING_WORKER = WorkerSpec("reporting-worker", "reporting.streams", ("worker", "-l", "info"),
                              "REPORTING_WORKER_DATA_DIR", dev_env=(("REPORTING_STREAMS_REPLICAS", "1"),
                                                                    ("REPORTING_WORKER_METRICS_PORT", "0")))
# Notify's loopback providers (SMTP, SMS gateway, LINE; a page of what would have been sent at :8025).
NOTIFY_SINKS = WorkerSpec("notify-sinks", "notify.devsinks", (), "NOTIFY_SINKS_DATA_DIR")
WORKERS = (REPORTING_WORKER, NOTIFY_SINKS)


def start_worker(spec: WorkerSpec, env: Mapping[str, str], data_dir: Path, log: Path) -> subprocess.Popen[bytes]:
    """``spec`` as its own process, its data in ``data_dir`` and its output appended to ``log``; ``env``
    wins over the dev defaults."""
    data_dir.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    full = {**dict(spec.dev_env), **env, spec.data_dir_var: str(data_dir)}
    with log.open("ab") as out:
        return subprocess.Popen(spec.command(), env=full, stdout=out, stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    """SIGTERM (a clean stop), then SIGKILL if it does not end in ``timeout``."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
