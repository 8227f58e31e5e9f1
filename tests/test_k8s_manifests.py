"""The Kubernetes manifests (infra/k8s) are valid against the Kubernetes schemas and say what production needs:
probes, resources, a read-only root, env names the services read, autoscaling within the partitions, and a
public side that routes every page and API path but none of the ops endpoints."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]  # no py.typed in the package
import pytest
import yaml

from contracts.registry import topic
from tests.compose_support import env_names

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "infra" / "k8s"
# The oldest Kubernetes release still commonly run, and the newest the schema package knows: an API removed
# in between (or not yet there) fails one of them.
VERSIONS = ["1.31.0", kubernetes_validate.latest_version() + ".0"]
PACKAGE = {"registration": "registration", "identity": "identity", "reporting": "reporting",
           "reporting-worker": "reporting", "notify": "notify"}
HTTP_SERVICES = ["registration", "identity", "reporting", "notify"]
WORKER = "reporting-worker"
# Served by every app but never on the public side.
OPS_PATHS = ["/metrics", "/healthz", "/readyz", "/docs", "/docs-assets", "/docs-fonts", "/docs-ui", "/openapi.json"]
# Routes an app has that are deliberately not public: identity's ThaiD simulator answers only with ENV=dev;
# registration's contact API gives debtors' phones, identity's staff-contacts API staff e-mails and activation
# links, to notify's service account, inside the cluster only.
KEPT_OFF = {"identity": ["/dev", "/api/v1/staff-contacts"], "registration": ["/api/v1/contacts"]}
IMAGE_TMP = "/tmp"  # noqa: S108 - the path inside the image, where an emptyDir is mounted
SECRET_WORDS = ("SECRET", "PASSWORD", "TOKEN", "MONGODB_URI")


def load(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def documents() -> Iterator[tuple[str, dict[str, Any]]]:
    for path in sorted(K8S.glob("*.yaml")):
        if path.name != "kustomization.yaml":
            for doc in load(path):
                yield f"{path.name}:{doc['kind']}/{doc['metadata']['name']}", doc


ALL = list(documents())


def of_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in ALL if doc["kind"] == kind}


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    found: dict[str, Any] = containers[0]
    return found


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("where", "doc"), ALL, ids=[where for where, _ in ALL])
def test_matches_the_kubernetes_schema(where: str, doc: dict[str, Any], version: str) -> None:
    # strict: a misspelt or misplaced field (e.g. readOnlyRootFilesystem on the pod) is an error too.
    kubernetes_validate.validate(doc, version, strict=True)


def test_the_validator_rejects_a_broken_manifest() -> None:
    deployment = json.loads(json.dumps(of_kind("Deployment")["notify"]))
    deployment["spec"]["template"]["spec"]["readOnlyRootFilesystem"] = True  # belongs on the container
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, VERSIONS[0], strict=True)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert sorted(kustomization["resources"]) == sorted(files)
    images = {image["name"] for image in kustomization["images"]}
    assert {container(d)["image"].split(":")[0] for d in of_kind("Deployment").values()} <= images


def test_every_service_and_the_worker_has_a_deployment() -> None:
    assert set(of_kind("Deployment")) == set(PACKAGE)


@pytest.mark.parametrize("name", sorted(PACKAGE))
def test_deployment_is_locked_down(name: str) -> None:
    deployment = of_kind("Deployment")[name]
    pod = deployment["spec"]["template"]["spec"]
    box = container(deployment)
    security = box["securityContext"]
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["automountServiceAccountToken"] is False
    # The images point HOME and pythainlp's data at /tmp (tests/test_images.py): /tmp must be a writable volume.
    mounts = {m["mountPath"]: m["name"] for m in box["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts[IMAGE_TMP]]
    resources = box["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"] and resources["limits"]["memory"]
    # Anything else a service writes to needs its own volume too.
    for variable in ("REPORTING_WORKER_DATA_DIR", "REPORTING_EXPORT_DIR", "REGISTRATION_EXPORT_DIR"):
        if variable in config_env(box):
            assert config_env(box)[variable] in mounts, variable


@pytest.mark.parametrize("name", HTTP_SERVICES)
def test_http_deployment_has_probes_on_its_port(name: str) -> None:
    box = container(of_kind("Deployment")[name])
    assert [p["name"] for p in box["ports"]] == ["http"]
    assert box["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert box["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert box["startupProbe"]["httpGet"]["path"] == "/healthz"
    port = box["ports"][0]["containerPort"]
    assert config_env(box)[f"{name.upper()}_PORT"] == str(port)
    service = of_kind("Service")[name]
    assert service["spec"]["selector"].items() <= of_kind("Deployment")[name]["spec"]["template"]["metadata"][
        "labels"].items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_worker_serves_only_metrics_and_is_not_routed() -> None:
    """Faust's web server serves the worker's /metrics on its own port for Prometheus; no Service, so nothing
    routes to it, and no HTTP probe (a rebalance may keep it from answering; a crash ends the process)."""
    box = container(of_kind("Deployment")[WORKER])
    assert box["command"] == ["python", "-m", "reporting.streams", "worker", "-l", "info"]
    assert box["ports"] == [{"name": "metrics", "containerPort": 6066}]
    assert config_env(box)["REPORTING_WORKER_METRICS_BIND"] == "0.0.0.0"  # noqa: S104 - Prometheus scrapes the pod
    assert "livenessProbe" not in box
    assert WORKER not in of_kind("Service")


def config_env(box: dict[str, Any]) -> dict[str, str]:
    """The plain (non-secret) variables: the ConfigMaps the container takes whole, then its own values."""
    maps = of_kind("ConfigMap")
    values: dict[str, str] = {}
    for source in box.get("envFrom", []):
        values.update(maps[source["configMapRef"]["name"]]["data"])
    values.update({e["name"]: e["value"] for e in box.get("env", []) if "value" in e})
    return values


def secret_env(box: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {e["name"]: (e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
            for e in box.get("env", []) if "secretKeyRef" in e.get("valueFrom", {})}


@pytest.mark.parametrize("name", sorted(PACKAGE))
def test_every_variable_is_one_the_service_reads(name: str) -> None:
    box = container(of_kind("Deployment")[name])
    read = env_names(PACKAGE[name])
    given = set(config_env(box)) | set(secret_env(box))
    assert given - read == set(), f"{name} is given variables it never reads"
    assert {"ENV", "MONGODB_URI", "KAFKA_BOOTSTRAP_SERVERS", "OIDC_ISSUER_URL"} <= given
    assert config_env(box)["ENV"] == "production"


@pytest.mark.parametrize("name", sorted(PACKAGE))
def test_secrets_come_from_secrets_only(name: str) -> None:
    box = container(of_kind("Deployment")[name])
    for variable in config_env(box):
        assert not any(word in variable for word in SECRET_WORDS), f"{variable} belongs in a Secret"
    for variable, (secret, key) in secret_env(box).items():
        assert secret == f"debt-{PACKAGE[name]}" and key == variable


@pytest.mark.parametrize("name", sorted(PACKAGE))
def test_autoscaler_and_disruption_budget(name: str) -> None:
    hpa = of_kind("HorizontalPodAutoscaler")[name]
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 2 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    pdb = of_kind("PodDisruptionBudget")[name]
    assert pdb["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": name}
    # A budget that never lets a pod go would block node drains.
    assert pdb["spec"].get("maxUnavailable", 0) >= 1 or pdb["spec"]["minAvailable"] < hpa["spec"]["minReplicas"]


def test_consumers_scale_no_further_than_the_partitions() -> None:
    """A consumer group gives each partition to one member: pods beyond the partition count only wait."""
    case_events = topic("case-events").partitions
    hpas = of_kind("HorizontalPodAutoscaler")
    assert hpas[WORKER]["spec"]["maxReplicas"] == case_events
    assert config_env(container(of_kind("Deployment")[WORKER]))["REPORTING_STREAMS_PARTITIONS"] == str(case_events)
    assert hpas["notify"]["spec"]["maxReplicas"] <= case_events
    assert hpas["identity"]["spec"]["maxReplicas"] <= 2 * topic("audit-events").partitions


# ------------------------------------------------------------------ the public side

ROUTES = """
import json, sys
from importlib import import_module
app = import_module(sys.argv[1] + ".main").create_app()
def walk(routes, prefix=""):
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from walk(inner.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", "")
print(json.dumps(sorted(set(walk(app.routes)))))
"""


@cache
def routes(package: str) -> list[str]:
    """Every path template the app serves, from a fresh interpreter (each service's module-level metrics)."""
    run = subprocess.run([sys.executable, "-c", ROUTES, package], capture_output=True, text=True, timeout=120,
                         cwd=str(ROOT), env={"PATH": "/usr/bin:/bin", "ENV": "test", "HOME": tempfile.gettempdir()})
    assert run.returncode == 0, run.stderr[-2000:]
    found: list[str] = json.loads(run.stdout.strip().splitlines()[-1])
    return found


def ingress_paths() -> list[tuple[str, str, str, str]]:
    """(host, backend service, pathType, path) of every rule of every Ingress."""
    found = []
    for ingress in of_kind("Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for item in rule["http"]["paths"]:
                found.append((rule["host"], item["backend"]["service"]["name"], item["pathType"], item["path"]))
    return found


def matches(path_type: str, rule: str, path: str) -> bool:
    """Kubernetes Ingress matching: Exact is the whole path; Prefix matches whole path elements."""
    if path_type == "Exact":
        return path == rule
    return rule == "/" or path == rule or path.startswith(rule.rstrip("/") + "/")


def test_no_ops_endpoint_is_public() -> None:
    for _, _, path_type, rule in ingress_paths():
        for ops in [*OPS_PATHS, "/dev", "/api/v1/contacts", "/api/v1/staff-contacts"]:
            assert not matches(path_type, rule, ops) and not matches(path_type, rule, ops + "/x"), (rule, ops)


def test_ingress_backends_are_services_on_their_port() -> None:
    services = of_kind("Service")
    for ingress in of_kind("Ingress").values():
        for rule in ingress["spec"]["rules"]:
            for item in rule["http"]["paths"]:
                backend = item["backend"]["service"]
                assert backend["port"]["number"] == services[backend["name"]]["spec"]["ports"][0]["port"]


@pytest.mark.parametrize("name", HTTP_SERVICES)
def test_every_page_and_api_route_is_routed_to_its_service(name: str) -> None:
    """A route added to an app without a line in ingress.yaml would be unreachable in production; a path
    routed to the wrong service would answer 404 there."""
    rules = ingress_paths()
    hosts = {host for host, backend, _, _ in rules if backend == name}
    kept_off = OPS_PATHS + KEPT_OFF.get(name, [])
    served = [p for p in routes(name) if not any(matches("Prefix", k, p) for k in kept_off)]
    assert bool(served) == bool(hosts), f"{name}: routes {served[:3]}, hosts {hosts}"
    for host in hosts:
        on_host = [(backend, t, rule) for h, backend, t, rule in rules if h == host]
        for path in served:
            # The most specific rule wins, as in every ingress controller: look at the longest match only.
            hits = [(backend, rule) for backend, t, rule in on_host if matches(t, rule, path)]
            assert hits, f"{name} {path} is not routed on {host} by infra/k8s/ingress.yaml"
            longest = max(len(rule) for _, rule in hits)
            winners = {backend for backend, rule in hits if len(rule) == longest}
            assert winners == {name}, f"{host}{path} goes to {winners}, not {name}"
