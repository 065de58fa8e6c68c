"""The lake bucket (S3): writing objects, listing them, and mirroring them to a local folder for DuckDB."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

PARQUET_CONTENT_TYPE = "application/vnd.apache.parquet"


@dataclass(frozen=True)
class LakeObject:
    key: str
    size: int
    etag: str


class LakeStore:
    """Objects of the lake bucket. ``s3`` is a boto3 S3 client."""

    def __init__(self, s3: S3Client, bucket: str) -> None:
        self._s3 = s3
        self.bucket = bucket

    def put(self, key: str, body: bytes) -> None:
        """Write (or overwrite, the same key being the same records) one object."""
        try:
            self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=body,
                ContentType=PARQUET_CONTENT_TYPE,
                ContentMD5=_content_md5(body),
            )
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not write s3://{self.bucket}/{key}") from exc

    def objects(self, prefix: str = "") -> list[LakeObject]:
        try:
            found: list[LakeObject] = []
            for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                found.extend(LakeObject(item["Key"], int(item["Size"]), item["ETag"].strip('"')) for item in page.get("Contents", []))
            return found
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not list s3://{self.bucket}/{prefix}") from exc

    def get(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()  # type: ignore[no-any-return]
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not read s3://{self.bucket}/{key}") from exc

    def delete(self, keys: list[str]) -> None:
        """Delete objects (a compaction's merged inputs), a thousand per request."""
        try:
            for start in range(0, len(keys), 1000):
                chunk: list[ObjectIdentifierTypeDef] = [{"Key": key} for key in keys[start : start + 1000]]
                if chunk:
                    self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk, "Quiet": True})
        except (ClientError, BotoCoreError) as exc:
            raise UpstreamUnavailable(f"could not remove objects of s3://{self.bucket}") from exc

    def mirror(self, directory: Path) -> int:
        """Make ``directory`` hold exactly the bucket's Parquet objects (changed ones fetched again).

        Returns how many objects were downloaded. A ``.etag`` file beside each object remembers its version.
        """
        directory.mkdir(parents=True, exist_ok=True)
        wanted = {obj.key: obj for obj in self.objects() if obj.key.endswith(".parquet")}
        fetched = 0
        for key, obj in wanted.items():
            path = directory / key
            marker = path.with_name(path.name + ".etag")
            if path.exists() and marker.exists() and marker.read_text() == obj.etag:
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(self.get(key))
            os.replace(partial, path)
            marker.write_text(obj.etag)
            fetched += 1
        for path in directory.rglob("*.parquet"):
            if path.relative_to(directory).as_posix() not in wanted:
                path.unlink()
                path.with_name(path.name + ".etag").unlink(missing_ok=True)
        return fetched


def _content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()
