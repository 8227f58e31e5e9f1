"""The registration export client: reads a whole export with the service's own token, refuses a cut or refused one."""

from __future__ import annotations

import json

import httpx
import pytest

from reporting.reconcile.client import ClientCredentials, ExportFailed, RegistrationExport

from .reconcile_fakes import stories


def ndjson(*values: object) -> bytes:
    return b"".join(json.dumps(v).encode() + b"\n" for v in values)


def transport(export_body: bytes, status: int = 200, seen: list[httpx.Request] | None = None) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        (seen if seen is not None else []).append(request)
        if request.url.path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json={"token_endpoint": "http://kc/realms/debt/token"})
        if request.url.path == "/realms/debt/token":
            assert request.headers["authorization"].startswith("Basic ")
            assert b"grant_type=client_credentials" in request.content
            return httpx.Response(200, json={"access_token": "service-token", "expires_in": 300})
        assert request.headers["authorization"] == "Bearer service-token"
        return httpx.Response(status, content=export_body)
    return httpx.MockTransport(answer)


def client(body: bytes, status: int = 200, seen: list[httpx.Request] | None = None) -> RegistrationExport:
    mock = transport(body, status, seen)
    credentials = ClientCredentials("http://kc/realms/debt", "debt-reporting", "secret", transport=mock)
    return RegistrationExport("http://registration:8001/", credentials, transport=mock)


def test_the_client_reads_a_whole_export_with_the_services_own_token() -> None:
    line = stories()[0].line()
    seen: list[httpx.Request] = []
    export = client(ndjson({"kind": "export", "version": 1, "as_of": "x"}, line, line, {"kind": "end", "cases": 2}),
                    seen=seen)
    assert list(export.lines()) == [line, line]
    assert list(export.lines()) == [line, line]  # the token is kept: one discovery and token request in all
    assert [r.url.path for r in seen] == ["/realms/debt/.well-known/openid-configuration", "/realms/debt/token",
                                          "/api/v1/figures/cases", "/api/v1/figures/cases"]


@pytest.mark.parametrize(("body", "status", "message"), [
    (ndjson({"kind": "export", "version": 1}, {"kind": "case"}), 200, "cut short after 1 cases"),
    (ndjson({"kind": "export", "version": 1}, {"kind": "end", "cases": 3}), 200, "cut short after 0 cases"),
    (ndjson({"kind": "case"}), 200, "does not start with its head line"),
    (b"", 200, "does not start with its head line"),
    (b'{"detail": {}}', 403, "HTTP 403"),
])
def test_the_client_refuses_an_export_that_is_not_whole(body: bytes, status: int, message: str) -> None:
    with pytest.raises(ExportFailed, match=message):
        list(client(body, status).lines())
