"""Personal data at rest: HMAC look-up keys and envelope encryption.

* A look-up key is ``HMAC-SHA256(secret, kind:value)``: equal inputs give equal keys, so an ID number or a
  phone can be found (registration uniqueness, checkpoint ID entry, carrier lists) without being stored.
* Clear values (ID number, name, phone, address) are sealed with AES-256-GCM under a KMS data key; the
  encrypted data key travels with the ciphertext. Data keys are cached per container (bounded by age and
  use count, as the AWS Encryption SDK's caching manager does) so a request costs no KMS call when warm.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

_PREFIX = "v1:"


def lookup_key(secret: bytes, kind: str, value: str) -> str:
    """Deterministic, keyed, non-reversible key for finding a record by ``value`` (e.g. kind="idn")."""
    digest = hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:20]).decode().rstrip("=").lower()


def digest(value: str) -> str:
    """Unkeyed SHA-256 digest for audit before/after fingerprints (inputs here hold no clear PII)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


@dataclass
class _DataKey:
    plaintext: bytes
    encrypted: bytes
    created: float
    uses: int = 0


@dataclass
class Vault:
    """Seals and opens personal fields. ``kms`` is a boto3 KMS client; ``key_id`` the CMK's id or ARN."""

    kms: KMSClient
    key_id: str
    max_age_seconds: float = 300.0
    max_uses: int = 10_000
    _current: _DataKey | None = None
    _opened: OrderedDict[bytes, bytes] = field(default_factory=OrderedDict)

    def _data_key(self) -> _DataKey:
        current = self._current
        if current is None or current.uses >= self.max_uses or time.monotonic() - current.created > self.max_age_seconds:
            try:
                response = self.kms.generate_data_key(KeyId=self.key_id, KeySpec="AES_256")
            except Exception as exc:  # botocore ClientError or connection errors
                raise UpstreamUnavailable("key service unavailable") from exc
            current = _DataKey(response["Plaintext"], response["CiphertextBlob"], time.monotonic())
            self._current = current
            self._remember(current.encrypted, current.plaintext)
        current.uses += 1
        return current

    def _remember(self, encrypted: bytes, plaintext: bytes) -> None:
        self._opened[encrypted] = plaintext
        self._opened.move_to_end(encrypted)
        while len(self._opened) > 256:
            self._opened.popitem(last=False)

    def _plaintext_key(self, encrypted: bytes) -> bytes:
        key = self._opened.get(encrypted)
        if key is None:
            try:
                key = self.kms.decrypt(CiphertextBlob=encrypted, KeyId=self.key_id)["Plaintext"]
            except Exception as exc:
                raise UpstreamUnavailable("key service unavailable") from exc
            self._remember(encrypted, key)
        return key

    def seal(self, purpose: str, value: str) -> str:
        """Encrypt ``value``; ``purpose`` (e.g. "name") is bound as associated data."""
        key = self._data_key()
        nonce = os.urandom(12)
        sealed = AESGCM(key.plaintext).encrypt(nonce, value.encode(), purpose.encode())
        blob = struct.pack(">H", len(key.encrypted)) + key.encrypted + nonce + sealed
        return _PREFIX + base64.urlsafe_b64encode(blob).decode()

    def open(self, purpose: str, sealed: str) -> str:
        """Decrypt what ``seal`` produced for the same ``purpose``."""
        if not sealed.startswith(_PREFIX):
            raise ValueError("not a sealed value")
        blob = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
        (length,) = struct.unpack(">H", blob[:2])
        encrypted, nonce, body = blob[2 : 2 + length], blob[2 + length : 14 + length], blob[14 + length :]
        return AESGCM(self._plaintext_key(encrypted)).decrypt(nonce, body, purpose.encode()).decode()
