"""Text messages (短信) to citizens who called 12345 without the app: progress of their order and the
satisfaction call-back, published to the ``CallerSmsTopic`` SNS topic, whose subscriber (the carrier's SMS
gateway in AWS; locally the stack's outbox, ``GET /_local/sms``) delivers them.

The message carries the phone number in clear because delivery needs it, and nothing else personal; the
number is never logged (only its masked form) and the local outbox keeps only the masked form.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from botocore.exceptions import ClientError

from sanmenxia.errors import UpstreamUnavailable
from sanmenxia.masking import mask_phone
from sanmenxia.observability import logger

#: What a message is about (a message attribute, so a subscriber may filter on it).
PROGRESS = "progress"
SATISFACTION = "satisfaction"


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str
    kind: str
    ref: str  # the work order (and its version): a subscriber drops a repeated ref

    def body(self) -> str:
        return json.dumps({"phone": self.phone, "text": self.text, "kind": self.kind, "ref": self.ref}, ensure_ascii=False)


class TextSender(Protocol):
    def send(self, message: TextMessage) -> None: ...


class SnsTextSender:
    """Publishes text messages to an SNS topic. ``sns`` is a boto3 SNS client."""

    def __init__(self, sns: Any, topic_arn: str) -> None:
        self._sns = sns
        self._topic = topic_arn

    def send(self, message: TextMessage) -> None:
        try:
            self._sns.publish(
                TopicArn=self._topic,
                Message=message.body(),
                MessageAttributes={"kind": {"DataType": "String", "StringValue": message.kind}},
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not send the text message") from exc
        logger.info("text message sent", extra={"to": mask_phone(message.phone), "kind": message.kind, "ref": message.ref})
