"""Event shapes AWS uses, built for the local stack and the tests: API Gateway REST (v1) proxy events,
EventBridge scheduled events, DynamoDB stream, S3 and SQS records."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

ACCOUNT = "123456789012"


def api_event(
    method: str,
    path: str,
    *,
    resource: str | None = None,
    path_parameters: Mapping[str, str] | None = None,
    query: str | Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    body: bytes | str | Mapping[str, Any] | list[Any] | None = None,
    claims: Mapping[str, Any] | None = None,
    binary: bool = False,
    stage: str = "local",
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An API Gateway REST proxy (v1) event, as the Cognito-authorized integration delivers it."""
    headers = dict(headers or {})
    if isinstance(body, Mapping | list):
        body = json.dumps(body, ensure_ascii=False)
        headers.setdefault("Content-Type", "application/json")
    encoded = False
    if isinstance(body, bytes):
        if binary:
            body, encoded = base64.b64encode(body).decode(), True
        else:
            body = body.decode("utf-8", errors="replace")
    if isinstance(query, str):
        multi = {key: values for key, values in parse_qs(query, keep_blank_values=True).items()}
    else:
        multi = {key: [value] for key, value in (query or {}).items()}
    request_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    context: dict[str, Any] = {
        "accountId": ACCOUNT,
        "apiId": "local",
        "resourcePath": resource or path,
        "httpMethod": method.upper(),
        "path": f"/{stage}{path}",
        "stage": stage,
        "requestId": request_id,
        "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now.timestamp() * 1000),
        "protocol": "HTTP/1.1",
        "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
    }
    if claims is not None:
        context["authorizer"] = {"claims": {key: _claim(value) for key, value in claims.items()}}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": {key: values[-1] for key, values in multi.items()} or None,
        "multiValueQueryStringParameters": multi or None,
        "pathParameters": dict(path_parameters) if path_parameters else None,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": encoded,
    }


def _claim(value: Any) -> str:
    """API Gateway passes every claim as a string; lists (``cognito:groups``) as ``"a,b"``."""
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def schedule_event(rule_name: str, when: datetime, region: str) -> dict[str, Any]:
    """An EventBridge scheduled event, as a ``Schedule`` source delivers it."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT,
        "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT}:rule/{rule_name}"],
        "detail": {},
    }


def s3_event(bucket: str, key: str, size: int, etag: str, region: str, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": region,
                "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "eventName": event_name,
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                    "object": {"key": key, "size": size, "eTag": etag.strip('"')},
                },
            }
        ]
    }


def sqs_event(queue_arn: str, messages: list[dict[str, Any]], region: str) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": message.get("MessageAttributes", {}),
                "md5OfBody": message.get("MD5OfBody", ""),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def dynamodb_stream_event(stream_arn: str, records: list[dict[str, Any]], region: str) -> dict[str, Any]:
    """Records as ``GetRecords`` returns them, wrapped as Lambda's event source mapping delivers them."""
    return {
        "Records": [
            {
                "eventID": record["eventID"],
                "eventName": record["eventName"],
                "eventVersion": record.get("eventVersion", "1.1"),
                "eventSource": "aws:dynamodb",
                "awsRegion": region,
                "dynamodb": record["dynamodb"],
                "eventSourceARN": stream_arn,
            }
            for record in records
        ]
    }
