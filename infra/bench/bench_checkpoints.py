"""Benchmark: the checkpoint scan handler, warm, with AWS calls stubbed, and offline token verification.

* Warm ``POST /checkpoints/{id}/scans`` through the real Lambda handler (routing, validation, token
  verification, registry look-up, decision, transaction building) with in-memory stand-ins for DynamoDB,
  KMS, Secrets Manager and SQS, so what is timed is the platform's own code. The stand-in counts every AWS
  operation, so the cost of a scan is shown as operations and items written, not as moto's speed.
* Offline verifications per second: ``verify_token`` as a gate device runs it with a fetched JWKS.

Run: ``make bench`` (or ``python -m infra.bench.bench_checkpoints``). Times vary on a shared machine.
"""

from __future__ import annotations

import collections
import contextlib
import importlib.util
import io
import json
import os
import re
import statistics
import sys
import time
import uuid
import warnings
from datetime import date, timedelta
from typing import Any

from botocore.exceptions import ClientError

from infra.bench.fakes import FakeKms
from infra.local import events
from infra.local import template as tpl
from sanmenxia import aws, clock, services
from sanmenxia.checkpoints.records import Checkpoint, Location
from sanmenxia.checkpoints.rules import CheckpointKind
from sanmenxia.healthcode import tokens
from sanmenxia.holds import CodeColor
from sanmenxia.idnumber import make_id_number
from sanmenxia.people import NewPerson

SIGNING_SECRET = "bench-signing-secret-" + "s" * 48
CHECKPOINT = "cp-bench-1"
STAFF = {"sub": "sub-gate", "cognito:username": "gate", "cognito:groups": "checkpoint_staff", "custom:checkpoint_id": CHECKPOINT}


