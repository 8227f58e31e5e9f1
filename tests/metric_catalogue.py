"""The metric series the services expose, assembled in-process from the code that defines them, and a small
PromQL reader that finds the series and labels an expression uses. Shared by the dashboard and alert checks
(tests/test_metric_queries.py) and the scrape test (tests/test_metrics_scrape.py).

The registry is the one every service's ``/metrics`` serves (``prometheus_client.REGISTRY``), filled by importing
each service's app factory and the stream worker; the worker's Faust sensors are built from faust's own
``FaustMetrics`` under the prefix the worker gives them (``reporting.streams``: ``reporting_worker``).
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.registry import Collector

SERVICES = ("registration", "identity", "reporting", "notify")
FAUST_PREFIX = "reporting_worker"
# Labels Prometheus adds to every series it scrapes (job and instance from the target).
TARGET_LABELS = frozenset({"job", "instance"})
# Series that come from Prometheus or an exporter, not from our code: name -> (labels, where from).
EXTERNAL: dict[str, tuple[frozenset[str], str]] = {
    "up": (frozenset(), "Prometheus itself, for every scrape target"),
    "probe_success": (frozenset(), "blackbox exporter (job readyz): GET /readyz answered 2xx"),
    "kafka_topic_partition_current_offset": (frozenset({"topic", "partition"}),
                                             "kafka exporter (job kafka-exporter): a partition's high watermark"),
    "kafka_consumergroup_lag": (frozenset({"consumergroup", "topic", "partition"}),
                                "kafka exporter (job kafka-exporter): lag as the exporter sees it"),
}


@dataclass(frozen=True)
class Series:
    name: str
    labels: frozenset[str]
    source: str


def _series(name: str, kind: str, labels: tuple[str, ...], source: str) -> list[Series]:
    """The series names prometheus_client writes for a family of ``kind``."""
    own = frozenset(labels)
    if kind == "counter":
        return [Series(f"{name}_total", own, source), Series(f"{name}_created", own, source)]
    if kind == "histogram":
        return [Series(f"{name}_bucket", own | {"le"}, source), Series(f"{name}_sum", own, source),
                Series(f"{name}_count", own, source), Series(f"{name}_created", own, source)]
    if kind == "summary":
        return [Series(f"{name}_sum", own, source), Series(f"{name}_count", own, source)]
    return [Series(name, own, source)]


def _from_collector(collector: Collector, source: str) -> list[Series]:
    if isinstance(collector, MetricWrapperBase):
        return _series(collector._name, collector._type, tuple(collector._labelnames), source)
    describe = getattr(collector, "describe", None)
    families = list(describe()) if describe else []
    families = families or list(collector.collect())
    found: list[Series] = []
    for family in families:
        labels = tuple(getattr(family, "_labelnames", ())) or tuple(
            {label for sample in family.samples for label in sample.labels} - {"le", "quantile"})
        found += _series(family.name, family.type, labels, source)
    return found


@cache
def exposed() -> dict[str, Series]:
    """Every series name the services' and the worker's ``/metrics`` can serve, with its labels."""
    for module in ("registration.main", "identity.main", "reporting.main", "notify.main", "reporting.streams"):
        importlib.import_module(module)
    found: dict[str, Series] = {}
    for collector in list(REGISTRY._collector_to_names):
        module = type(collector).__module__
        for series in _from_collector(collector, module):
            found[series.name] = series
    from faust.sensors.prometheus import FaustMetrics

    faust_registry = CollectorRegistry()
    FaustMetrics.create(faust_registry, FAUST_PREFIX)
    for collector in list(faust_registry._collector_to_names):
        for series in _from_collector(collector, "faust.sensors.prometheus (reporting worker)"):
            found[series.name] = series
    for name, (labels, source) in EXTERNAL.items():
        found[name] = Series(name, labels, source)
    return found


# --- reading PromQL ---------------------------------------------------------------------------------------------
KEYWORDS = frozenset({"and", "or", "unless", "on", "ignoring", "by", "without", "group_left", "group_right",
                      "offset", "bool", "inf", "nan", "atan2"})
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")


@dataclass(frozen=True)
class Query:
    metrics: frozenset[str]
    matched: dict[str, frozenset[str]]  # metric -> label names in its {...}
    grouped: frozenset[str]  # label names in by/without/on/ignoring/group_* lists


def read(expr: str) -> Query:
    """The metrics, matcher labels and grouping labels of a PromQL expression (Grafana's $variables and
    $__interval-style ranges allowed). A tokenizer, not a parser: enough to name what a query depends on."""
    text = re.sub(r"\$\{?\w+\}?", "x", expr)  # Grafana variables: only ever inside strings, ranges or values
    masked = _STRING.sub('""', text)
    matched: dict[str, set[str]] = {}
    for name, body in _SELECTOR.findall(masked):
        labels = {m.group(1) for m in re.finditer(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)", body)}
        matched.setdefault(name, set()).update(labels)
    bare = _SELECTOR.sub(lambda m: f" {m.group(1) or ''} ", masked)
    grouped = {label.strip() for _, labels in _GROUPING.findall(bare) for label in labels.split(",") if label.strip()}
    bare = _GROUPING.sub(" ", bare)
    bare = re.sub(r"\[[^\]]*\]", " ", bare)  # ranges and subqueries' steps
    metrics = set()
    for match in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?", bare):
        word, call = match.group(1), match.group(2)
        if call or word.lower() in KEYWORDS or re.fullmatch(r"\d+[smhdwy]?|x", word):
            continue
        metrics.add(word)
    metrics |= {name for name in matched if name}
    return Query(frozenset(metrics), {k: frozenset(v) for k, v in matched.items() if k}, frozenset(grouped))


def problems(expr: str, known: dict[str, Series] | None = None) -> list[str]:
    """What in ``expr`` no service exposes: unknown metrics, or labels none of its metrics carries."""
    known = exposed() if known is None else known
    query = read(expr)
    found = [f"{name}: exposed by no service" for name in sorted(query.metrics) if name not in known]
    carried = set(TARGET_LABELS)
    for name in query.metrics & set(known):
        carried |= known[name].labels
    for name, labels in query.matched.items():
        if name in known:
            unknown = labels - known[name].labels - TARGET_LABELS
            found += [f"{name}{{{label}}}: no such label" for label in sorted(unknown)]
    if query.metrics:
        found += [f"by/on ({label}): no metric of the query carries it" for label in sorted(query.grouped - carried)]
    return found
