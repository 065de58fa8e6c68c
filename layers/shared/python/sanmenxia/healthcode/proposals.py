"""Two-person rule (双人复核) on every manual change of a colour.

A hold placed or lifted *by hand* (by staff, not by a rule or a platform fact such as a gate fever stop or an
import) is first a *proposal* with a reason and evidence. It changes nothing until a second staff member of an
allowed role whose scope covers the person, not the proposer, approves it; then the hold is placed or lifted in
the same transaction as the decision and its audit record. Proposals expire; a unit that proposes changes for
more than ``bulk_limit`` people in a day needs a commander's (or admin's) approval for every further one.

Storage (``HealthCodeTable``, no personal data in clear): partition ``_proposals#<county>``, sort
``<proposal id>`` (``<county>-<yyyymmddHHMMSS>-<hex8>``, so a county's proposals sort by time); the reason,
evidence and decision note are sealed with the PII key. ``unit#<unit>#<day>`` in the same partition counts the
people a unit proposed changes for on that day (a string set of person ids, which are pseudonymous).

The decisions (who may approve, expiry, bulk) are pure functions here; ``ProposalStore`` talks to DynamoDB.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging
from sanmenxia.accountability import public
from sanmenxia.audit import unit_of
from sanmenxia.auth import Principal, Role
from sanmenxia.errors import Conflict, Forbidden, NotFound, UpstreamUnavailable
from sanmenxia.holds import CodeColor, HoldKind

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: The source of holds that two staff placed by hand.
MANUAL_SOURCE = "manual"
PARTITION = "_proposals#"
#: Roles that may propose and approve manual changes (scope decides over whom).
STAFF_ROLES = (Role.COMMUNITY_HEAD, Role.DEPARTMENT_HANDLER, Role.COMMANDER, Role.ADMIN)
#: Roles whose approval a bulk proposal needs.
BULK_APPROVERS = (Role.COMMANDER, Role.ADMIN)
SEAL_PURPOSE = "hold_proposal"


class ProposalAction(StrEnum):
    PLACE = "place"  # 人工赋码: place a manual hold
    LIFT = "lift"  # 人工解除: lift an active hold


class ProposalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    EXPIRED = "expired"  # derived: pending past ``expires_at``


def _parse(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


@dataclass(frozen=True)
class Proposal:
    proposal_id: str
    person_id: str
    county_code: str
    community_id: str
    action: ProposalAction
    hold_key: str  # the hold to place (``manual#<proposal id>``) or to lift
    color: CodeColor | None  # the colour a placed hold imposes
    reason_sealed: str
    evidence_sealed: str
    proposer_sub: str
    proposer: str
    proposer_role: str
    proposer_unit: str
    created_at: str
    expires_at: str
    needs_commander: bool = False
    appeal_id: str | None = None  # a lift the appeal unit decided on an appeal
    status: ProposalStatus = ProposalStatus.PENDING
    decided_by: str | None = None
    decided_by_sub: str | None = None
    decided_role: str | None = None
    decided_at: str | None = None
    note_sealed: str | None = None

    @property
    def day(self) -> str:
        return self.created_at[:10]

    def status_at(self, now: datetime) -> ProposalStatus:
        if self.status is ProposalStatus.PENDING and now >= _parse(self.expires_at):
            return ProposalStatus.EXPIRED
        return self.status

    def to_json(self, now: datetime, *, reason: str | None = None, evidence: str | None = None, note: str | None = None) -> dict[str, Any]:
        """What staff in scope see (the sealed texts only when the caller opened them)."""
        view: dict[str, Any] = {
            "proposal_id": self.proposal_id,
            "person_id": self.person_id,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "action": self.action.value,
            "hold": self.hold_key,
            "color": self.color.value if self.color else None,
            "proposer": self.proposer,
            "proposer_role": self.proposer_role,
            "proposer_unit": self.proposer_unit,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "needs_commander": self.needs_commander,
            "appeal_id": self.appeal_id,
            "status": self.status_at(now).value,
            "decided_by": self.decided_by,
            "decided_role": self.decided_role,
            "decided_at": self.decided_at,
        }
        if reason is not None:
            view["reason"] = reason
        if evidence is not None:
            view["evidence"] = evidence
        if note is not None:
            view["note"] = note
        return view


def new_proposal(
    principal: Principal,
    *,
    person_id: str,
    county_code: str,
    community_id: str,
    action: ProposalAction,
    hold_key: str | None,
    color: CodeColor | None,
    reason_sealed: str,
    evidence_sealed: str,
    ttl: timedelta,
    appeal_id: str | None = None,
    now: datetime | None = None,
) -> Proposal:
    moment = now or clock.now()
    proposal_id = f"{county_code}-{moment.astimezone(clock.SHANGHAI).strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
    if action is ProposalAction.PLACE:
        hold_key = f"{HoldKind.MANUAL.value}#{proposal_id}"
    return Proposal(
        proposal_id=proposal_id,
        person_id=person_id,
        county_code=county_code,
        community_id=community_id,
        action=action,
        hold_key=hold_key or "",
        color=color if action is ProposalAction.PLACE else None,
        reason_sealed=reason_sealed,
        evidence_sealed=evidence_sealed,
        proposer_sub=principal.sub,
        proposer=principal.username,
        proposer_role=principal.primary_role,
        proposer_unit=unit_of(principal),
        created_at=clock.iso(moment),
        expires_at=clock.iso(moment + ttl),
        appeal_id=appeal_id,
    )


def refusal_to_decide(proposal: Proposal, decider: Principal, now: datetime) -> Exception | None:
    """Why ``decider`` may not approve or refuse ``proposal`` now (``None``: they may). Scope over the person is
    checked by the caller with ``sanmenxia.scope`` (the one model); this is the two-person part."""
    status = proposal.status_at(now)
    if status is ProposalStatus.EXPIRED:
        return Conflict(f"the proposal expired at {proposal.expires_at}; propose again", field="proposal")
    if status is not ProposalStatus.PENDING:
        return Conflict(f"the proposal is already {status.value}", field="proposal")
    if decider.sub == proposal.proposer_sub:
        return Forbidden("the proposer cannot decide their own proposal: a second staff member must approve it")
    if not decider.has(*STAFF_ROLES):
        return Forbidden("deciding a manual colour change needs one of the roles: " + ", ".join(sorted(role.value for role in STAFF_ROLES)))
    if proposal.needs_commander and not decider.has(*BULK_APPROVERS):
        return Forbidden("this is a bulk manual change (its unit proposed changes for more people today than allowed): a commander must approve it")
    return None


def decided(proposal: Proposal, decider: Principal, status: ProposalStatus, note_sealed: str | None, now: datetime) -> Proposal:
    return replace(
        proposal,
        status=status,
        decided_by=decider.username,
        decided_by_sub=decider.sub,
        decided_role=decider.primary_role,
        decided_at=clock.iso(now),
        note_sealed=note_sealed,
    )


def county_of(proposal_id: str) -> str:
    return proposal_id.split("-", 1)[0]


# -- storage --------------------------------------------------------------------------------------------------
def _s(value: str) -> dict[str, str]:
    return {"S": value}


_OPTIONAL = ("appeal_id", "decided_by", "decided_by_sub", "decided_role", "decided_at", "note_sealed")


def _item(proposal: Proposal) -> dict[str, Any]:
    item: dict[str, Any] = {
        "person_id": _s(PARTITION + proposal.county_code),
        "sk": _s(proposal.proposal_id),
        "subject": _s(proposal.person_id),
        "county_code": _s(proposal.county_code),
        "community_id": _s(proposal.community_id),
        "action": _s(proposal.action.value),
        "hold_key": _s(proposal.hold_key),
        "reason_sealed": _s(proposal.reason_sealed),
        "evidence_sealed": _s(proposal.evidence_sealed),
        "proposer_sub": _s(proposal.proposer_sub),
        "proposer": _s(proposal.proposer),
        "proposer_role": _s(proposal.proposer_role),
        "proposer_unit": _s(proposal.proposer_unit),
        "created_at": _s(proposal.created_at),
        "expires_at_iso": _s(proposal.expires_at),
        "needs_commander": {"BOOL": proposal.needs_commander},
        "status": _s(proposal.status.value),
    }
    if proposal.color:
        item["color"] = _s(proposal.color.value)
    for name in _OPTIONAL:
        value = getattr(proposal, name)
        if value:
            item[name] = _s(value)
    return item


def _proposal(item: Mapping[str, Any]) -> Proposal:
    def text(name: str) -> str | None:
        value = item.get(name, {}).get("S")
        return str(value) if value is not None else None

    return Proposal(
        proposal_id=item["sk"]["S"],
        person_id=item["subject"]["S"],
        county_code=item["county_code"]["S"],
        community_id=item["community_id"]["S"],
        action=ProposalAction(item["action"]["S"]),
        hold_key=item["hold_key"]["S"],
        color=CodeColor(item["color"]["S"]) if "color" in item else None,
        reason_sealed=item["reason_sealed"]["S"],
        evidence_sealed=item["evidence_sealed"]["S"],
        proposer_sub=item["proposer_sub"]["S"],
        proposer=item["proposer"]["S"],
        proposer_role=item["proposer_role"]["S"],
        proposer_unit=item["proposer_unit"]["S"],
        created_at=item["created_at"]["S"],
        expires_at=item["expires_at_iso"]["S"],
        needs_commander=bool(item.get("needs_commander", {}).get("BOOL", False)),
        appeal_id=text("appeal_id"),
        status=ProposalStatus(item["status"]["S"]),
        decided_by=text("decided_by"),
        decided_by_sub=text("decided_by_sub"),
        decided_role=text("decided_role"),
        decided_at=text("decided_at"),
        note_sealed=text("note_sealed"),
    )


class ProposalStore:
    """Proposals of manual colour changes in ``HealthCodeTable``; ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str) -> None:
        self._db = dynamodb
        self._table = table

    def count_person(self, county_code: str, unit: str, day: str, person_id: str) -> int:
        """Add ``person_id`` to the people ``unit`` proposed changes for on ``day``; the number of them."""
        response = dynamo.update(
            self._db,
            what="manual change count",
            TableName=self._table,
            Key={"person_id": _s(PARTITION + county_code), "sk": _s(f"unit#{unit}#{day}")},
            UpdateExpression="ADD people :p",
            ExpressionAttributeValues={":p": {"SS": [person_id]}},
            ReturnValues="UPDATED_NEW",
        )
        return len(response.get("Attributes", {}).get("people", {}).get("SS", []))

    def put(self, proposal: Proposal, audit_put: Mapping[str, Any], also: Sequence[Mapping[str, Any]] = ()) -> None:
        """Record a new proposal with its audit record (and ``also``: e.g. its public counter) in one transaction."""
        write = {"Put": {"TableName": self._table, "Item": _item(proposal), "ConditionExpression": "attribute_not_exists(sk)"}}
        dynamo.transact(self._db, [write, audit_put, *also], what="proposal")

    def count_request(self, county_code: str, unit: str, metric: public.Metric) -> dict[str, Any]:
        """Today's public counter of manual changes of ``unit`` (``sanmenxia.accountability.public``)."""
        return public.count_write(self._table, clock.today().isoformat(), county_code, unit, metric)

    def get(self, proposal_id: str) -> Proposal:
        try:
            response = self._db.get_item(
                TableName=self._table, Key={"person_id": _s(PARTITION + county_of(proposal_id)), "sk": _s(proposal_id)}, ConsistentRead=True
            )
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the proposal") from exc
        item = response.get("Item")
        if item is None:
            raise NotFound("no such proposal", field="proposal")
        return _proposal(item)

    def decide(self, before: Proposal, after: Proposal, writes: Sequence[Mapping[str, Any]], *, refusals: Mapping[int, Exception] | None = None) -> None:
        """Record the decision (conditional on the proposal still pending) with ``writes`` (the hold and the audit
        record) in one transaction: a second decision of the same proposal is a conflict."""
        item = _item(after)
        names = [name for name in item if name not in {"person_id", "sk"}]
        update = {
            "Update": {
                "TableName": self._table,
                "Key": {"person_id": item["person_id"], "sk": item["sk"]},
                "UpdateExpression": "SET " + ", ".join(f"#{name} = :{name}" for name in names),
                "ConditionExpression": "#status = :pending",
                "ExpressionAttributeNames": {f"#{name}": name for name in names},
                "ExpressionAttributeValues": {**{f":{name}": item[name] for name in names}, ":pending": _s(ProposalStatus.PENDING.value)},
            }
        }
        dynamo.transact(
            self._db,
            [update, *writes],
            what="proposal",
            refusals={0: Conflict(f"the proposal {before.proposal_id} was decided meanwhile", field="proposal"), **(refusals or {})},
        )

    def page(
        self, county_code: str, *, limit: int, start: Mapping[str, Any] | None, status: ProposalStatus | None
    ) -> tuple[list[Proposal], dict[str, Any] | None]:
        """A county's proposals, oldest first; with ``status`` pending, only those still pending (not expired)."""
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "person_id = :p AND begins_with(sk, :c)",
            "ExpressionAttributeValues": {":p": _s(PARTITION + county_code), ":c": _s(f"{county_code}-")},
            "ConsistentRead": True,
        }
        if status is not None:
            stored = ProposalStatus.PENDING if status is ProposalStatus.EXPIRED else status
            query["FilterExpression"] = "#status = :s"
            query["ExpressionAttributeNames"] = {"#status": "status"}
            query["ExpressionAttributeValues"][":s"] = _s(stored.value)
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("person_id", "sk"), what="the proposals")
        found = [_proposal(item) for item in raw.items]
        if status is not None:
            now = clock.now()
            found = [proposal for proposal in found if proposal.status_at(now) is status]
        return found, raw.last_key
