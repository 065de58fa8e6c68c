"""Data access of the daily close (``functions/healthcode_daily``) beyond ``HealthCodeTable``: its fan-out queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia.errors import UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef


class CloseQueue:
    """The fan-out queue of the daily close (``HealthCodeCloseQueue``): one message per shard task."""

    def __init__(self, sqs: SQSClient, queue_url: str) -> None:
        self._sqs = sqs
        self._url = queue_url

    def send(self, tasks: Sequence[dict[str, Any]]) -> int:
        """Send task bodies (JSON objects) in batches of ten; returns how many were sent."""
        sent = 0
        for start in range(0, len(tasks), 10):
            entries: list[SendMessageBatchRequestEntryTypeDef] = [
                {"Id": str(i), "MessageBody": json.dumps(task)} for i, task in enumerate(tasks[start : start + 10])
            ]
            try:
                response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)
            except ClientError as exc:
                raise UpstreamUnavailable("could not queue the close") from exc
            if response.get("Failed"):
                raise UpstreamUnavailable(f"could not queue {len(response['Failed'])} close task(s)")
            sent += len(entries)
        return sent
