"""The published key set (JWKS in Parameter Store): written only when a key id is missing, read once per
container and again only for a key id the cache does not know."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from sanmenxia.healthcode import tokens
from sanmenxia.healthcode.store import PublishedKeySet

OLD = tokens.signing_key_from_secret("old-" + "o" * 44)
NEW = tokens.signing_key_from_secret("new-" + "n" * 44)


class CountingSsm:
    def __init__(self) -> None:
        self.value: str | None = None
        self.gets = 0
        self.puts = 0

    def get_parameter(self, Name: str) -> dict[str, Any]:
        self.gets += 1
        if self.value is None:
            raise ClientError({"Error": {"Code": "ParameterNotFound", "Message": "none"}}, "GetParameter")
        return {"Parameter": {"Name": Name, "Value": self.value}}

    def put_parameter(self, Name: str, Value: str, **_: Any) -> dict[str, Any]:
        self.puts += 1
        self.value = Value
        return {}


def test_a_cold_container_does_not_rewrite_keys_already_published() -> None:
    # Given a parameter that already holds the current key (another container published it)
    ssm = CountingSsm()
    PublishedKeySet(ssm, "jwks").publish([OLD])
    assert ssm.puts == 1
    # When a fresh container publishes the same keys, twice
    cold = PublishedKeySet(ssm, "jwks")
    cold.publish([OLD])
    cold.publish([OLD])
    # Then it read the parameter once and wrote nothing
    assert ssm.puts == 1
    assert ssm.gets == 2


def test_a_new_key_is_written_before_use() -> None:
    ssm = CountingSsm()
    keys = PublishedKeySet(ssm, "jwks")
    keys.publish([OLD])
    keys.publish([NEW, OLD])
    assert ssm.puts == 2
    assert {key["kid"] for key in PublishedKeySet(ssm, "jwks").get()["keys"]} == {NEW.kid, OLD.kid}


def test_verifiers_read_once_and_refresh_at_most_once_per_retry_interval() -> None:
    ssm = CountingSsm()
    PublishedKeySet(ssm, "jwks").publish([OLD])
    reads = ssm.gets
    verifier = PublishedKeySet(ssm, "jwks", retry_seconds=3600)
    for _ in range(100):
        verifier.get()
    assert ssm.gets == reads + 1
    # A refresh right after the read is answered from the cache (a flood of unknown key ids costs nothing)
    verifier.refresh()
    assert ssm.gets == reads + 1
    eager = PublishedKeySet(ssm, "jwks", retry_seconds=0)
    eager.get()
    PublishedKeySet(ssm, "jwks").publish([NEW, OLD])
    assert {key["kid"] for key in eager.refresh()["keys"]} == {NEW.kid, OLD.kid}
