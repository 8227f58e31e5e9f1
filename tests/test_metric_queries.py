"""Every Grafana panel and every alert rule asks only for metrics, and labels, that the services really expose.

The names come from the services' own registry, assembled in-process (tests/metric_catalogue.py), plus a short
documented list of Prometheus' and the exporters' own series; tests/test_metrics_scrape.py checks that the
services serve them after real traffic. Grafana's provisioning files point at these dashboards and at the
datasource the panels name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.metric_catalogue import EXTERNAL, exposed, problems, read

ROOT = Path(__file__).resolve().parents[1]
GRAFANA = ROOT / "infra" / "grafana"
DASHBOARDS = sorted((GRAFANA / "dashboards").glob("*.json"))
RULES = ROOT / "infra" / "prometheus" / "alerts.yml"
COMPOSE = ROOT / "infra" / "docker-compose.yml"


def queries(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(where, PromQL) of every panel target and every templating query (``label_values(metric, label)`` read
    as a selection of ``metric`` grouped by ``label``)."""
    found = [(f"panel {p['title']!r}", t["expr"]) for p in board["panels"] for t in p.get("targets", [])]
    for var in board["templating"]["list"]:
        query = var["query"]["query"] if isinstance(var["query"], dict) else var["query"]
        values = re.fullmatch(r"label_values\((\w+),\s*(\w+)\)", query)
        assert values, f"variable {var['name']}: only label_values(metric, label) is used here"
        found.append((f"variable {var['name']!r}", f"count by ({values.group(2)}) ({values.group(1)})"))
    return found


def test_the_reader_sees_metrics_labels_and_groupings_through_promql() -> None:
    query = read('histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket'
                 '{route!~"/metrics|/healthz", service=~"$service"}[$__rate_interval])))'
                 ' > 1 and on (service) up{job="debt-services"} == 0 or vector(0)')
    assert query.metrics == {"http_request_duration_seconds_bucket", "up"}
    assert query.matched == {"http_request_duration_seconds_bucket": {"route", "service"}, "up": {"job"}}
    assert query.grouped == {"service", "le"}
    assert read('time() - max(x_seconds offset 5m) > 2e3').metrics == {"x_seconds"}


def test_problems_name_an_unknown_metric_a_wrong_label_and_a_wrong_grouping() -> None:
    assert problems('sum by (service) (rate(http_requests_total{status=~"5.."}[5m]))') == []
    assert problems("rate(registrations_by_channel_total[5m])") == [
        "registrations_by_channel_total: exposed by no service"]
    assert problems('consumer_lag_messages{consumergroup="notify"}') == [
        "consumer_lag_messages{consumergroup}: no such label"]
    assert problems("sum by (consumergroup) (consumer_lag_messages)") == [
        "by/on (consumergroup): no metric of the query carries it"]


def test_the_catalogue_holds_each_metric_the_issue_asks_for() -> None:
    wanted = {
        "http_requests_total": {"service", "method", "route", "status"},
        "http_request_duration_seconds_bucket": {"service", "method", "route", "le"},
        "outbox_unsent_events": {"service"}, "outbox_oldest_unsent_age_seconds": {"service"},
        "consumer_lag_messages": {"service", "group", "topic", "partition"},
        "registrations_total": {"channel"}, "monthly_reports_total": {"level", "state", "timeliness"},
        "monthly_reports_overdue": {"level", "province"}, "notify_messages_total": {"channel", "outcome"},
        "notify_messages_waiting": {"channel", "state"}, "reconciliation_differences": {"level"},
        "reporting_worker_total_events_total": set(), "streamed_totals_inputs_total": {"agent", "outcome"},
    }
    known = exposed()
    assert {name: set(known[name].labels) for name in wanted if name in known} == wanted


@pytest.mark.parametrize("path", DASHBOARDS, ids=[p.stem for p in DASHBOARDS])
def test_every_panel_asks_for_metrics_the_services_expose(path: Path) -> None:
    board = json.loads(path.read_text(encoding="utf-8"))
    assert board["uid"] == path.stem and board["panels"]
    for where, expr in queries(board):
        assert read(expr).metrics, f"{path.name} {where}: no metric in {expr!r}"
        assert problems(expr) == [], f"{path.name} {where}: {expr}"


def test_alert_rules_ask_for_metrics_the_services_expose() -> None:
    rules = [r for g in yaml.safe_load(RULES.read_text(encoding="utf-8"))["groups"] for r in g["rules"]]
    assert rules
    for rule in rules:
        assert problems(rule["expr"]) == [], f"{rule['alert']}: {rule['expr']}"


def test_the_three_dashboards_cover_traffic_pipeline_and_programme() -> None:
    used = {path.stem: set().union(*(read(expr).metrics for _, expr in
                                     queries(json.loads(path.read_text(encoding="utf-8")))))
            for path in DASHBOARDS}
    assert {"http_requests_total", "http_request_duration_seconds_bucket"} <= used["debt-traffic"]
    assert {"outbox_unsent_events", "outbox_oldest_unsent_age_seconds", "consumer_lag_messages",
            "events_consumed_total"} <= used["debt-pipeline"]
    assert {"registrations_total", "monthly_reports_total", "monthly_reports_overdue",
            "notify_messages_total"} <= used["debt-programme"]
    external = set().union(*used.values()) & set(EXTERNAL)
    assert external <= {"up", "probe_success", "kafka_topic_partition_current_offset"}


def test_grafana_provisions_these_dashboards_from_the_mounted_folder() -> None:
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "debt.yml").read_text(encoding="utf-8"))
    source = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text(encoding="utf-8"))
    grafana = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]["grafana"]
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in grafana["volumes"]}
    path = provider["providers"][0]["options"]["path"]
    assert mounts[path] == "./grafana/dashboards" and mounts["/etc/grafana/provisioning"] == "./grafana/provisioning"
    uid = source["datasources"][0]["uid"]
    uids = []
    for board_path in DASHBOARDS:
        board = json.loads(board_path.read_text(encoding="utf-8"))
        uids.append(board["uid"])
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == uid, (board_path.name, panel["title"])
            assert all(t["datasource"]["uid"] == uid for t in panel["targets"])
    assert len(set(uids)) == len(uids) == 3
