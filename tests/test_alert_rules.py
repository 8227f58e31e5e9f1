"""The alert rules are valid (promtool check rules), do what they say (promtool test rules), name the service in
Thai and English, point at a runbook section that exists, and use only metrics something really exposes.
Alertmanager's config is checked with amtool. Both tools are Debian's (`apt-get install -y prometheus
prometheus-alertmanager`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PROMETHEUS = ROOT / "infra" / "prometheus"
RULES = PROMETHEUS / "alerts.yml"
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
ALERTMANAGER = ROOT / "infra" / "alertmanager" / "alertmanager.yml"
OPERATIONS = ROOT / "docs" / "operations.md"
INSTALL = "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager"
SERVICES = ("registration", "identity", "reporting", "notify")
# Metrics that come from Prometheus itself or an exporter, not from our code.
EXTERNAL = {
    "up": "Prometheus, every scrape",
    "probe_success": "blackbox exporter (job readyz)",
    "kafka_consumergroup_lag": "kafka exporter (job kafka-exporter)",
}
PROMQL_WORDS = {"and", "or", "unless", "on", "ignoring", "by", "without", "group_left", "group_right", "offset",
                "sum", "max", "min", "avg", "count", "rate", "irate", "increase", "deriv", "delta", "time",
                "histogram_quantile", "absent", "bool", "topk", "bottomk", "clamp_min", "clamp_max"}


def tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: {INSTALL}  (Debian's packages; make test installs them)"
    return found


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, cwd=str(ROOT))


def alerts() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    return [rule for group in loaded["groups"] for rule in group["rules"] if "alert" in rule]


ALERTS = alerts()
NAMES = [rule["alert"] for rule in ALERTS]


def test_promtool_checks_the_rules() -> None:
    checked = run(tool("promtool"), "check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"SUCCESS: {len(ALERTS)} rules found" in checked.stdout


def test_promtool_unit_tests_pass() -> None:
    assert RULE_TESTS
    tested = run(tool("promtool"), "test", "rules", *map(str, RULE_TESTS))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_promtool_unit_tests_can_fail(tmp_path: Path) -> None:
    """A wrong expectation is reported: the unit tests above are not vacuous."""
    source = (PROMETHEUS / "tests" / "alerts_test.yml").read_text(encoding="utf-8")
    assert "(850 events" in source
    broken = tmp_path / "broken_test.yml"
    broken.write_text(source.replace("(850 events", "(851 events").replace("../alerts.yml", str(RULES)),
                      encoding="utf-8")
    tested = run(tool("promtool"), "test", "rules", str(broken))
    assert tested.returncode != 0
    assert "OutboxBacklogGrowing" in tested.stdout + tested.stderr


def test_every_alert_has_a_unit_test_that_fires_it() -> None:
    fired = set()
    for path in RULE_TESTS:
        for case in yaml.safe_load(path.read_text(encoding="utf-8"))["tests"]:
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    fired.add(check["alertname"])
    assert set(NAMES) - fired == set()


def test_prometheus_config_is_valid_and_sends_to_alertmanager(tmp_path: Path) -> None:
    config = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]
    assert any(job["job_name"] == "kafka-exporter" for job in config["scrape_configs"])
    config["rule_files"] = [str(RULES)]  # the container path, /etc/prometheus/alerts.yml, is not here
    local = tmp_path / "prometheus.yml"
    local.write_text(yaml.safe_dump(config), encoding="utf-8")
    checked = run(tool("promtool"), "check", "config", str(local))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("rule", ALERTS, ids=NAMES)
def test_alert_speaks_thai_and_english_and_names_the_service(rule: dict[str, Any]) -> None:
    notes = rule["annotations"]
    assert re.search(r"[\u0e00-\u0e7f]", notes["summary"]), "summary is the Thai one"
    assert re.fullmatch(r"[\x20-\x7e]+", notes["summary_en"]), "summary_en is the English one"
    assert rule["labels"]["severity"] in {"critical", "warning"}
    for text in (notes["summary"], notes["summary_en"]):
        # Which service: its name, or a label that carries it (service, instance = host:port, consumer group).
        assert (any(name in text for name in SERVICES) or "Keycloak" in text or "kafka-exporter" in text
                or re.search(r"\$labels\.(service|instance|consumergroup)", text)
                or (rule["alert"] == "DependencyDown" and "MongoDB, Kafka, Keycloak" in text)), text


def headings() -> set[str]:
    text = OPERATIONS.read_text(encoding="utf-8")
    return {re.sub(r"[^a-z0-9]", "", line.lstrip("#").strip().lower()) for line in text.splitlines()
            if line.startswith("#")}


@pytest.mark.parametrize("rule", ALERTS, ids=NAMES)
def test_alert_has_a_runbook_section(rule: dict[str, Any]) -> None:
    anchor = rule["annotations"]["runbook"]
    assert anchor == f"docs/operations.md#{rule['alert'].lower()}"
    assert rule["alert"].lower() in headings()


def metrics_in(expr: str) -> set[str]:
    """The metric names of a PromQL expression: identifiers outside label matchers, ranges, strings and
    by/on lists, minus PromQL's own words."""
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]|\"[^\"]*\"", " ", expr)
    bare = re.sub(r"\b(by|on|without|ignoring)\s*\([^)]*\)", " ", bare)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", bare)) - PROMQL_WORDS
    return {name for name in names if not re.fullmatch(r"\d+[smhd]?", name)}


def exported_by_code() -> str:
    sources = [*ROOT.glob("services/*/*/**/*.py"), *ROOT.glob("contracts/contracts/**/*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in sources if "/tests/" not in str(p))


def test_metrics_extraction_sees_through_promql() -> None:
    expr = 'sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) > 0.05 and on () up == 0'
    assert metrics_in(expr) == {"http_requests_total", "up"}


@pytest.mark.parametrize("rule", ALERTS, ids=NAMES)
def test_alert_uses_only_metrics_that_exist(rule: dict[str, Any]) -> None:
    code = exported_by_code()
    for metric in metrics_in(rule["expr"]):
        if metric in EXTERNAL:
            continue
        # prometheus_client names a histogram's series <name>_bucket/_sum/_count.
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        assert f'"{metric}"' in code or f'"{base}"' in code, f"{metric} is exposed by no service"


def test_amtool_checks_the_alertmanager_config() -> None:
    checked = run(tool("amtool"), "check-config", str(ALERTMANAGER))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_amtool_rejects_a_route_to_nowhere(tmp_path: Path) -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text(encoding="utf-8"))
    config["route"]["routes"][0]["receiver"] = "nobody-listens"
    broken = tmp_path / "alertmanager.yml"
    broken.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    assert run(tool("amtool"), "check-config", str(broken)).returncode != 0


def test_alertmanager_routes_every_severity_and_shows_both_languages() -> None:
    config = yaml.safe_load(ALERTMANAGER.read_text(encoding="utf-8"))
    receivers = {r["name"]: r for r in config["receivers"]}
    assert config["route"]["receiver"] in receivers
    assert [r["matchers"] for r in config["route"]["routes"]] == [['severity="critical"']]
    for receiver in receivers.values():
        for email in receiver["email_configs"]:
            assert ".Annotations.summary }}" in email["text"] and ".Annotations.summary_en" in email["text"]
    # No secret in the file: the SMTP password is read from a mounted file.
    assert "smtp_auth_password" not in config["global"]
    assert config["global"]["smtp_auth_password_file"].startswith("/run/secrets/")
