"""DynamoDB TTL and S3 lifecycle rules, applied locally by the virtual clock (moto applies neither).

Read from ``template.yaml``: every table with an enabled ``TimeToLiveSpecification`` and every bucket rule with
``ExpirationInDays`` (its ``Prefix``, a parameter such as ``PersonalRecordDays`` at its default). ``sweep(now)``
runs as each day is advanced (``EventPump.advance``), after that day's schedules have fired:

* a table's items whose TTL attribute (Unix seconds) is more than ``TTL_DELAY`` before ``now`` are deleted, as
  DynamoDB's TTL does within about two days; the daily retention job (``RetentionFunction``) deletes and
  reports them exactly on the day first, so the sweep is the backstop it is in AWS;
* a bucket's objects are deleted once ``ExpirationInDays`` have passed since the clock first saw them (moto stamps
  ``LastModified`` with the machine's time, not the virtual one; an object is seen at the first sweep after it
  was written, i.e. within a day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from infra.local import template as tpl

TTL_DELAY = timedelta(days=2)


@dataclass(frozen=True)
class TtlTable:
    logical_id: str
    name: str
    attribute: str


@dataclass(frozen=True)
class LifecycleRule:
    bucket: str
    prefix: str
    days: int


@dataclass
class LocalRetention:
    """``clients``: boto3 clients by service name (``dynamodb``, ``s3``); ``physical``: names by logical id."""

    clients: dict[str, Any]
    physical: dict[str, str]
    tables: list[TtlTable] = field(default_factory=list)
    rules: list[LifecycleRule] = field(default_factory=list)
    seen: dict[tuple[str, str], datetime] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        template = tpl.load()
        defaults = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
        for logical, resource in tpl.resources(template).items():
            props = resource.get("Properties") or {}
            if resource["Type"] == "AWS::DynamoDB::Table":
                ttl = props.get("TimeToLiveSpecification") or {}
                if ttl.get("Enabled") in (True, "true") and logical in self.physical:
                    self.tables.append(TtlTable(logical, self.physical[logical], ttl["AttributeName"]))
            elif resource["Type"] == "AWS::S3::Bucket" and logical in self.physical:
                for rule in (props.get("LifecycleConfiguration") or {}).get("Rules", []):
                    days = rule.get("ExpirationInDays")
                    if days is None or rule.get("Status") != "Enabled":
                        continue
                    if not isinstance(days, int | str) or not str(days).isdigit():
                        days = defaults.get(tpl.logical_id(days))
                    self.rules.append(LifecycleRule(self.physical[logical], rule.get("Prefix", ""), int(str(days))))

    def sweep(self, now: datetime) -> dict[str, int]:
        """Apply TTL and lifecycle as of ``now``; what was deleted, by table logical id or bucket."""
        done: dict[str, int] = {}
        cutoff = int((now - TTL_DELAY).timestamp())
        for table in self.tables:
            count = self._sweep_table(table, cutoff)
            if count:
                done[table.logical_id] = count
        for rule in self.rules:
            count = self._sweep_bucket(rule, now)
            if count:
                done[f"{rule.bucket}/{rule.prefix}"] = done.get(f"{rule.bucket}/{rule.prefix}", 0) + count
        for name, count in done.items():
            self.deleted[name] = self.deleted.get(name, 0) + count
        return done

    def _sweep_table(self, table: TtlTable, cutoff: int) -> int:
        db = self.clients["dynamodb"]
        keys = [key["AttributeName"] for key in db.describe_table(TableName=table.name)["Table"]["KeySchema"]]
        names = {f"#k{n}": key for n, key in enumerate(keys)} | {"#t": table.attribute}
        request: dict[str, Any] = {
            "TableName": table.name,
            "FilterExpression": "#t < :cutoff",
            "ProjectionExpression": ", ".join(names),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {":cutoff": {"N": str(cutoff)}},
        }
        count = 0
        while True:
            page = db.scan(**request)
            for item in page.get("Items", []):
                db.delete_item(TableName=table.name, Key={key: item[key] for key in keys})
                count += 1
            if not page.get("LastEvaluatedKey"):
                return count
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def _sweep_bucket(self, rule: LifecycleRule, now: datetime) -> int:
        s3 = self.clients["s3"]
        count = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=rule.bucket, Prefix=rule.prefix):
            for entry in page.get("Contents", []):
                first_seen = self.seen.setdefault((rule.bucket, entry["Key"]), now)
                if now - first_seen >= timedelta(days=rule.days):
                    s3.delete_object(Bucket=rule.bucket, Key=entry["Key"])
                    self.seen.pop((rule.bucket, entry["Key"]), None)
                    count += 1
        return count
