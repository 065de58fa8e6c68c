"""Lab results' table (``LabResultsTable``): results, each person's results, and the labs' uploads.

* ``lab#<lab_id>`` / ``sample#<sample_id>``: one result, written once (the lab and sample id are its identity, so a
  re-upload or a retried request writes nothing twice). No ID number: the person by id, the ID number masked.
  ``lab_id`` + ``sampled_key`` (``<sampled_at>#<sample_id>``) feed ``lab-index``, the lab's results newest first.
* ``person#<person_id>`` / ``sample#<lab_id>#<sample_id>``: the person's results, for the release criteria.
* ``lab#<lab_id>`` / ``upload#<upload_id>``: an upload (a file of results): status, counts, errors by line.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging
from sanmenxia.errors import NotFound, UpstreamUnavailable
from sanmenxia.lab.rules import LabResult, Sample

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def new_upload_id() -> str:
    return "lu" + clock.now_shanghai().strftime("%Y%m%d%H%M%S") + secrets.token_hex(3)


@dataclass(frozen=True)
class StoredResult:
    lab_id: str
    sample_id: str
    person_id: str
    county_code: str
    community_id: str
    id_masked: str
    result: LabResult
    sampled_at: str
    tested_at: str | None
    upload_id: str | None
    recorded_at: str
    recorded_by: str

    @property
    def ref(self) -> str:
        return f"{self.lab_id}:{self.sample_id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "lab_id": self.lab_id,
            "sample_id": self.sample_id,
            "person_id": self.person_id,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "id_number": self.id_masked,
            "result": self.result.value,
            "sampled_at": self.sampled_at,
            "tested_at": self.tested_at,
            "upload_id": self.upload_id,
            "recorded_at": self.recorded_at,
        }

    def same_as(self, other: StoredResult) -> bool:
        return (self.person_id, self.result, self.sampled_at) == (other.person_id, other.result, other.sampled_at)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _result_item(result: StoredResult) -> dict[str, Any]:
    item = {
        "pk": _s(f"lab#{result.lab_id}"),
        "sk": _s(f"sample#{result.sample_id}"),
        "lab_id": _s(result.lab_id),
        "sample_id": _s(result.sample_id),
        "sampled_key": _s(f"{result.sampled_at}#{result.sample_id}"),
        "person_id": _s(result.person_id),
        "county_code": _s(result.county_code),
        "community_id": _s(result.community_id),
        "id_masked": _s(result.id_masked),
        "result": _s(result.result.value),
        "sampled_at": _s(result.sampled_at),
        "recorded_at": _s(result.recorded_at),
        "recorded_by": _s(result.recorded_by),
    }
    if result.tested_at:
        item["tested_at"] = _s(result.tested_at)
    if result.upload_id:
        item["upload_id"] = _s(result.upload_id)
    return item


def _result_of(item: dict[str, Any]) -> StoredResult:
    def text(name: str) -> str | None:
        return item[name]["S"] if name in item else None

    return StoredResult(
        lab_id=item["lab_id"]["S"],
        sample_id=item["sample_id"]["S"],
        person_id=item["person_id"]["S"],
        county_code=item["county_code"]["S"],
        community_id=item["community_id"]["S"],
        id_masked=item["id_masked"]["S"],
        result=LabResult(item["result"]["S"]),
        sampled_at=item["sampled_at"]["S"],
        tested_at=text("tested_at"),
        upload_id=text("upload_id"),
        recorded_at=item["recorded_at"]["S"],
        recorded_by=item["recorded_by"]["S"],
    )


def _sample_of(item: dict[str, Any]) -> Sample:
    ref = item["sk"]["S"].removeprefix("sample#").replace("#", ":", 1)
    return Sample(ref, LabResult(item["result"]["S"]), datetime.fromisoformat(item["sampled_at"]["S"]))


class LabStore:
    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self.table = table

    # -- results --------------------------------------------------------------------------------------------
    def results_of(self, lab_id: str, sample_ids: list[str]) -> dict[str, StoredResult]:
        """The lab's results already recorded among ``sample_ids`` (one batch read per 100)."""
        keys = [{"pk": _s(f"lab#{lab_id}"), "sk": _s(f"sample#{sample_id}")} for sample_id in dict.fromkeys(sample_ids)]
        items = dynamo.batch_get(self._db, self.table, keys, what="lab results", consistent=True)
        return {item["sample_id"]["S"]: _result_of(item) for item in items}

    def put_result_requests(self, result: StoredResult) -> list[dict[str, Any]]:
        """The result and its entry in the person's results, as ``TransactWriteItems`` operations; the result is
        written only if the sample is new."""
        person_entry = {
            "pk": _s(f"person#{result.person_id}"),
            "sk": _s(f"sample#{result.lab_id}#{result.sample_id}"),
            "result": _s(result.result.value),
            "sampled_at": _s(result.sampled_at),
        }
        return [
            {"Put": {"TableName": self.table, "Item": _result_item(result), "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self.table, "Item": person_entry}},
        ]

    def transact(self, writes: list[dict[str, Any]]) -> None:
        dynamo.transact(self._db, writes, what="lab result")

    def samples_of_person(self, person_id: str) -> list[Sample]:
        items = dynamo.query_all(
            self._db,
            what="the person's lab results",
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues={":p": _s(f"person#{person_id}"), ":s": _s("sample#")},
            ConsistentRead=True,
        )
        return [
            Sample(
                item["sk"]["S"].removeprefix("sample#").replace("#", ":", 1), LabResult(item["result"]["S"]), datetime.fromisoformat(item["sampled_at"]["S"])
            )
            for item in items
        ]

    def lab_results(self, lab_id: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[StoredResult], dict[str, Any] | None]:
        page = paging.query_page(
            self._db,
            {
                "TableName": self.table,
                "IndexName": "lab-index",
                "KeyConditionExpression": "lab_id = :l",
                "ExpressionAttributeValues": {":l": _s(lab_id)},
                "ScanIndexForward": False,
            },
            limit=limit,
            start=start,
            key_attributes=("pk", "sk", "lab_id", "sampled_key"),
            what="the lab's results",
        )
        return [_result_of(item) for item in page.items], page.last_key

    # -- uploads --------------------------------------------------------------------------------------------
    def put_upload(self, upload: dict[str, Any], *, new: bool = False) -> None:
        item = {"pk": _s(f"lab#{upload['lab_id']}"), "sk": _s(f"upload#{upload['upload_id']}"), "body": _s(json.dumps(upload, ensure_ascii=False))}
        request: dict[str, Any] = {"TableName": self.table, "Item": item}
        if new:
            request["ConditionExpression"] = "attribute_not_exists(pk)"
        dynamo.put(self._db, what="lab upload", **request)

    def upload(self, lab_id: str, upload_id: str) -> dict[str, Any] | None:
        try:
            item = self._db.get_item(TableName=self.table, Key={"pk": _s(f"lab#{lab_id}"), "sk": _s(f"upload#{upload_id}")}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the lab upload") from exc
        return dict(json.loads(item["body"]["S"])) if item else None

    def require_upload(self, lab_id: str, upload_id: str) -> dict[str, Any]:
        upload = self.upload(lab_id, upload_id)
        if upload is None:
            raise NotFound("no such upload", field="upload_id")
        return upload

    def uploads(self, lab_id: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        page = paging.query_page(
            self._db,
            {
                "TableName": self.table,
                "KeyConditionExpression": "pk = :p AND begins_with(sk, :u)",
                "ExpressionAttributeValues": {":p": _s(f"lab#{lab_id}"), ":u": _s("upload#")},
                "ScanIndexForward": False,
            },
            limit=limit,
            start=start,
            key_attributes=("pk", "sk"),
            what="the lab's uploads",
        )
        return [dict(json.loads(item["body"]["S"])) for item in page.items], page.last_key
