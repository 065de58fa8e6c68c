"""The local stand-in for the carrier's SMS gateway (never deployed): a queue in moto subscribed to the template's
``CallerSmsTopic``, read into an outbox that ``GET /_local/sms`` serves.

Delivery is the only use of a clear phone number, so the outbox keeps only the masked number (``139****5678``)
with the text, the kind and the ref; a message published twice (the same ref) is kept once; the outbox holds the
last ``LIMIT`` messages.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

from sanmenxia.masking import mask_phone

QUEUE = "local-sms-outbox"
LIMIT = 500


class SmsOutbox:
    def __init__(self, session: Any, topic_arn: str) -> None:
        self._sqs = session.client("sqs")
        self._sns = session.client("sns")
        self._topic = topic_arn
        self._url: str | None = None
        self._messages: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> None:
        self._url = self._sqs.create_queue(QueueName=QUEUE)["QueueUrl"]
        arn = self._sqs.get_queue_attributes(QueueUrl=self._url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._sns.subscribe(TopicArn=self._topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})

    def _collect(self) -> None:
        while self._url:
            received = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10).get("Messages", [])
            if not received:
                return
            for message in received:
                self._keep(message["Body"])
                self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])

    def _keep(self, body: str) -> None:
        try:
            data = json.loads(body)
            entry = {
                "to": mask_phone(str(data["phone"])),
                "kind": str(data.get("kind", "")),
                "text": str(data.get("text", "")),
                "ref": str(data.get("ref", "")),
                "received_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        except (ValueError, KeyError, TypeError):
            entry = {"to": "", "kind": "unreadable", "text": "", "ref": "", "received_at": datetime.now(UTC).isoformat(timespec="seconds")}
        key = entry["ref"] or f"unreadable-{len(self._messages)}"
        self._messages.setdefault(key, entry)
        while len(self._messages) > LIMIT:
            self._messages.popitem(last=False)

    def view(self) -> dict[str, Any]:
        """Every message kept, oldest first, the phone masked."""
        with self._lock:
            self._collect()
            messages = list(self._messages.values())
        return {"messages": messages, "count": len(messages)}
