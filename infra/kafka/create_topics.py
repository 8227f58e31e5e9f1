"""Create the Kafka topics defined in ``contracts/contracts/topics/*.yaml``.

Run once per deployment by the ``kafka-init`` job (auto-create is off on the brokers), and by the dev
stack at every start. Topics that already exist are left alone; then the broker's partitions, cleanup
policy and retention are compared with the YAML, and any drift fails the run (exit 1) naming it:
existing topics are changed by hand, after review, never by this script.

    KAFKA_BOOTSTRAP_SERVERS=kafka-1:9092 python infra/kafka/create_topics.py
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource  # type: ignore[attr-defined]
from confluent_kafka.cimpl import NewTopic  # re-exported by .admin, but not declared there for mypy

from contracts import registry
from contracts.registry import TopicSpec


@dataclass(frozen=True)
class TopicConfig:
    """What ``NewTopic`` is built from; a plain value so it can be tested without a broker."""

    name: str
    partitions: int
    replication_factor: int
    config: dict[str, str]


def topic_configs(specs: Iterable[TopicSpec], *, max_replication: int | None = None) -> list[TopicConfig]:
    """Turn contract topic specs into topic settings, capping replication at the broker count if given."""
    configs = []
    for spec in specs:
        replication = spec.replication_factor
        if max_replication is not None:
            replication = min(replication, max_replication)
        config = {"cleanup.policy": spec.cleanup_policy}
        if spec.retention_ms is not None:
            config["retention.ms"] = str(spec.retention_ms)
        configs.append(TopicConfig(spec.name, spec.partitions, replication, config))
    return configs


def new_topics(configs: Iterable[TopicConfig]) -> list[NewTopic]:
    return [
        NewTopic(c.name, num_partitions=c.partitions, replication_factor=c.replication_factor, config=c.config)
        for c in configs
    ]


def create(bootstrap: str, configs: list[TopicConfig], timeout: float = 30.0, *, quiet: bool = False) -> int:
    """Create the topics; return the number of failures (an existing topic is not a failure)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics(new_topics(configs), operation_timeout=timeout, request_timeout=timeout)
    failures = 0
    for name, future in futures.items():
        try:
            future.result()
            if not quiet:
                print(f"created {name}")
        except KafkaException as exc:
            error = exc.args[0]
            if isinstance(error, KafkaError) and error.code() == KafkaError.TOPIC_ALREADY_EXISTS:
                if not quiet:
                    print(f"exists  {name}")
            else:
                print(f"FAILED  {name}: {exc}", file=sys.stderr)
                failures += 1
    return failures


def drift(bootstrap: str, configs: list[TopicConfig], timeout: float = 30.0) -> list[str]:
    """Every difference between the broker's topics and ``configs``, one readable line each."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    metadata = admin.list_topics(timeout=timeout).topics
    problems = []
    present = [c for c in configs if c.name in metadata]
    problems += [f"{c.name}: missing on the broker" for c in configs if c.name not in metadata]
    for c in present:
        partitions = len(metadata[c.name].partitions)
        if partitions != c.partitions:
            problems.append(f"{c.name}: {partitions} partitions on the broker, {c.partitions} in contracts")
    resources = [ConfigResource(ConfigResource.Type.TOPIC, c.name) for c in present]
    described = admin.describe_configs(resources, request_timeout=timeout) if resources else {}
    for c, resource in zip(present, resources, strict=True):
        actual = {name: entry.value for name, entry in described[resource].result(timeout).items()}
        problems += [f"{c.name}: {key}={actual.get(key)} on the broker, {want} in contracts"
                     for key, want in c.config.items() if actual.get(key) != want]
    return problems


def ensure_contract_topics(bootstrap: str, *, max_replication: int | None = None) -> None:
    """Create the contract topics and fail, naming the differences, when the broker drifted from them."""
    configs = topic_configs(registry.topics().values(), max_replication=max_replication)
    if create(bootstrap, configs, quiet=True):
        raise RuntimeError(f"could not create the contract topics on {bootstrap}")
    problems = drift(bootstrap, configs)
    if problems:
        raise TopicDrift("Kafka topics differ from contracts/: " + "; ".join(problems))


class TopicDrift(RuntimeError):
    pass


def main() -> int:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if not bootstrap:
        print("KAFKA_BOOTSTRAP_SERVERS is not set", file=sys.stderr)
        return 2
    cap = os.environ.get("KAFKA_MAX_REPLICATION")  # only for a single-broker stack
    configs = topic_configs(registry.topics().values(), max_replication=int(cap) if cap else None)
    if create(bootstrap, configs):
        return 1
    problems = drift(bootstrap, configs)
    for problem in problems:
        print(f"DRIFT   {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
