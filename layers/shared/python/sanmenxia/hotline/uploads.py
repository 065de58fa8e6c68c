"""Photos of tip-offs (线索照片) through presigned S3 POSTs, and photos of a result on a reply (答复照片)
through presigned S3 PUTs (``presign_put``: the signed URL names the exact key and ``Content-Type``).

The API checks the declared type and size before it signs anything; the signed POST policy repeats both
as conditions (exact ``Content-Type``, ``content-length-range`` up to the declared size, the exact key), so
S3 itself refuses a different file; and a tip-off only accepts a photo after ``verify`` has looked at the
stored object. Keys are random and carry no identity (anonymous reporters upload too).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia.errors import InvalidInput, PayloadTooLarge, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

#: Accepted photo types and the extension stored with them.
PHOTO_TYPES: dict[str, str] = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
UPLOAD_SECONDS = 300
VIEW_SECONDS = 300
PREFIX = "tipoffs/"
#: Reply photos live under ``replies/<order id>/``: a key names the order it was prepared for.
REPLY_PREFIX = "replies/"


def check_photo(content_type: str, size: int, max_bytes: int = MAX_PHOTO_BYTES) -> str:
    """The extension for an accepted photo; a clear 4xx naming the field otherwise."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind not in PHOTO_TYPES:
        raise InvalidInput(f"photos must be one of {', '.join(sorted(PHOTO_TYPES))}; got {kind or 'nothing'}", field="content_type")
    if size <= 0:
        raise InvalidInput("size must be the photo's size in bytes", field="size")
    if size > max_bytes:
        raise PayloadTooLarge(f"photos may be at most {max_bytes // (1024 * 1024)} MB ({max_bytes} bytes); this one is {size} bytes", field="size")
    return PHOTO_TYPES[kind]


class PhotoUploads:
    """Signs uploads and checks what arrived. ``s3`` is a boto3 S3 client."""

    def __init__(self, s3: S3Client, bucket: str, max_bytes: int = MAX_PHOTO_BYTES) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._max = max_bytes

    def presign(self, content_type: str, size: int) -> dict[str, Any]:
        """A presigned POST for one photo of the declared type and size."""
        extension = check_photo(content_type, size, self._max)
        kind = content_type.split(";", 1)[0].strip().lower()
        key = f"{PREFIX}{secrets.token_hex(16)}.{extension}"
        try:
            post = self._s3.generate_presigned_post(
                Bucket=self._bucket,
                Key=key,
                Fields={"Content-Type": kind},
                Conditions=[{"Content-Type": kind}, ["content-length-range", 1, size], {"key": key}],
                ExpiresIn=UPLOAD_SECONDS,
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not prepare the upload") from exc
        return {"photo_key": key, "url": post["url"], "fields": post["fields"], "expires_in": UPLOAD_SECONDS, "max_bytes": size}

    def presign_put(self, content_type: str, size: int, prefix: str) -> dict[str, Any]:
        """A presigned PUT for one photo of the declared type and size under ``prefix``. The URL signs the key and
        the ``Content-Type``; the size is checked again on the stored object by ``verify``."""
        extension = check_photo(content_type, size, self._max)
        kind = content_type.split(";", 1)[0].strip().lower()
        key = f"{prefix}{secrets.token_hex(16)}.{extension}"
        try:
            url = self._s3.generate_presigned_url("put_object", Params={"Bucket": self._bucket, "Key": key, "ContentType": kind}, ExpiresIn=UPLOAD_SECONDS)
        except ClientError as exc:
            raise UpstreamUnavailable("could not prepare the upload") from exc
        return {"photo_key": key, "url": str(url), "method": "PUT", "headers": {"Content-Type": kind}, "expires_in": UPLOAD_SECONDS, "max_bytes": size}

    def verify(self, key: str, prefix: str = PREFIX, field: str = "photos") -> None:
        """The photo at ``key`` (under ``prefix``) was uploaded and is an accepted type and size (a wrong one is
        deleted)."""
        if not key.startswith(prefix) or "/" in key[len(prefix) :] or ".." in key:
            raise InvalidInput("not a photo key returned by the photo upload route", field=field)
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                raise InvalidInput("the photo has not been uploaded (or its upload expired)", field=field) from exc
            raise UpstreamUnavailable("could not check the photo") from exc
        size, kind = int(head.get("ContentLength", 0)), str(head.get("ContentType", ""))
        try:
            check_photo(kind, size, self._max)
        except (InvalidInput, PayloadTooLarge):
            self._s3.delete_object(Bucket=self._bucket, Key=key)
            raise

    def view_url(self, key: str) -> str:
        """A short-lived link for staff to look at a photo."""
        return str(self._s3.generate_presigned_url("get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=VIEW_SECONDS))
