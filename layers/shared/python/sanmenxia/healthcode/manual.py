"""Manual colour changes (人工赋码/解除) under the two-person rule: propose, approve, refuse.

Every hold staff place or lift by hand goes through here (the health-code routes that lift a hold, the appeal
unit's lift on an appeal, a manual hold): ``propose`` records a proposal and changes nothing; ``decide`` with a
second staff member's approval places or lifts the hold in the same transaction as the decision and its audit
record. Holds placed by rules and platform facts (a gate's fever stop, a check-in, an import, a key-person
record) keep their own paths in ``sanmenxia.holds``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sanmenxia import audit, clock
from sanmenxia.accountability import public
from sanmenxia.audit import unit_of
from sanmenxia.auth import Principal
from sanmenxia.errors import Conflict, InvalidInput, NotFound
from sanmenxia.healthcode.proposals import (
    MANUAL_SOURCE,
    Proposal,
    ProposalAction,
    ProposalStatus,
    ProposalStore,
    decided,
    new_proposal,
    refusal_to_decide,
)
from sanmenxia.healthcode.store import HealthCodeStore
from sanmenxia.holds import CodeColor, HoldKind
from sanmenxia.people import Person
from sanmenxia.scope import Action, Place, require

Seal = Callable[[str], str]


def manual_hold_reason(proposal_id: str) -> str:
    """The reason a manual hold shows (the proposer's own reason stays sealed in the proposal)."""
    return f"人工研判,经双人复核 Manual decision approved by two staff (proposal {proposal_id})"


def propose(
    proposals: ProposalStore,
    store: HealthCodeStore,
    principal: Principal,
    holder: Person,
    *,
    action: ProposalAction,
    hold_key: str | None,
    color: CodeColor | None,
    reason: str,
    evidence: str,
    seal: Seal,
    ttl: timedelta,
    bulk_limit: int,
    audit_log: Any,
    appeal_id: str | None = None,
    only_source: str | None = None,
) -> Proposal:
    """Propose placing a manual hold (``color`` yellow or red) or lifting an active hold (``hold_key``; with
    ``only_source`` only a hold that platform placed). Nothing changes until a second staff member approves."""
    if action is ProposalAction.PLACE:
        if color not in (CodeColor.YELLOW, CodeColor.RED):
            raise InvalidInput("a manual hold makes a code yellow or red", field="color")
        hold_key = None
    else:
        hold = next((hold for hold in store.holds.for_person(holder.person_id) if hold.key == hold_key), None)
        if hold is None:
            raise NotFound("no active hold with that key on this code", field="hold")
        if only_source is not None and hold.source != only_source:
            raise Conflict(f"this hold was placed by {hold.source}; lift it there", field="hold")
    proposal = new_proposal(
        principal,
        person_id=holder.person_id,
        county_code=holder.county_code,
        community_id=holder.community_id,
        action=action,
        hold_key=hold_key,
        color=color,
        reason_sealed=seal(reason),
        evidence_sealed=seal(evidence),
        ttl=ttl,
        appeal_id=appeal_id,
    )
    people_today = proposals.count_person(holder.county_code, unit_of(principal), proposal.day, holder.person_id)
    if people_today > bulk_limit:
        proposal = replace(proposal, needs_commander=True)
    entry = audit.record(
        principal, f"health_code.proposal.{action.value}", f"proposal#{proposal.proposal_id}", None, proposal.to_json(clock.now()), subject=holder.person_id
    )
    proposals.put(proposal, audit_log.put_request(entry), [proposals.count_request(holder.county_code, proposal.proposer_unit, public.Metric.PROPOSED)])
    return proposal


def decide(
    proposals: ProposalStore,
    store: HealthCodeStore,
    principal: Principal,
    proposal_id: str,
    *,
    approve: bool,
    note_sealed: str | None,
    place_of: Callable[[Proposal], Place],
    audit_log: Any,
    also: Callable[[Proposal], tuple[list[dict[str, Any]], dict[int, Exception]]] | None = None,
) -> tuple[Proposal, Proposal]:
    """A second staff member's approval or refusal (the proposer, a caller out of the person's scope, a decision
    after expiry or a second decision are refused). Approval applies the change in the same transaction, with
    the writes ``also`` gives for the approved proposal (e.g. closing the appeal the lift answers; their
    refusals indexed within them)."""
    proposal = proposals.get(proposal_id)
    require(principal, place_of(proposal), Action.WRITE, what="this person's code")
    now = clock.now()
    refused = refusal_to_decide(proposal, principal, now)
    if refused is not None:
        raise refused
    after = decided(proposal, principal, ProposalStatus.APPROVED if approve else ProposalStatus.REFUSED, note_sealed, now)
    writes: list[dict[str, Any]] = []
    if approve:
        if proposal.action is ProposalAction.PLACE:
            writes.append(
                store.holds.place_request(
                    proposal.person_id,
                    HoldKind.MANUAL,
                    source=MANUAL_SOURCE,
                    source_ref=proposal.proposal_id,
                    reason=manual_hold_reason(proposal.proposal_id),
                    color=proposal.color,
                )[1]
            )
        else:
            writes.append(store.holds.lift_request(proposal.person_id, proposal.hold_key))
    verb = "approve" if approve else "refuse"
    entry = audit.record(
        principal, f"health_code.proposal.{verb}", f"proposal#{proposal.proposal_id}", proposal.to_json(now), after.to_json(now), subject=proposal.person_id
    )
    writes.append(audit_log.put_request(entry))
    writes.append(proposals.count_request(proposal.county_code, proposal.proposer_unit, public.Metric.APPROVED if approve else public.Metric.REFUSED))
    refusals: dict[int, Exception] = (
        {1: Conflict("the hold is no longer active: nothing to lift", field="proposal")} if approve and proposal.action is ProposalAction.LIFT else {}
    )
    if approve and also is not None:
        extra, extra_refusals = also(proposal)
        # the transaction is the proposal's own update, then ``writes``, then these
        refusals.update({1 + len(writes) + index: exc for index, exc in extra_refusals.items()})
        writes.extend(extra)
    proposals.decide(proposal, after, writes, refusals=refusals or None)
    return proposal, after
