"""The compose deployment's public side (infra/proxy/, nginx): the same public paths as the Kubernetes ingress,
and, in a real nginx, ops endpoints and internal APIs that never get through."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import re
import shutil
import socket
import string
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.test_k8s_manifests import OPS_PATHS, ingress_paths

PROXY = Path(__file__).resolve().parents[1] / "infra" / "proxy"
TEMPLATE = PROXY / "templates" / "debt.conf.template"
HOST_VARIABLE = {"debt.example.go.th": "APP_HOSTNAME", "id.debt.example.go.th": "IDENTITY_HOSTNAME"}
UPSTREAMS = ("registration", "identity", "reporting", "notify", "keycloak")
HOSTS = {"APP_HOSTNAME": "app.test", "IDENTITY_HOSTNAME": "id.test", "SSO_HOSTNAME": "sso.test"}


def template_locations() -> set[tuple[str, str, str, str]]:
    """(host variable, upstream, pathType, path) for every proxied location, in the ingress's terms."""
    found = set()
    for block in TEMPLATE.read_text(encoding="utf-8").split("server {")[1:]:
        host = re.search(r"server_name \$\{(\w+)\};", block)
        if host is None:
            continue  # the plain-HTTP redirect
        for exact, path, upstream in re.findall(r"location (= )?(\S+) \{ proxy_pass http://\$\{(\w+)_UPSTREAM\}; \}",
                                                block):
            if not exact and path != "/":
                path = path.rstrip("/")  # "location /x/" is the Prefix rule's second half
            kind = "Exact" if exact and path == "/" else "Prefix"
            found.add((host.group(1), upstream.lower(), kind, path))
    return found


def test_the_proxy_forwards_exactly_the_ingress_paths() -> None:
    """One public surface whichever way it is deployed: a path added to the ingress and not here (or the other
    way round) fails."""
    wanted = {(HOST_VARIABLE[host], backend, kind, path) for host, backend, kind, path in ingress_paths()}
    on_app_hosts = {loc for loc in template_locations() if loc[0] != "SSO_HOSTNAME"}
    assert on_app_hosts == wanted


def test_every_prefix_rule_also_answers_the_bare_path() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    for prefix in re.findall(r"location (/\S+)/ \{", text):
        if prefix not in ("/realms", "/resources"):
            assert f"location = {prefix} {{" in text, prefix


# ------------------------------------------------------------------ a real nginx in front of stand-in services


class _Backend(http.server.BaseHTTPRequestHandler):
    """Answers every request with who it is, the path and the forwarded-for header it received."""

    name = ""

    def do_GET(self) -> None:
        body = json.dumps({"backend": self.name, "path": self.path,
                           "forwarded_for": self.headers.get("X-Forwarded-For"),
                           "correlation_id": self.headers.get("X-Correlation-ID")}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _self_signed(directory: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "app.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "tls.crt", directory / "tls.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by `make ops-tools` (Debian nginx-light)"
    work = tmp_path_factory.mktemp("edge")
    servers = []
    env = dict(HOSTS)
    for name in UPSTREAMS:
        handler = type(f"{name}Backend", (_Backend,), {"name": name})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        env[f"{name.upper()}_UPSTREAM"] = f"127.0.0.1:{server.server_address[1]}"
    cert, key = _self_signed(work)
    ports = {"http": _free_port(), "https": _free_port()}
    (work / "logs").mkdir()
    shutil.copy(PROXY / "proxy_params.conf", work / "proxy_params.conf")
    env |= {"EDGE_HTTP_PORT": f"127.0.0.1:{ports['http']}", "EDGE_HTTPS_PORT": f"127.0.0.1:{ports['https']}",
            "EDGE_CONF_DIR": str(work), "EDGE_TLS_CERT_FILE": str(cert), "EDGE_TLS_KEY_FILE": str(key)}
    # What the nginx image's entrypoint does with templates: fill in the variables that are set, nothing else.
    rendered = string.Template(TEMPLATE.read_text(encoding="utf-8")).safe_substitute(env)
    (work / "debt.conf").write_text(rendered, encoding="utf-8")
    (work / "nginx.conf").write_text(
        f"daemon off; pid {work}/nginx.pid; error_log {work}/logs/error.log;\n"
        f"events {{}}\nhttp {{ access_log off; client_body_temp_path {work}; proxy_temp_path {work};\n"
        f"  include {work}/debt.conf; }}\n", encoding="utf-8")
    process = subprocess.Popen([nginx, "-p", str(work), "-c", str(work / "nginx.conf")],
                               stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", ports["https"]), timeout=0.2).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                threading.Event().wait(0.05)
        yield ports
    finally:
        process.terminate()
        process.wait(10)
        for server in servers:
            server.shutdown()


def _get(edge: dict[str, int], host: str, path: str, **headers: str) -> httpx.Response:
    return httpx.get(f"https://127.0.0.1:{edge['https']}{path}", headers={"Host": host, **headers},
                     verify=False, timeout=5)  # noqa: S501 - the test's own throwaway certificate


@pytest.mark.parametrize(("host", "path", "backend"), [
    ("app.test", "/", "registration"),
    ("app.test", "/register/online?x=1", "registration"),
    ("app.test", "/reports/dashboard", "reporting"),
    ("app.test", "/api/v1/receipts/sms", "notify"),
    ("id.test", "/signin", "identity"),
    ("sso.test", "/realms/debt/protocol/openid-connect/auth", "keycloak"),
])
def test_public_paths_reach_their_service(edge: dict[str, int], host: str, path: str, backend: str) -> None:
    answer = _get(edge, host, path)
    assert answer.status_code == 200
    assert answer.json()["backend"] == backend and answer.json()["path"] == path


@pytest.mark.parametrize("host", ["app.test", "id.test"])
@pytest.mark.parametrize("path", [*OPS_PATHS, "/docs/oauth2-redirect", "/dev/thaid", "/api/v1/contacts/abc",
                                  "/api/v1/staff-contacts/abc/activation-link",
                                  "/registers", "/metrics/"])
def test_ops_and_internal_paths_stop_at_the_edge(edge: dict[str, int], host: str, path: str) -> None:
    answer = _get(edge, host, path)
    assert answer.status_code == 404
    assert "backend" not in answer.text


def test_keycloak_admin_stays_inside(edge: dict[str, int]) -> None:
    for path in ("/admin/", "/admin/realms/debt/users", "/metrics"):
        assert _get(edge, "sso.test", path).status_code == 404


def test_the_services_see_the_client_not_a_forged_forwarded_for(edge: dict[str, int]) -> None:
    answer = _get(edge, "app.test", "/register", **{"X-Forwarded-For": "203.0.113.9"})
    assert answer.json()["forwarded_for"] == "127.0.0.1"


def test_plain_http_is_redirected_to_https(edge: dict[str, int]) -> None:
    answer = httpx.get(f"http://127.0.0.1:{edge['http']}/register", headers={"Host": "app.test"}, timeout=5)
    assert answer.status_code == 308 and answer.headers["location"] == "https://app.test/register"


def test_the_edge_makes_the_correlation_id(edge: dict[str, int]) -> None:
    first = _get(edge, "app.test", "/register", **{"X-Correlation-ID": "chosen-by-caller"}).json()
    second = _get(edge, "app.test", "/register").json()
    assert re.fullmatch(r"[0-9a-f]{32}", first["correlation_id"])
    assert first["correlation_id"] != second["correlation_id"]
