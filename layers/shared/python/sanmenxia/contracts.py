"""Messages between platforms. Each platform owns its tables; others reach it through these queues
(SQS, declared in ``template.yaml``), so a slow or failing consumer never fails the producer's request.

* ``KeyPersonCandidateQueue`` → key-persons function: a person who should be registered as a key person
  (a fever or red code at a checkpoint, a co-travel "register me", an import hit).
* ``WorkOrderIntakeQueue`` → hotline function: something that must become a 12345 work order (a tip-off,
  a portal help message, a hardship request, a health-code appeal), and ``WorkOrderProgress``: the record
  behind an order moved on where it is handled (a community head took or closed a hardship request), so the
  order follows it instead of going overdue.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from sanmenxia import aws, clock
from sanmenxia.errors import UpstreamUnavailable


class KeyPersonCategory(StrEnum):
    """The five kinds of key person (五类重点人员), and same-place candidates found from checkpoint scans."""

    FROM_OUTSIDE_CITY = "from_outside_city"  # 市外返回人员
    FROM_HUBEI = "from_hubei"  # 湖北返回人员
    FROM_WUHAN = "from_wuhan"  # 武汉返回人员
    CLOSE_CONTACT = "close_contact"  # 密切接触者
    FEVER_WITHOUT_CONTACT = "fever_without_contact"  # 无接触史发热人员
    SAME_PLACE = "same_place"  # 同场所人员: at a confirmed case's checkpoint near its time (exposure from scans)
    CONFIRMED_CASE = "confirmed_case"  # 确诊病例: a positive lab result (核酸阳性)


class KeyPersonCandidate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str
    category: KeyPersonCategory
    source: str = Field(description="platform that found the person: checkpoint, co_travel, import, tipoff, exposure, lab")
    source_ref: str = Field(description="the record there (scan id, trip id, import id)")
    community_id: str
    reason: str
    reason_text: dict[str, Any] | None = Field(default=None, description="the reason as a code with params (sanmenxia.texts)")
    observed_at: str = Field(default_factory=clock.iso)


class WorkOrderSource(StrEnum):
    TIPOFF = "tipoff"  # 我要上报疫情
    HELP_MESSAGE = "help_message"  # 门户求助留言
    HARDSHIP = "hardship"  # 居民困难诉求
    APPEAL = "appeal"  # 健康码申诉
    CALL = "call"  # 12345 来电


class WorkOrderType(StrEnum):
    CONSULTATION = "consultation"  # 咨询
    REPORT = "report"  # 举报
    HELP_REQUEST = "help_request"  # 求助
    COMPLAINT = "complaint"  # 投诉


class WorkOrderIntake(BaseModel):
    """Something that must become a 12345 work order. No personal data in clear: people by ``person_id``."""

    model_config = ConfigDict(extra="forbid")

    source: WorkOrderSource
    source_ref: str = Field(description="id of the tip-off / message / request / appeal; with source, the idempotency key")
    type: WorkOrderType
    category: str | None = None
    summary: str = Field(max_length=2000)
    county_code: str | None = None
    community_id: str | None = None
    department: str | None = Field(default=None, description="responsible unit when the source already knows it")
    requester_person_id: str | None = None
    requester_sub: str | None = Field(default=None, description="Cognito sub to answer back to; absent when anonymous")
    created_at: str = Field(default_factory=clock.iso)
    address: str | None = Field(default=None, max_length=200, description="where it happens (sealed by the hotline)")
    phone: str | None = Field(default=None, max_length=20, description="a contact phone the citizen gave (sealed by the hotline; never in summary)")
    attachments: list[str] = Field(default_factory=list, max_length=5, description="S3 keys of checked photos in UploadsBucket")
    related_ref: str | None = Field(default=None, description="source_ref of an earlier record (same source) this one likely repeats")


class WorkOrderProgress(BaseModel):
    """A source record handled where it was filed (困难诉求 by the community head): its 12345 order follows.

    ``status`` is the source record's new state: ``in_progress`` accepts the order, ``resolved``/``declined``
    reply to it (resolved or not) with ``note``. Applying a progress the order is already past changes nothing.
    """

    model_config = ConfigDict(extra="forbid")

    kind: Literal["progress"] = "progress"
    source: WorkOrderSource
    source_ref: str
    status: Literal["in_progress", "resolved", "declined"]
    note: str | None = Field(default=None, max_length=2000)
    actor: str = Field(max_length=128, description="user name of who handled the record")
    actor_role: str = Field(max_length=64)
    at: str = Field(default_factory=clock.iso)


def send(queue_url: str, message: BaseModel, *, group: str | None = None) -> None:
    """Send a contract message (JSON). ``group`` is unused for standard queues; kept for FIFO upgrades."""
    body: dict[str, Any] = message.model_dump(mode="json")
    aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body, ensure_ascii=False))


def write_then_hand_over(
    queue_url: str,
    message: WorkOrderIntake,
    *,
    write: Callable[[], object],
    undo: Callable[[], object],
    what: str,
    send: Callable[[str, BaseModel], None] = send,
) -> None:
    """The intake use case of every platform that files work orders (tip-offs, help messages): save the record,
    then hand its work order to the hotline's queue; if the hand-over fails, ``undo`` the write, so nothing is half
    written, and say so (503, ``UpstreamUnavailable``) — the caller may simply try again."""
    write()
    try:
        send(queue_url, message)
    except Exception as exc:  # any failure to hand over (throttled, network, permissions): take the record back
        undo()
        raise UpstreamUnavailable(f"the hotline could not take the {what}; please try again") from exc
