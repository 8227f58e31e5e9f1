"""nx-27017: a MongoDB wire-protocol server backed by SQLite, run as a child process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import pymongo
import pymongo.errors


class DevMongo:
    """Starts nx-27017 with one SQLite file per database under ``data_dir`` (survives restarts)."""

    def __init__(self, data_dir: Path, port: int, host: str = "127.0.0.1") -> None:
        self.data_dir = data_dir
        self.port = port
        self.host = host
        self.uri = f"mongodb://{host}:{port}/"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> DevMongo:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        executable = shutil.which("nx-27017", path=str(Path(sys.executable).parent)) or "nx-27017"
        log = (self.data_dir / "nx-27017.log").open("ab")
        self._process = subprocess.Popen(
            [executable, "--data-dir", str(self.data_dir), "--host", self.host, "--port", str(self.port),
             "--log-file", str(self.data_dir / "server.log"), "--pid-file", str(self.data_dir / "nx.pid")],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(self.uri, serverSelectionTimeoutMS=500)
        try:
            while True:
                if self._process is not None and self._process.poll() is not None:
                    raise RuntimeError(f"nx-27017 exited with {self._process.returncode}; see {self.data_dir}")
                try:
                    client.admin.command("ping")
                    return
                except pymongo.errors.PyMongoError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"nx-27017 did not answer on {self.uri}") from None
                    time.sleep(0.1)
        finally:
            client.close()

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> DevMongo:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
