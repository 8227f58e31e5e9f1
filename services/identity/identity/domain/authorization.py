"""OAuth 2.0 authorization-code flow (RFC 6749, with RFC 7636 PKCE), as the ThaiD simulator runs it.

Plain rules, no I/O: which authorization requests are acceptable, and whether a code may be
exchanged. Codes themselves live in ``identity.adapters.code_store``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # BASE64URL(SHA-256) without padding
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
_STATE_MAX = 512


class AuthorizationError(ValueError):
    """An unacceptable authorization or token request; ``error`` is the OAuth error code."""

    def __init__(self, error: str, th: str, en: str) -> None:
        super().__init__(en)
        self.error, self.th, self.en = error, th, en


@dataclass(frozen=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    state: str
    code_challenge: str
    scope: str
    nonce: str | None = None


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def redirect_allowed(redirect_uri: str, allowed_hosts: Iterable[str]) -> bool:
    """Dev redirects go back to this machine only: ``http://<allowed host>[:port]/…``, nothing else."""
    try:
        parts = urlsplit(redirect_uri)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in set(allowed_hosts)
        and port_ok
        and not parts.username
        and not parts.password
        and not parts.fragment
    )


def parse_authorization_request(
    params: Mapping[str, str],
    allowed_hosts: Iterable[str],
    *,
    clients: Collection[str],
    pkce_required: bool = True,
) -> AuthorizationRequest:
    """An acceptable request from one of ``clients``. ``pkce_required=False`` is for a confidential client
    (Keycloak's ThaiD broker, which sends no PKCE); a challenge that is sent is still checked, and then bound
    to the code."""
    client_id = params.get("client_id", "")
    if client_id not in clients:
        raise AuthorizationError("unauthorized_client", "ไม่รู้จักแอปพลิเคชันที่ขอเข้าสู่ระบบ", "Unknown client_id")
    redirect_uri = params.get("redirect_uri", "")
    if not redirect_allowed(redirect_uri, allowed_hosts):
        raise AuthorizationError(
            "invalid_request", "ที่อยู่สำหรับส่งกลับ (redirect_uri) ไม่ได้รับอนุญาต", "redirect_uri is not allowed"
        )
    if params.get("response_type") != "code":
        raise AuthorizationError(
            "unsupported_response_type", "รองรับเฉพาะ response_type=code", "Only response_type=code"
        )
    pkce_sent = bool(params.get("code_challenge") or params.get("code_challenge_method"))
    if (pkce_required or pkce_sent) and (
        params.get("code_challenge_method") != "S256" or not _CHALLENGE.match(params.get("code_challenge", ""))
    ):
        raise AuthorizationError(
            "invalid_request", "ต้องใช้ PKCE แบบ S256", "PKCE with code_challenge_method=S256 is required"
        )
    state = params.get("state", "")
    if not state or len(state) > _STATE_MAX:
        raise AuthorizationError("invalid_request", "ต้องมีค่า state", "state is required (at most 512 characters)")
    nonce = params.get("nonce") or None
    if nonce is not None and len(nonce) > _STATE_MAX:
        raise AuthorizationError("invalid_request", "ค่า nonce ยาวเกินไป", "nonce is too long")
    return AuthorizationRequest(
        client_id=client_id,
        redirect_uri=redirect_uri,
        state=state,
        code_challenge=params.get("code_challenge", ""),
        scope=params.get("scope") or "openid",
        nonce=nonce,
    )


def redirect_with(redirect_uri: str, **params: str) -> str:
    separator = "&" if urlsplit(redirect_uri).query else "?"
    return redirect_uri + separator + urlencode(params)


def check_exchange(
    granted: AuthorizationRequest, *, client_id: str, redirect_uri: str, code_verifier: str
) -> None:
    """The token request must come from the same client, name the same redirect and prove PKCE."""
    if client_id != granted.client_id:
        raise AuthorizationError("invalid_grant", "รหัสนี้ออกให้แอปพลิเคชันอื่น", "code was issued to another client")
    if redirect_uri != granted.redirect_uri:
        raise AuthorizationError("invalid_grant", "redirect_uri ไม่ตรงกับที่ขอไว้", "redirect_uri does not match")
    if not granted.code_challenge:
        return  # only a client parsed with pkce_required=False gets here: it sent no challenge to prove
    if not _VERIFIER.match(code_verifier):
        raise AuthorizationError("invalid_grant", "code_verifier ไม่ถูกรูปแบบ", "malformed code_verifier")
    if not hmac.compare_digest(s256(code_verifier), granted.code_challenge):
        raise AuthorizationError("invalid_grant", "code_verifier ไม่ตรงกับ code_challenge", "PKCE verification failed")
