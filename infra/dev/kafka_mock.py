"""librdkafka's mock cluster: a real Kafka-protocol broker on loopback, in this process.

It ships inside the confluent-kafka wheel; we reach its C API through ctypes. It has no
CreateTopics API, so topics are created here from contracts/. In memory only.
"""

from __future__ import annotations

import ctypes
import glob
import os
from types import TracebackType

import confluent_kafka

from contracts import registry

_RD_KAFKA_PRODUCER = 0


def _load_librdkafka() -> ctypes.CDLL:
    package_dir = os.path.dirname(confluent_kafka.__file__)
    candidates = glob.glob(os.path.join(package_dir, os.pardir, "confluent_kafka.libs", "librdkafka*.so*"))
    if not candidates:
        raise RuntimeError("librdkafka shared library not found in the confluent-kafka wheel")
    lib = ctypes.CDLL(candidates[0])
    c_void_p, c_int, c_char_p = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
    lib.rd_kafka_conf_new.restype = c_void_p
    lib.rd_kafka_conf_set.argtypes = [c_void_p, c_char_p, c_char_p, c_char_p, ctypes.c_size_t]
    lib.rd_kafka_new.restype = c_void_p
    lib.rd_kafka_new.argtypes = [c_int, c_void_p, c_char_p, ctypes.c_size_t]
    lib.rd_kafka_destroy.argtypes = [c_void_p]
    lib.rd_kafka_mock_cluster_new.restype = c_void_p
    lib.rd_kafka_mock_cluster_new.argtypes = [c_void_p, c_int]
    lib.rd_kafka_mock_cluster_destroy.argtypes = [c_void_p]
    lib.rd_kafka_mock_cluster_bootstraps.restype = c_char_p
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [c_void_p]
    lib.rd_kafka_mock_topic_create.restype = c_int
    lib.rd_kafka_mock_topic_create.argtypes = [c_void_p, c_char_p, c_int, c_int]
    lib.rd_kafka_mock_broker_set_down.restype = c_int
    lib.rd_kafka_mock_broker_set_down.argtypes = [c_void_p, ctypes.c_int32]
    lib.rd_kafka_mock_broker_set_up.restype = c_int
    lib.rd_kafka_mock_broker_set_up.argtypes = [c_void_p, ctypes.c_int32]
    return lib


class MockKafkaCluster:
    """One mock cluster; ``bootstrap`` is its ``host:port`` list. Use as a context manager."""

    def __init__(self, brokers: int = 1) -> None:
        self._lib = _load_librdkafka()
        conf = self._lib.rd_kafka_conf_new()
        # The handle only hosts the cluster; silence its "no bootstrap.servers" warning.
        self._lib.rd_kafka_conf_set(conf, b"log_level", b"0", None, 0)
        errstr = ctypes.create_string_buffer(512)
        self._handle = self._lib.rd_kafka_new(_RD_KAFKA_PRODUCER, conf, errstr, len(errstr))
        if not self._handle:
            raise RuntimeError(f"rd_kafka_new failed: {errstr.value.decode()}")
        self._cluster = self._lib.rd_kafka_mock_cluster_new(self._handle, brokers)
        if not self._cluster:
            raise RuntimeError("rd_kafka_mock_cluster_new failed")
        self.brokers = brokers
        self.bootstrap: str = self._lib.rd_kafka_mock_cluster_bootstraps(self._cluster).decode()

    def create_topic(self, name: str, partitions: int, replication_factor: int = 1) -> None:
        rf = min(replication_factor, self.brokers)
        err = self._lib.rd_kafka_mock_topic_create(self._cluster, name.encode(), partitions, rf)
        if err:
            raise RuntimeError(f"creating topic {name} failed with librdkafka error {err}")

    def create_contract_topics(self) -> list[str]:
        for spec in registry.topics().values():
            self.create_topic(spec.name, spec.partitions, spec.replication_factor)
        return sorted(registry.topics())

    def set_down(self) -> None:
        """Every broker stops answering (an outage); ``set_up`` brings them back."""
        for broker_id in range(1, self.brokers + 1):
            self._lib.rd_kafka_mock_broker_set_down(self._cluster, broker_id)

    def set_up(self) -> None:
        for broker_id in range(1, self.brokers + 1):
            self._lib.rd_kafka_mock_broker_set_up(self._cluster, broker_id)

    def close(self) -> None:
        if self._cluster:
            self._lib.rd_kafka_mock_cluster_destroy(self._cluster)
            self._cluster = None
        if self._handle:
            self._lib.rd_kafka_destroy(self._handle)
            self._handle = None

    def __enter__(self) -> MockKafkaCluster:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
