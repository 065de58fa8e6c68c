"""boto3 clients, built lazily and cached per service.

The endpoint comes from boto3's own ``AWS_ENDPOINT_URL`` (the local stack points it at moto), so nothing
here knows whether it runs in AWS or on a laptop. Tests call ``reset()`` between moto contexts.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10)


@functools.cache
def _session() -> boto3.session.Session:
    return boto3.session.Session()


@functools.cache
def client(service: str) -> Any:
    """A cached low-level client for ``service``."""
    return _session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset() -> None:
    """Forget cached clients (tests, after switching moto contexts)."""
    client.cache_clear()
    _session.cache_clear()
