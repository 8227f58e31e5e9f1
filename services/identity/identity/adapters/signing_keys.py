"""RSA signing keys of the ThaiD simulator (ENV=dev), kept on disk so its id_tokens verify across a restart.

``rotate`` adds a new current key and keeps the previous ones in the JWKS, as Keycloak does, so
tokens signed before a rotation stay valid until they expire.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}


class KeyRing:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.keys: list[SigningKey] = []

    def load_or_create(self) -> KeyRing:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        for path in sorted(self.directory.glob("signing-*.pem")):
            private = serialization.load_pem_private_key(path.read_bytes(), password=None)
            assert isinstance(private, rsa.RSAPrivateKey)
            self.keys.append(SigningKey(kid=path.stem.removeprefix("signing-"), private=private))
        if not self.keys:
            self.rotate()
        return self

    def rotate(self) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        kid = f"{len(self.keys) + 1:04d}"
        path = self.directory / f"signing-{kid}.pem"
        pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
        key = SigningKey(kid=kid, private=private)
        self.keys.append(key)
        return key

    @property
    def current(self) -> SigningKey:
        return self.keys[-1]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys]}
