"""Forged bearer tokens (issue 8): every JWS algorithm, foreign keys, keys embedded in the header, and
missing, wrong, expired or not-yet-valid claims. A token is signed by hand (header and payload exactly as
given), so a forgery can say anything a real attacker's could; ``test_forged_tokens.py`` sends them."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI
from jwt.algorithms import get_default_algorithms
from jwt.utils import base64url_encode

ALGORITHMS = get_default_algorithms()


def sign(header: dict[str, Any], payload: dict[str, Any], key: Any) -> str:
    """A compact JWS of exactly ``header`` and ``payload``; ``key`` None leaves the signature empty (alg none)."""
    parts = [base64url_encode(json.dumps(part, separators=(",", ":")).encode()) for part in (header, payload)]
    signing_input = b".".join(parts)
    signature = b"" if key is None else ALGORITHMS[header["alg"]].sign(signing_input, key)
    return b".".join([signing_input, base64url_encode(signature)]).decode()


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = ALGORITHMS[alg]
    jwk: dict[str, Any] = json.loads(algorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


@dataclass(frozen=True)
class Keys:
    """The trusted issuer's RSA key, and keys nobody trusts."""

    trusted: rsa.RSAPrivateKey
    kid: str
    foreign_rsa: rsa.RSAPrivateKey
    foreign_ec: dict[str, ec.EllipticCurvePrivateKey]
    foreign_ed: ed25519.Ed25519PrivateKey

    @classmethod
    def make(cls, kid: str = "trusted-1") -> Keys:
        curves = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
        return cls(rsa.generate_private_key(65537, 2048), kid, rsa.generate_private_key(65537, 2048),
                   {alg: ec.generate_private_key(curve) for alg, curve in curves.items()},
                   ed25519.Ed25519PrivateKey.generate())

    def public_pem(self) -> bytes:
        return self.trusted.public_key().public_bytes(serialization.Encoding.PEM,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)


def issuer_app(keys: Keys, issuer: Callable[[], str]) -> FastAPI:
    """A minimal OIDC issuer: discovery and a JWKS with the trusted key; ``/foreign-jwks`` publishes the
    foreign key, as an attacker's ``jku``/``x5u`` would."""
    app = FastAPI()

    @app.get("/.well-known/openid-configuration")
    def discovery() -> dict[str, str]:
        return {"issuer": issuer(), "jwks_uri": issuer() + "/jwks"}

    @app.get("/jwks")
    def jwks() -> dict[str, Any]:
        return {"keys": [public_jwk(keys.trusted, keys.kid, "RS256")]}

    @app.get("/foreign-jwks")
    def foreign_jwks() -> dict[str, Any]:
        return {"keys": [public_jwk(keys.foreign_rsa, "foreign", "RS256")]}

    return app


def claims(issuer: str, audience: str = "debt-services", **changes: Any) -> dict[str, Any]:
    """A DOPA admin's claims in the production shape; a change to None removes the claim."""
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": "forged-admin", "iat": now, "exp": now + 300,
               "realm_access": {"roles": ["dopa_admin"]}, "unit_code": "00", "unit_kind": "nation"}
    payload.update(changes)
    return {k: v for k, v in payload.items() if v is not None}


