"""A person's own timeline (issue 18): every fact held about them and every staff access to their record.

``entries`` turns what the stores hold about one person into timeline entries, newest first: registration, the
code's application, check-ins, scans, holds placed and lifted (with source and reason code; an imported list's or
a co-travel match's hold is an import that matched them), colour changes with the rule version, appeals, and the
audit records whose subject is the person (staff reads, reveals of clear data, proposals, appeal decisions,
break-glass grants; who by role and unit, when, why). Break-glass grants carry the justification, opened for
the person. ``page`` cuts the merged, sorted list after a cursor key. Pure: the caller reads the records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sanmenxia.breakglass import GRANT_ACTION, Grant
from sanmenxia.checkpoints.records import ScanRecord
from sanmenxia.healthcode.store import Partition
from sanmenxia.holds import Hold, HoldKind
from sanmenxia.people import Person


class EntryKind(StrEnum):
    REGISTERED = "registered"  # 登记
    APPLIED = "applied"  # 申领健康码
    CHECK_IN = "check_in"  # 每日打卡
    SCAN = "scan"  # 卡口通行
    HOLD_PLACED = "hold_placed"  # 标记
    HOLD_LIFTED = "hold_lifted"  # 解除标记
    IMPORT_MATCH = "import_match"  # 比对名单命中
    COLOUR_CHANGE = "colour_change"  # 变码
    APPEAL = "appeal"  # 申诉
    STAFF_ACCESS = "staff_access"  # 工作人员查阅或操作
    BREAK_GLASS = "break_glass"  # 紧急查阅授权


#: Holds that come from a list compared against the registry (an import that matched the person).
IMPORT_KINDS = frozenset({HoldKind.IMPORTED_LIST, HoldKind.CO_TRAVEL})


@dataclass(frozen=True)
class Entry:
    at: str
    person_id: str
    kind: EntryKind
    ref: str  # what makes the entry unique among the person's entries of its kind and instant
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> str:
        """Newest first by ``at`` (a day sorts as its first instant), then stable within the same instant."""
        instant = f"{self.at}T00:00:00Z" if len(self.at) == 10 else self.at
        return f"{instant}|{self.person_id}|{self.kind.value}|{self.ref}"

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at, "person_id": self.person_id, "kind": self.kind.value, "detail": dict(self.detail)}


@dataclass(frozen=True)
class Records:
    """What the stores hold about one person."""

    person: Person
    partition: Partition
    holds: Sequence[Hold] = ()
    scans: Sequence[ScanRecord] = ()
    audits: Sequence[Mapping[str, Any]] = ()  # audit items (DynamoDB JSON) whose subject is the person
    grants: Sequence[Grant] = ()


def _hold_entries(person_id: str, hold: Hold) -> Iterable[Entry]:
    detail = {key: value for key, value in hold.to_json().items() if key not in {"lifted_at"}}
    kind = EntryKind.IMPORT_MATCH if hold.kind in IMPORT_KINDS else EntryKind.HOLD_PLACED
    yield Entry(hold.since, person_id, kind, hold.key, {**detail, "hold": hold.key})
    if hold.lifted_at:
        yield Entry(hold.lifted_at, person_id, EntryKind.HOLD_LIFTED, hold.key, {"hold": hold.key, "kind": hold.kind.value, "source": hold.source})


def _audit_entry(person_id: str, item: Mapping[str, Any]) -> Entry:
    def text(name: str) -> str | None:
        value = item.get(name)
        return str(value["S"]) if value else None

    detail = {
        "action": text("action"),
        "role": text("role"),
        "unit": text("unit"),
        "reason_code": text("reason_code"),
        "record": text("target"),
    }
    return Entry(text("at") or "", person_id, EntryKind.STAFF_ACCESS, text("sk") or "", detail)


def entries(records: Records, open_justification: Callable[[str], str]) -> list[Entry]:
    """Every entry of one person, newest first."""
    person = records.person
    pid = person.person_id
    found: list[Entry] = [Entry(person.created_at, pid, EntryKind.REGISTERED, pid, {"relation": person.relation, "community_id": person.community_id})]
    code = records.partition.code
    if code is not None:
        applied = code.state.applied_on.isoformat()
        found.append(Entry(applied, pid, EntryKind.APPLIED, "code", {"applied_on": applied}))
    for checkin in records.partition.checkins:
        found.append(Entry(checkin.at, pid, EntryKind.CHECK_IN, checkin.day.isoformat(), checkin.to_json()))
    for change in records.partition.changes:
        ref = f"{change['day']}#{change['cause']}#{change['to']}"
        found.append(Entry(str(change["day"]), pid, EntryKind.COLOUR_CHANGE, ref, dict(change)))
    for appeal in records.partition.appeals:
        found.append(Entry(appeal.at, pid, EntryKind.APPEAL, appeal.appeal_id, appeal.to_json()))
    for hold in records.holds:
        found.extend(_hold_entries(pid, hold))
    for scan in records.scans:
        detail = {
            "checkpoint_id": scan.checkpoint_id,
            "checkpoint_name": scan.checkpoint_name,
            "direction": scan.direction.value,
            "method": scan.method.value,
            "decision": scan.decision.value,
            "color": scan.color.value if scan.color else None,
        }
        found.append(Entry(scan.scanned_at, pid, EntryKind.SCAN, scan.scan_id, detail))
    # a grant's own audit record is the break-glass entry below (with the justification), not a second entry
    found.extend(_audit_entry(pid, item) for item in records.audits if item.get("action", {}).get("S") != GRANT_ACTION)
    for grant in records.grants:
        detail = {
            "role": grant.role,
            "unit": grant.unit,
            "reason_code": grant.reason_code.value,
            "justification": open_justification(grant.justification_sealed),
            "valid_until": grant.valid_until,
        }
        found.append(Entry(grant.granted_at, pid, EntryKind.BREAK_GLASS, grant.grant_key, detail))
    return sorted(found, key=lambda entry: entry.sort_key, reverse=True)


def page(merged: Sequence[Entry], *, limit: int, after: str | None) -> tuple[list[Entry], dict[str, str] | None]:
    """Up to ``limit`` entries of a newest-first list after the entry whose sort key is ``after``, and the key to
    continue from (``None`` on the last page)."""
    rest = [entry for entry in merged if after is None or entry.sort_key < after]
    shown = rest[:limit]
    return shown, ({"after": shown[-1].sort_key} if len(rest) > limit else None)
