"""A real Apache Kafka broker (KRaft, one node acting as broker and controller) for the dev stack.

Its jars come from Maven (``infra/dev/jvm.py``); its log directory is ``data_dir`` so a restart keeps
every topic and offset. ``stop()`` / ``start()`` on the same object restart it on the same ports, which
is how the outage tests take the broker away and bring it back.
"""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import time
import uuid
from pathlib import Path
from types import TracebackType

from infra.dev.jvm import KAFKA_LOG4J, Artifacts, fetch, stop_process_group
from infra.kafka.create_topics import ensure_contract_topics


def _server_properties(data_dir: Path, port: int, controller_port: int) -> str:
    return "\n".join([
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@127.0.0.1:{controller_port}",
        f"listeners=PLAINTEXT://127.0.0.1:{port},CONTROLLER://127.0.0.1:{controller_port}",
        f"advertised.listeners=PLAINTEXT://127.0.0.1:{port}",
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={data_dir / 'logs'}",
        # Topics come from contracts/ through the Admin API, never from a typo in a producer.
        "auto.create.topics.enable=false",
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "",
    ])


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class DevKafka:
    def __init__(self, data_dir: Path, port: int, controller_port: int, *, log_file: Path | None = None,
                 artifacts: Artifacts | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.port = port
        self.controller_port = controller_port
        self.bootstrap = f"127.0.0.1:{port}"
        self.log_file = log_file or self.data_dir / "kafka.log"
        self._artifacts = artifacts
        self._process: subprocess.Popen[bytes] | None = None

    def _command(self, main_class: str, *args: str) -> list[str]:
        artifacts = self._artifacts or fetch()
        self._artifacts = artifacts
        classpath = os.pathsep.join(str(p) for p in artifacts.kafka_classpath)
        return [str(artifacts.java), "-Xms128m", "-Xmx512m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
                f"-Dlog4j2.configurationFile={KAFKA_LOG4J}", "-cp", classpath, main_class, *args]

    def _format_once(self, config: Path) -> None:
        if (self.data_dir / "logs" / "meta.properties").exists():
            return
        cluster_id = "-"
        while cluster_id.startswith("-"):  # the tool would read it as an option (Kafka's Uuid avoids these too)
            cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        result = subprocess.run(self._command("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(config)),
                                capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"kafka storage format failed: {result.stdout}{result.stderr}")

    def start(self, timeout: float = 90.0) -> DevKafka:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "server.properties"
        config.write_text(_server_properties(self.data_dir, self.port, self.controller_port))
        self._format_once(config)
        log = self.log_file.open("ab")
        self._process = subprocess.Popen(self._command("kafka.Kafka", str(config)), stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if self._process.poll() is not None:
                raise RuntimeError(f"Kafka exited with {self._process.returncode}; see {self.log_file}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Kafka did not start within {timeout:.0f}s; see {self.log_file}")
            time.sleep(0.2)
        return self

    def create_contract_topics(self) -> None:
        ensure_contract_topics(self.bootstrap, max_replication=1)

    def stop(self, timeout: float = 30.0) -> None:
        """A clean shutdown (SIGTERM: the broker flushes and closes its logs), SIGKILL if it hangs."""
        process, self._process = self._process, None
        stop_process_group(process, timeout)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> DevKafka:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
