"""ID numbers sealed on the gate device (加密暂存): a typed or read ID number that must wait for the network never
sits on the device in clear.

The checkpoints publish a P-256 public key (``GET /checkpoints/sealing-key``, a JWK with ``alg:
ECDH-ES+A256GCM``). The device (WebCrypto) makes an ephemeral P-256 key pair per scan, derives a shared secret
with ECDH, turns it into an AES-256-GCM key with HKDF-SHA256 (empty salt, info ``sanmenxia scan id v1``) and
encrypts the ID number with the scan id as additional data, so a sealed number cannot be replayed under another
scan. It then forgets the ephemeral private key; only the server can open the result.

A sealed value is one string of four base64url parts: ``<kid>.<ephemeral public key, 65-byte uncompressed
point>.<12-byte IV>.<ciphertext and tag>``.

The private key is derived (HKDF) from a Secrets Manager secret (``ScanSealingSecret``), like the health-code
signing key: the template's ``GenerateSecretString`` creates it and a rotation keeps ``AWSPREVIOUS`` able to
open what devices sealed before it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from sanmenxia.errors import InvalidInput, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

ALGORITHM = "ECDH-ES+A256GCM"
_KEY_INFO = b"sanmenxia scan sealing key v1"
_SEAL_INFO = b"sanmenxia scan id v1"
#: Order of the P-256 group: a derived scalar is reduced into [1, n - 1].
_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
FIELD = "sealed_id_number"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput("the sealed ID number is not base64url", field=FIELD) from exc


def _coordinate(value: int) -> str:
    return _b64(value.to_bytes(32, "big"))


@dataclass(frozen=True)
class SealingKey:
    private: ec.EllipticCurvePrivateKey
    kid: str

    def public_jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _coordinate(numbers.x), "y": _coordinate(numbers.y), "kid": self.kid, "alg": ALGORITHM, "use": "enc"}

    def open(self, ephemeral: bytes, iv: bytes, ciphertext: bytes, scan_id: str) -> str:
        try:
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), ephemeral)
        except ValueError as exc:
            raise InvalidInput("the sealed ID number has a bad ephemeral key", field=FIELD) from exc
        shared = self.private.exchange(ec.ECDH(), public)
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"", info=_SEAL_INFO).derive(shared)
        try:
            clear = AESGCM(key).decrypt(iv, ciphertext, scan_id.encode())
        except (InvalidTag, ValueError) as exc:
            raise InvalidInput("the sealed ID number does not open with this scan id", field=FIELD) from exc
        return clear.decode("ascii", errors="replace")


def sealing_key_from_secret(secret: str | bytes) -> SealingKey:
    """Derive the P-256 sealing key from a secret string (HKDF-SHA256; at least 32 characters)."""
    material = secret.encode() if isinstance(secret, str) else secret
    if len(material) < 32:
        raise ValueError("the sealing secret must have at least 32 characters")
    wide = HKDF(algorithm=hashes.SHA256(), length=48, salt=None, info=_KEY_INFO).derive(material)
    private = ec.derive_private_key(int.from_bytes(wide, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": _coordinate(numbers.x), "y": _coordinate(numbers.y)}, separators=(",", ":"), sort_keys=True)
    return SealingKey(private, _b64(hashlib.sha256(canonical.encode()).digest())[:16])


def open_sealed(keys: list[SealingKey], sealed: str, scan_id: str) -> str:
    """The clear ID number inside ``sealed`` (made for ``scan_id``); 400 naming ``sealed_id_number`` otherwise."""
    parts = sealed.split(".")
    if len(parts) != 4:
        raise InvalidInput("a sealed ID number has four parts: kid.key.iv.ciphertext", field=FIELD)
    kid, ephemeral, iv, ciphertext = parts
    key = next((key for key in keys if key.kid == kid), None)
    if key is None:
        raise InvalidInput("the sealed ID number was made for an unknown key; fetch the sealing key again", field=FIELD)
    return key.open(_unb64(ephemeral), _unb64(iv), _unb64(ciphertext), scan_id)


class SealingKeys:
    """The sealing key pair from the Secrets Manager secret (``AWSCURRENT`` seals, ``AWSPREVIOUS`` still opens)."""

    def __init__(self, secretsmanager: SecretsManagerClient, secret_arn: str, refresh_seconds: float = 600.0) -> None:
        self._sm = secretsmanager
        self._arn = secret_arn
        self._refresh = refresh_seconds
        self._loaded_at = -1e18
        self._keys: list[SealingKey] = []

    def _read(self, stage: str) -> str | None:
        try:
            return str(self._sm.get_secret_value(SecretId=self._arn, VersionStage=stage)["SecretString"])
        except ClientError as exc:
            if stage == "AWSCURRENT":
                raise UpstreamUnavailable("could not read the scan sealing key") from exc
            return None

    def all(self) -> list[SealingKey]:
        if not self._keys or time.monotonic() - self._loaded_at > self._refresh:
            secrets = [secret for secret in (self._read("AWSCURRENT"), self._read("AWSPREVIOUS")) if secret]
            self._keys = [sealing_key_from_secret(secret) for secret in secrets]
            self._loaded_at = time.monotonic()
        return self._keys

    def current(self) -> SealingKey:
        return self.all()[0]

    def open(self, sealed: str, scan_id: str) -> str:
        return open_sealed(self.all(), sealed, scan_id)
