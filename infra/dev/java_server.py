"""What the dev stack's Java servers (Kafka, Keycloak) share: the pinned artifacts fetched on first need, a
process in its own group with its output in a log file, a wait until it answers, and a clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from infra.dev.jvm import Artifacts, fetch


class JavaServer:
    name = "server"

    def __init__(self, log_file: Path, artifacts: Artifacts | None) -> None:
        self.log_file = log_file
        self._artifacts = artifacts
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def artifacts(self) -> Artifacts:
        if self._artifacts is None:
            self._artifacts = fetch()
        return self._artifacts

    def start(self) -> Self:
        raise NotImplementedError

    def _run_until(self, command: list[str], ready: Callable[[], bool], timeout: float,
                   env: Mapping[str, str] | None = None) -> None:
        """Starts ``command`` (its own process group: ``kc.sh`` runs java as a child) and waits for ``ready``."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as log:
            self._process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                                             start_new_session=True)
        deadline = time.monotonic() + timeout
        while not ready():
            if self._process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self._process.returncode}; see {self.log_file}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} was not ready within {timeout:.0f}s; see {self.log_file}")
            time.sleep(0.2)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to the process group (a clean shutdown: Kafka flushes its logs), SIGKILL if it hangs."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
