"""Reads for a person's timeline: the audit records whose subject is the person (``subject-index``) and their
scans (``ScansTable`` ``person-index``). Each source is read newest first and bounded (``limit``): a timeline
shows a person's records within their retention, which is a few hundred at most."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia.checkpoints.records import ScanRecord
from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SOURCE_LIMIT = 500


class TimelineSources:
    """``dynamodb`` is a boto3 client; the tables are the audit trail's and the scans'."""

    def __init__(self, dynamodb: DynamoDBClient, audit_table: str, scans_table: str) -> None:
        self._db = dynamodb
        self._audit = audit_table
        self._scans = scans_table

    def _query(self, request: dict[str, Any], limit: int, what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        try:
            while len(found) < limit:
                response = self._db.query(**request, Limit=limit - len(found))
                found.extend(response.get("Items", []))
                if not response.get("LastEvaluatedKey"):
                    break
                request = {**request, "ExclusiveStartKey": response["LastEvaluatedKey"]}
        except ClientError as exc:
            raise UpstreamUnavailable(f"could not read {what}") from exc
        return found

    def audits_about(self, person_id: str, limit: int = SOURCE_LIMIT) -> list[dict[str, Any]]:
        """The audit records about a person, newest first."""
        request = {
            "TableName": self._audit,
            "IndexName": "subject-index",
            "KeyConditionExpression": "subject = :p",
            "ExpressionAttributeValues": {":p": {"S": person_id}},
            "ScanIndexForward": False,
        }
        return self._query(request, limit, "the audit trail")

    def scans_of(self, person_id: str, limit: int = SOURCE_LIMIT) -> list[ScanRecord]:
        """A person's scans, newest first."""
        request = {
            "TableName": self._scans,
            "IndexName": "person-index",
            "KeyConditionExpression": "person_id = :p",
            "ExpressionAttributeValues": {":p": {"S": person_id}},
            "ScanIndexForward": False,
        }
        return [ScanRecord.from_item(item) for item in self._query(request, limit, "the scans")]
