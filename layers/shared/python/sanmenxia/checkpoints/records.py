"""The records of the checkpoint platform: a checkpoint and a scan, with their DynamoDB item forms.

A scan is a personal record: it holds the registry's opaque ``person_id`` and a masked name, never an ID
number or a clear name; a vehicle plate is kept masked, with its region and an HMAC look-up key. Scans
expire (TTL ``expires_at``) after the personal-record retention.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sanmenxia.checkpoints.rules import CheckpointKind, Decision, Direction, ScanMethod, StopReason, advice
from sanmenxia.checkpoints.stats import ScanFacts
from sanmenxia.holds import CodeColor


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int | Decimal) -> dict[str, str]:
    return {"N": str(value)}


def _opt(item: dict[str, Any], name: str) -> str | None:
    value = item.get(name)
    return value["S"] if value else None


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    place: str  # a public description: "连霍高速三门峡西出口", never a resident's address

    def to_json(self) -> dict[str, Any]:
        return {"latitude": self.latitude, "longitude": self.longitude, "place": self.place}


@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint (检测点): where it is, what kind, its named entrances (出入口)."""

    checkpoint_id: str
    name: str
    kind: CheckpointKind
    county_code: str
    community_id: str
    entrances: tuple[str, ...]
    location: Location
    active: bool
    created_by: str
    created_at: str
    updated_at: str

    def item(self) -> dict[str, Any]:
        return {
            "pk": _s(f"cp#{self.checkpoint_id}"),
            "sk": _s("meta"),
            "checkpoint_id": _s(self.checkpoint_id),
            "name": _s(self.name),
            "kind": _s(self.kind.value),
            "county_code": _s(self.county_code),
            "community_id": _s(self.community_id),
            "entrances": {"L": [_s(name) for name in self.entrances]},
            "latitude": _n(Decimal(str(self.location.latitude))),
            "longitude": _n(Decimal(str(self.location.longitude))),
            "place": _s(self.location.place),
            "active": {"BOOL": self.active},
            "created_by": _s(self.created_by),
            "created_at": _s(self.created_at),
            "updated_at": _s(self.updated_at),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Checkpoint:
        return cls(
            checkpoint_id=item["checkpoint_id"]["S"],
            name=item["name"]["S"],
            kind=CheckpointKind(item["kind"]["S"]),
            county_code=item["county_code"]["S"],
            community_id=item["community_id"]["S"],
            entrances=tuple(entry["S"] for entry in item.get("entrances", {}).get("L", [])),
            location=Location(float(item["latitude"]["N"]), float(item["longitude"]["N"]), item["place"]["S"]),
            active=item["active"]["BOOL"],
            created_by=item["created_by"]["S"],
            created_at=item["created_at"]["S"],
            updated_at=item["updated_at"]["S"],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "checkpoint_id": self.checkpoint_id,
            "name": self.name,
            "kind": self.kind.value,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "entrances": list(self.entrances),
            "location": self.location.to_json(),
            "active": self.active,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True)
class ScanRecord:
    """One person through one gate at one instant (a dependent gets a record of their own)."""

    scan_id: str  # client-generated; a dependent's is ``<scan_id>.d<n>``
    checkpoint_id: str
    checkpoint_name: str
    community_id: str
    county_code: str
    entrance: str | None
    direction: Direction
    method: ScanMethod
    person_id: str | None  # None: an ID number with no registered resident (no health code)
    person_ref: str  # person_id, or an HMAC of the ID number: counts unique persons without clear data
    masked_name: str | None
    color: CodeColor | None
    decision: Decision
    reasons: tuple[StopReason, ...]
    temperature: Decimal
    scanned_at: str  # the device's instant (kept on late sync)
    day: str  # Asia/Shanghai day of scanned_at
    received_at: str
    staff_sub: str
    home_community_id: str | None = None  # the person's own community (their community head follows up)
    companion_of: str | None = None
    plate_masked: str | None = None
    plate_region: str | None = None
    plate_key: str | None = None
    expires_at: int = 0
    token_color: CodeColor | None = None  # a QR scan: the colour signed into the token
    live_color: CodeColor | None = None  # a QR scan: today's colour, read when the scan was decided
    hold_kind: str | None = None  # the active hold that set the colour, if a hold did

    @property
    def scan_key(self) -> str:
        """Scan ids are the device's: namespaced by checkpoint so two teams' devices never collide."""
        return f"{self.checkpoint_id}#{self.scan_id}"

    @property
    def decided_by(self) -> str:
        """Which colour decided: ``live`` when today's colour was worse than the token's (a hold placed
        after the token was issued), ``token`` for a QR scan otherwise, ``live`` for ID scans (no token)."""
        if self.token_color is None or (self.live_color is not None and self.live_color.severity > self.token_color.severity):
            return "live"
        return "token"

    @property
    def fever(self) -> bool:
        return StopReason.FEVER in self.reasons

    @property
    def late(self) -> bool:
        return self.received_at[:16] > self.scanned_at[:16]

    @property
    def reason(self) -> str:
        return self.reasons[0].value if self.reasons else "ok"

    def facts(self) -> ScanFacts:
        """What the counters need from this record."""
        return ScanFacts(
            scan_key=self.scan_key,
            checkpoint_id=self.checkpoint_id,
            community_id=self.community_id,
            county_code=self.county_code,
            person_ref=self.person_ref,
            at=datetime.fromisoformat(self.scanned_at),
            direction=self.direction,
            decision=self.decision,
            fever=self.fever,
        )

    def item(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "scan_key": _s(self.scan_key),
            "scan_id": _s(self.scan_id),
            "checkpoint_id": _s(self.checkpoint_id),
            "checkpoint_name": _s(self.checkpoint_name),
            "cp_day": _s(f"{self.checkpoint_id}#{self.day}"),
            "community_id": _s(self.community_id),
            "county_code": _s(self.county_code),
            "direction": _s(self.direction.value),
            "method": _s(self.method.value),
            "person_ref": _s(self.person_ref),
            "decision": _s(self.decision.value),
            "reasons": {"L": [_s(reason.value) for reason in self.reasons]},
            "temperature": _n(self.temperature),
            "scanned_at": _s(self.scanned_at),
            "dt": _s(self.day),
            "received_at": _s(self.received_at),
            "staff_sub": _s(self.staff_sub),
            "expires_at": _n(self.expires_at),
        }
        optional = {
            "entrance": self.entrance,
            "person_id": self.person_id,
            "masked_name": self.masked_name,
            "color": self.color.value if self.color else None,
            "home_community_id": self.home_community_id,
            "companion_of": self.companion_of,
            "plate_masked": self.plate_masked,
            "plate_region": self.plate_region,
            "plate_key": self.plate_key,
            "token_color": self.token_color.value if self.token_color else None,
            "live_color": self.live_color.value if self.live_color else None,
            "hold_kind": self.hold_kind,
        }
        item.update({name: _s(value) for name, value in optional.items() if value})
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ScanRecord:
        color = _opt(item, "color")
        return cls(
            scan_id=item["scan_id"]["S"],
            checkpoint_id=item["checkpoint_id"]["S"],
            checkpoint_name=item["checkpoint_name"]["S"],
            community_id=item["community_id"]["S"],
            county_code=item["county_code"]["S"],
            entrance=_opt(item, "entrance"),
            direction=Direction(item["direction"]["S"]),
            method=ScanMethod(item["method"]["S"]),
            person_id=_opt(item, "person_id"),
            person_ref=item["person_ref"]["S"],
            masked_name=_opt(item, "masked_name"),
            color=CodeColor(color) if color else None,
            decision=Decision(item["decision"]["S"]),
            reasons=tuple(StopReason(entry["S"]) for entry in item["reasons"]["L"]),
            temperature=Decimal(item["temperature"]["N"]),
            scanned_at=item["scanned_at"]["S"],
            day=item["dt"]["S"],
            received_at=item["received_at"]["S"],
            staff_sub=item["staff_sub"]["S"],
            home_community_id=_opt(item, "home_community_id"),
            companion_of=_opt(item, "companion_of"),
            plate_masked=_opt(item, "plate_masked"),
            plate_region=_opt(item, "plate_region"),
            plate_key=_opt(item, "plate_key"),
            expires_at=int(item["expires_at"]["N"]),
            token_color=CodeColor(token_color) if (token_color := _opt(item, "token_color")) else None,
            live_color=CodeColor(live_color) if (live_color := _opt(item, "live_color")) else None,
            hold_kind=_opt(item, "hold_kind"),
        )

    def gate_view(self) -> dict[str, Any]:
        """What the gate's screen shows: masked name, colour, decision, reason, time; nothing else."""
        return {
            "scan_id": self.scan_id,
            "name": self.masked_name,
            "color": self.color.value if self.color else None,
            "decision": self.decision.value,
            "reason": self.reason,
            "advice": advice(self.reasons, self.hold_kind),
            "decided_by": self.decided_by,
            "token_color": self.token_color.value if self.token_color else None,
            "live_color": self.live_color.value if self.live_color else None,
            "time": self.scanned_at,
        }

    def record_view(self) -> dict[str, Any]:
        """A line of a checkpoint's or a resident's scan list (still masked)."""
        return {
            **self.gate_view(),
            "reasons": [reason.value for reason in self.reasons],
            "checkpoint_id": self.checkpoint_id,
            "checkpoint_name": self.checkpoint_name,
            "entrance": self.entrance,
            "direction": self.direction.value,
            "method": self.method.value,
            "temperature": float(self.temperature),
            "vehicle_plate": self.plate_masked,
            "companion_of": self.companion_of,
            "received_at": self.received_at,
            "late": self.late,
        }