def _key(item: dict[str, Any], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(str(next(iter(item[name].values()))) for name in names)


class StubDynamoDB:
    """Just enough DynamoDB for a scan: conditional puts, ADD updates, batch gets, partition queries."""

    def __init__(self, keys: dict[str, tuple[str, ...]]) -> None:
        self.keys = keys
        self.tables: dict[str, dict[tuple[str, ...], dict[str, Any]]] = {name: {} for name in keys}
        self.ops: collections.Counter[str] = collections.Counter()
        self.items_written = 0

    def _exists(self, table: str, key: dict[str, Any]) -> bool:
        return _key(key, self.keys[table]) in self.tables[table]

    def _put(self, table: str, item: dict[str, Any]) -> None:
        self.tables[table][_key(item, self.keys[table])] = item
        self.items_written += 1

    def _update(self, table: str, update: dict[str, Any]) -> None:
        """Apply an update expression of the forms the stores write: ``SET a = :v``, ``SET a = if_not_exists(a, :v)``,
        ``ADD n :v`` and ``REMOVE a`` (names through ``ExpressionAttributeNames``)."""
        key, values = update["Key"], update.get("ExpressionAttributeValues", {})
        names = update.get("ExpressionAttributeNames", {})
        item = self.tables[table].setdefault(_key(key, self.keys[table]), dict(key))
        clauses = re.split(r"\b(SET|ADD|REMOVE)\b", update.get("UpdateExpression", ""))
        for verb, body in zip(clauses[1::2], clauses[2::2], strict=True):
            for part in (p.strip() for p in re.split(r",(?![^()]*\))", body) if p.strip()):
                if verb == "REMOVE":
                    item.pop(names.get(part, part), None)
                elif verb == "ADD":
                    name, value = part.split()
                    field = names.get(name, name)
                    item[field] = {"N": str(int(item.get(field, {"N": "0"})["N"]) + int(values[value]["N"]))}
                else:
                    name, expression = (side.strip() for side in part.split("=", 1))
                    field = names.get(name, name)
                    keep = expression.startswith("if_not_exists") and field in item
                    if not keep:
                        item[field] = values[expression.rstrip(")").split(",")[-1].strip()]
        self.items_written += 1

    def get_item(self, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.ops["GetItem"] += 1
        found = self.tables[TableName].get(_key(Key, self.keys[TableName]))
        return {"Item": found} if found else {}

    def put_item(self, TableName: str, Item: dict[str, Any], ConditionExpression: str | None = None, **_: Any) -> dict[str, Any]:
        self.ops["PutItem"] += 1
        self._put(TableName, Item)
        return {}

    def update_item(self, TableName: str, **update: Any) -> dict[str, Any]:
        self.ops["UpdateItem"] += 1
        self._update(TableName, update)
        return {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        self.ops["BatchGetItem"] += 1
        responses = {}
        for table, request in RequestItems.items():
            responses[table] = [self.tables[table][k] for k in (_key(key, self.keys[table]) for key in request["Keys"]) if k in self.tables[table]]
        return {"Responses": responses, "UnprocessedKeys": {}}

    def transact_write_items(self, TransactItems: list[dict[str, Any]], ClientRequestToken: str = "") -> dict[str, Any]:
        self.ops["TransactWriteItems"] += 1
        reasons = []
        for entry in TransactItems:
            put = entry.get("Put")
            failed = bool(put and put.get("ConditionExpression", "").startswith("attribute_not_exists") and self._exists(put["TableName"], put["Item"]))
            reasons.append({"Code": "ConditionalCheckFailed" if failed else "None"})
        if any(reason["Code"] != "None" for reason in reasons):
            error = {"Error": {"Code": "TransactionCanceledException", "Message": "cancelled"}, "CancellationReasons": reasons}
            raise ClientError(error, "TransactWriteItems")  # type: ignore[arg-type]
        for entry in TransactItems:
            if "Put" in entry:
                self._put(entry["Put"]["TableName"], entry["Put"]["Item"])
            elif "Update" in entry:
                self._update(entry["Update"]["TableName"], entry["Update"])
        return {}

    def query(self, TableName: str, ExpressionAttributeValues: dict[str, Any], **_: Any) -> dict[str, Any]:
        self.ops["Query"] += 1
        wanted = next(iter(ExpressionAttributeValues.values()))
        first = self.keys[TableName][0]
        return {"Items": [item for item in self.tables[TableName].values() if item.get(first) == wanted]}


class StubSecrets:
    def get_secret_value(self, SecretId: str, VersionStage: str | None = None) -> dict[str, str]:
        if SecretId == "signing" and VersionStage == "AWSPREVIOUS":
            raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no previous"}}, "GetSecretValue")
        return {"SecretString": SIGNING_SECRET if SecretId == "signing" else "bench-lookup-secret-" + "l" * 40}


class StubSsm:
    """The published verification keys (JWKS) the health-code function would have written."""

    def get_parameter(self, Name: str) -> dict[str, Any]:
        document = tokens.jwks([tokens.signing_key_from_secret(SIGNING_SECRET)])
        return {"Parameter": {"Name": Name, "Value": json.dumps(document)}}


class StubSqs:
    def __init__(self) -> None:
        self.sent = 0

    def send_message(self, QueueUrl: str, MessageBody: str) -> dict[str, str]:
        self.sent += 1
        return {"MessageId": str(self.sent)}


class Context:
    function_name, memory_limit_in_mb, aws_request_id = "bench", 512, "bench"
    invoked_function_arn = "arn:aws:lambda:ap-east-1:123456789012:function:bench"


def _load_function() -> Any:
    spec = importlib.util.spec_from_file_location("_bench_checkpoints", tpl.code_dir("CheckpointsFunction") / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_bench_checkpoints"] = module
    spec.loader.exec_module(module)
    return module


def _setup(people: int) -> tuple[Any, StubDynamoDB, StubSqs, list[tuple[str, str]]]:
    os.environ.update(
        CHECKPOINTS_TABLE="Checkpoints",
        SCANS_TABLE="Scans",
        CHECKPOINT_STATS_TABLE="Stats",
        PEOPLE_TABLE="People",
        HOLDS_TABLE="Holds",
        AUDIT_TABLE="Audit",
        HEALTH_CODE_TABLE="HealthCodes",
        HEALTH_CODE_JWKS_PARAMETER="jwks",
        PII_KEY_ID="key",
        LOOKUP_SECRET_ARN="lookup",
        USER_POOL_ID="pool",
        KEY_PERSON_QUEUE_URL="queue",
        SCAN_SEALING_SECRET_ARN="sealing",  # read only for a sealed ID number, which no benchmarked scan carries
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_METRICS_NAMESPACE="bench",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_SERVICE_NAME="checkpoints",
    )
    dynamodb = StubDynamoDB(
        {
            "Checkpoints": ("pk", "sk"),
            "Scans": ("scan_key",),
            "Stats": ("pk", "sk"),
            "People": ("pk",),
            "Holds": ("person_id", "hold_key"),
            "Audit": ("target", "sk"),
            "HealthCodes": ("person_id", "sk"),
        }
    )
    sqs = StubSqs()
    fakes: dict[str, Any] = {"dynamodb": dynamodb, "kms": FakeKms(), "secretsmanager": StubSecrets(), "sqs": sqs, "ssm": StubSsm()}
    services.reset()
    aws.client = lambda service: fakes[service]  # type: ignore[assignment]
    module = _load_function()
    config = module.settings()
    now = clock.iso()
    checkpoint = Checkpoint(
        CHECKPOINT,
        "湖滨社区北门",
        CheckpointKind.RESIDENTIAL_COMPOUND,
        "411202",
        "411202-001",
        ("北门",),
        Location(34.78, 111.19, "黄河路"),
        True,
        "bench",
        now,
        now,
    )
    dynamodb._put("Checkpoints", checkpoint.item())
    registry = services.people(config)
    codes = module.health_codes()
    residents = []
    for index in range(people):
        id_number = make_id_number("411202", date(1960, 1, 1) + timedelta(days=index * 7), index % 1000)
        person = registry.register(f"sub-{index}", NewPerson("张三", id_number, "411202", "411202-001", "前进路1号"))
        codes.apply(person.person_id, county_code="411202", community_id="411202-001", applied_by="bench", declared_fever=False, declared_isolation=False)
        residents.append((person.person_id, id_number))
    return module, dynamodb, sqs, residents


def _event(body: dict[str, Any]) -> dict[str, Any]:
    return events.api_event(
        "POST",
        f"/checkpoints/{CHECKPOINT}/scans",
        resource="/checkpoints/{checkpoint_id}/scans",
        path_parameters={"checkpoint_id": CHECKPOINT},
        body=json.dumps(body),
        headers={"Content-Type": "application/json"},
        claims=STAFF,
    )


def warm_scans(iterations: int = 1000) -> None:
    module, dynamodb, sqs, residents = _setup(iterations)
    handler = module.lambda_handler
    key = tokens.signing_key_from_secret(SIGNING_SECRET)

    def run(label: str, make_body: Any, expected: int = 201) -> None:
        with contextlib.redirect_stdout(io.StringIO()):  # the handler's metrics go to stdout, as in Lambda
            handler(_event(make_body(-1)), Context())  # warm the path once
            dynamodb.ops.clear()
            written_before = dynamodb.items_written
            samples = []
            for index in range(iterations):
                event = _event(make_body(index))
                started = time.perf_counter()
                result = handler(event, Context())
                samples.append(time.perf_counter() - started)
                assert result["statusCode"] == expected, result["body"]
        samples.sort()
        mean = statistics.fmean(samples)
        p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95)]
        ops = ", ".join(f"{name} {count / iterations:.2f}" for name, count in sorted(dynamodb.ops.items()))
        written = (dynamodb.items_written - written_before) / iterations
        print(f"  {label:<42} mean {1e6 * mean:6.0f} µs  p50 {1e6 * p50:6.0f} µs  p95 {1e6 * p95:6.0f} µs  ({1 / mean:,.0f}/s)")
        print(f"  {'':<42} AWS operations per scan: {ops or 'none'}; items written {written:.1f}")

    def qr(index: int) -> dict[str, Any]:
        person_id, _ = residents[index % len(residents)]
        token = tokens.issue_token(key, person_id, CodeColor.GREEN, now=clock.now(), ttl=timedelta(minutes=5))
        return {"scan_id": uuid.uuid4().hex, "method": "qr", "token": token, "temperature": 36.5, "direction": "in" if index % 2 else "out"}

    def typed(index: int) -> dict[str, Any]:
        _, id_number = residents[index % len(residents)]
        return {"scan_id": uuid.uuid4().hex, "method": "typed", "id_number": id_number, "temperature": 36.6, "direction": "in"}

    fixed = uuid.uuid4().hex
    print(f"Warm scan handler, AWS calls stubbed ({iterations} scans each, one per resident):")
    run("QR token, green, first visit of the day", qr)
    run("typed ID number (code read), repeat visit", typed)
    run("same scan id again (duplicate)", lambda i: {**typed(0), "scan_id": fixed})
    run("fever 38.5 (hold + key-person candidate)", lambda i: {**qr(i), "temperature": 38.5})
    run("bad token (422)", lambda i: {**qr(i), "token": qr(i)["token"][:-4] + "AAAA"}, 422)
    print(f"  key-person candidates sent: {sqs.sent}")


def offline_verifications(count: int = 20000) -> None:
    key = tokens.signing_key_from_secret(SIGNING_SECRET)
    keys = tokens.jwks([key, tokens.signing_key_from_secret("previous-" + "p" * 40)])
    now = clock.now()
    batch = [tokens.issue_token(key, f"{index:024x}", CodeColor.GREEN, now=now, ttl=timedelta(minutes=5)) for index in range(1000)]
    started = time.perf_counter()
    for index in range(count):
        tokens.verify_token(batch[index % len(batch)], keys, now)
    elapsed = time.perf_counter() - started
    print(f"Offline token verification (Ed25519, JWKS with 2 keys, one core): {count / elapsed:,.0f} verifications/s ({1e6 * elapsed / count:.0f} µs each)")


if __name__ == "__main__":
    warnings.filterwarnings("ignore", message="No application metrics")
    warm_scans()
    offline_verifications()