def forgeries(keys: Keys, issuer: str) -> dict[str, str]:
    """Every forged token by name. All are signed with the trusted key where the forgery is about claims,
    so only the claim can be why it is refused."""
    ok = claims(issuer)
    kid, pem = keys.kid, keys.public_pem()
    rs = {"alg": "RS256", "typ": "JWT", "kid": kid}
    now = int(time.time())
    foreign_jwk = public_jwk(keys.foreign_rsa, "foreign", "RS256")
    tokens = {
        "alg none": sign({"alg": "none", "kid": kid}, ok, None),
        "alg None (case)": sign({"alg": "None", "kid": kid}, ok, None),
        "no alg": sign({"kid": kid}, ok, None),
        **{f"{alg} with the public key as secret": sign({"alg": alg, "kid": kid}, ok, pem)
           for alg in ("HS256", "HS384", "HS512")},
        "HS256 with the JWK's modulus as secret": sign({"alg": "HS256", "kid": kid}, ok,
                                                       public_jwk(keys.trusted, kid, "RS256")["n"].encode()),
        **{f"{alg} by the trusted key": sign({"alg": alg, "kid": kid}, ok, keys.trusted)
           for alg in ("RS384", "RS512", "PS256", "PS384", "PS512")},
        "RS256 by a foreign key, trusted kid": sign(rs, ok, keys.foreign_rsa),
        "RS256 by a foreign key, unknown kid": sign({**rs, "kid": "foreign"}, ok, keys.foreign_rsa),
        "RS256 by a foreign key, no kid": sign({"alg": "RS256"}, ok, keys.foreign_rsa),
        **{f"{alg} by a foreign key, trusted kid": sign({"alg": alg, "kid": kid}, ok, key)
           for alg, key in keys.foreign_ec.items()},
        "EdDSA by a foreign key, trusted kid": sign({"alg": "EdDSA", "kid": kid}, ok, keys.foreign_ed),
        "embedded jwk (foreign)": sign({"alg": "RS256", "jwk": foreign_jwk}, ok, keys.foreign_rsa),
        "embedded jwk with trusted kid": sign({**rs, "jwk": foreign_jwk}, ok, keys.foreign_rsa),
        "jku to a foreign JWKS": sign({"alg": "RS256", "kid": "foreign", "jku": issuer + "/foreign-jwks"}, ok,
                                      keys.foreign_rsa),
        "x5u to a foreign key": sign({"alg": "RS256", "kid": "foreign", "x5u": issuer + "/foreign-jwks"}, ok,
                                     keys.foreign_rsa),
        "x5c with a made-up chain": sign({**rs, "x5c": ["MIIBfake"]}, ok, keys.foreign_rsa),
        "jku with the trusted key's signature": sign({**rs, "jku": issuer + "/foreign-jwks"}, ok, keys.trusted),
        "crit header": sign({**rs, "crit": ["exp"]}, ok, keys.trusted),
        "tampered payload": sign(rs, ok, keys.trusted).rsplit(".", 2)[0] + "."
        + base64url_encode(json.dumps({**ok, "sub": "someone-else"}).encode()).decode() + "."
        + sign(rs, ok, keys.trusted).rsplit(".", 1)[1],
        "not a JWT": "not-a-token",
        "garbage segments": "e30.e30.!!!",
        "header not JSON": base64url_encode(b"[1,2]").decode() + ".e30.",
    }
    for claim in ("iss", "aud", "sub", "exp", "iat"):
        tokens[f"missing {claim}"] = sign(rs, claims(issuer, **{claim: None}), keys.trusted)
    tokens |= {
        "wrong iss": sign(rs, claims("https://evil.example/realms/debt"), keys.trusted),
        "iss with a trailing slash": sign(rs, claims(issuer + "/"), keys.trusted),
        "wrong aud": sign(rs, claims(issuer, audience="another-service"), keys.trusted),
        "aud as a list without ours": sign(rs, claims(issuer, audience=["account", "x"]), keys.trusted),
        "sub not a string": sign(rs, claims(issuer, sub=12345), keys.trusted),
        "exp not a number": sign(rs, claims(issuer, exp="tomorrow"), keys.trusted),
        "expired": sign(rs, claims(issuer, iat=now - 900, exp=now - 600), keys.trusted),
        "not yet valid (nbf)": sign(rs, claims(issuer, nbf=now + 600), keys.trusted),
        "issued in the future (iat)": sign(rs, claims(issuer, iat=now + 600, exp=now + 900), keys.trusted),
        "roles of the wrong shape": sign(rs, claims(issuer, realm_access=["dopa_admin"]), keys.trusted),
        "citizen_id of the wrong shape": sign(rs, claims(issuer, citizen_id={"$ne": ""}), keys.trusted),
    }
    return tokens


def genuine(keys: Keys, issuer: str) -> str:
    """The control: what the trusted issuer would sign. Accepted, so every refusal above is the forgery's."""
    return sign({"alg": "RS256", "typ": "JWT", "kid": keys.kid}, claims(issuer), keys.trusted)
