"""Runs last in the e2e session (file name): after every platform's demo data and every e2e test, no DynamoDB
item, S3 object or log line holds a clear ID number or phone number. ID numbers are recognised by their
GB 11643 check digit, phones by the mainland mobile pattern, anywhere in the text."""

from __future__ import annotations

import io
import re

import boto3

from sanmenxia.idnumber import InvalidIdNumber, parse_id_number
from tests.e2e.conftest import LocalStack

ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")


def _as_text(key: str, body: bytes) -> str:
    """Parquet is compressed: read its rows; everything else as text."""
    if key.endswith(".parquet"):
        import pyarrow.parquet as pq

        return str(pq.read_table(io.BytesIO(body)).to_pylist())
    return body.decode("utf-8", errors="replace")


def _everything(local_stack: LocalStack) -> dict[str, str]:
    config = local_stack.config
    kwargs = {"endpoint_url": config["aws_endpoint_url"], "region_name": config["region"], "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    dynamodb, s3 = boto3.client("dynamodb", **kwargs), boto3.client("s3", **kwargs)
    texts: dict[str, str] = {}
    for name in dynamodb.list_tables()["TableNames"]:
        items = []
        for page in dynamodb.get_paginator("scan").paginate(TableName=name):
            items.extend(page["Items"])
        texts[f"table {name}"] = str(items)
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"] == "sanmenxia-local-artifacts":
            continue  # the deployed code itself
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"]):
            for obj in page.get("Contents", []):
                body = s3.get_object(Bucket=bucket["Name"], Key=obj["Key"])["Body"].read()
                texts[f"s3://{bucket['Name']}/{obj['Key']}"] = _as_text(obj["Key"], body)
    for path in sorted((local_stack.state_dir / "logs").glob("*.log")):
        texts[f"log {path.name}"] = path.read_text(errors="replace")
    return texts


def test_no_clear_id_numbers_or_phones_anywhere(local_stack: LocalStack) -> None:
    local_stack.drain()
    leaks = []
    for where, text in _everything(local_stack).items():
        for candidate in ID_CANDIDATE.findall(text):
            try:
                parse_id_number(candidate)
            except InvalidIdNumber:
                continue
            leaks.append(f"ID number in {where}: {candidate[:6]}…")
        leaks.extend(f"phone in {where}: {phone[:3]}…" for phone in PHONE.findall(text))
    assert not leaks, "\n".join(sorted(set(leaks))[:40])
