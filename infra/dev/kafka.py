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
import uuid
from pathlib import Path

from infra.dev.java_server import JavaServer
from infra.dev.jvm import KAFKA_LOG4J, Artifacts
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


class DevKafka(JavaServer):
    name = "Kafka"

    def __init__(self, data_dir: Path, port: int, controller_port: int, *, log_file: Path | None = None,
                 artifacts: Artifacts | None = None) -> None:
        self.data_dir = data_dir.resolve()
        super().__init__(log_file or self.data_dir / "kafka.log", artifacts)
        self.port = port
        self.controller_port = controller_port
        self.bootstrap = f"127.0.0.1:{port}"

    def _command(self, main_class: str, *args: str) -> list[str]:
        artifacts = self.artifacts
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
        self._run_until(self._command("kafka.Kafka", str(config)), lambda: _port_open(self.port), timeout)
        return self

    def create_contract_topics(self) -> None:
        ensure_contract_topics(self.bootstrap, max_replication=1)
