"""The supplies ledger as plain data (台账): warehouses, stock, requests and their lines from allocation
through dispatch to signed receipt, the public view and low-stock alerts. Pure functions only."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sanmenxia import regions
from sanmenxia.errors import InvalidInput
from sanmenxia.pii import digest
from sanmenxia.supplies.allocation import Demand, Tier
from sanmenxia.supplies.catalogue import CATALOGUE, Item, UnitKind, allowed_tiers

#: How far ahead a needed-by date may lie.
MAX_LEAD_DAYS = 180


class LineStatus(StrEnum):
    """One allocation to one request, as it moves (调拨 → 出库发运 → 签收)."""

    ALLOCATED = "allocated"  # 已分配
    DISPATCHED = "dispatched"  # 已发运
    RECEIVED = "received"  # 已签收


@dataclass(frozen=True)
class Warehouse:
    warehouse_id: str
    name: str
    county_code: str
    address: str
    created_at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "warehouse_id": self.warehouse_id,
            "name": self.name,
            "county_code": self.county_code,
            "address": self.address,
            "created_at": self.created_at,
        }


@dataclass(frozen=True)
class StockLine:
    """A warehouse's stock of one item: ``available`` may be allocated; ``reserved`` is allocated and waits
    for dispatch. Both are whole units and never negative."""

    warehouse_id: str
    item: Item
    available: int
    reserved: int

    @property
    def on_hand(self) -> int:
        return self.available + self.reserved


@dataclass(frozen=True)
class Line:
    """A request's ledger line: what one allocation run gave it, and what happened to it since."""

    run_id: str
    warehouse_id: str
    quantity: int
    status: LineStatus
    allocated_at: str
    allocated_by: str
    dispatched_at: str | None = None
    dispatched_by: str | None = None
    carrier: str | None = None
    received_at: str | None = None
    received_by: str | None = None
    received_quantity: int | None = None
    receipt_digest: str | None = None
    note: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = {key: value for key, value in self.__dict__.items() if value is not None}
        body["status"] = self.status.value
        if self.received_quantity is not None:
            body["shortfall"] = self.quantity - self.received_quantity
        return body


@dataclass(frozen=True)
class SupplyRequest:
    request_id: str
    item: Item
    tier: Tier
    quantity: int
    allocated: int
    dispatched: int
    received: int
    needed_by: date
    unit_kind: UnitKind
    unit_id: str
    unit_name: str
    county_code: str | None
    purpose: str | None
    created_at: str
    created_by: str
    lines: Mapping[str, Line] = field(default_factory=dict)

    @property
    def outstanding(self) -> int:
        return self.quantity - self.allocated

    def status(self) -> str:
        """open → partly_allocated → allocated → dispatched → received (every line signed for)."""
        if self.allocated == 0:
            return "open"
        if self.allocated < self.quantity:
            return "partly_allocated"
        statuses = {line.status for line in self.lines.values()}
        if LineStatus.ALLOCATED in statuses:
            return "allocated"
        if LineStatus.DISPATCHED in statuses:
            return "dispatched"
        return "received"

    def late(self, today: date) -> bool:
        """Past its needed-by date and not everything delivered."""
        return today > self.needed_by and self.status() != "received"

    def demand(self) -> Demand:
        return Demand(self.request_id, self.tier, self.outstanding, self.needed_by, self.created_at)

    def urgency_key(self) -> str:
        """Sort key of the open-request index: tier rank, needed-by, creation, id (most urgent first)."""
        return f"{self.tier.rank}#{self.needed_by.isoformat()}#{self.created_at}#{self.request_id}"

    def to_json(self, today: date) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "item": self.item.value,
            "tier": self.tier.value,
            "quantity": self.quantity,
            "allocated": self.allocated,
            "dispatched": self.dispatched,
            "received": self.received,
            "outstanding": self.outstanding,
            "needed_by": self.needed_by.isoformat(),
            "late": self.late(today),
            "status": self.status(),
            "unit": {"kind": self.unit_kind.value, "id": self.unit_id, "name": self.unit_name},
            "county_code": self.county_code,
            "purpose": self.purpose,
            "created_at": self.created_at,
            "lines": [line.to_json() for line in sorted(self.lines.values(), key=lambda line: line.allocated_at)],
        }


def check_new_request(tier: Tier, unit_kind: UnitKind, unit_id: str, county_code: str | None, needed_by: date, today: date) -> str | None:
    """Validate a new request's unit, tier and dates; returns the unit's county (derived for a community)."""
    permitted = allowed_tiers(unit_kind, unit_id)
    if tier not in permitted:
        allowed = ", ".join(sorted(t.value for t in permitted))
        raise InvalidInput(f"tier {tier.value} is not open to this {unit_kind.value} unit; it may request under: {allowed}", field="tier")
    if unit_kind is UnitKind.COMMUNITY:
        if not regions.is_known_community(unit_id):
            raise InvalidInput("unknown community id", field="unit_id")
        if county_code is not None and county_code != regions.county_of_community(unit_id):
            raise InvalidInput("community is not in that county", field="county_code")
        county_code = regions.county_of_community(unit_id)
    if needed_by < today:
        raise InvalidInput("must not be in the past", field="needed_by")
    if needed_by > today + timedelta(days=MAX_LEAD_DAYS):
        raise InvalidInput(f"must be within {MAX_LEAD_DAYS} days", field="needed_by")
    return county_code


def receipt_digest(request_id: str, line: Line, received_quantity: int, signer_sub: str, at: str) -> str:
    """A tamper-evident fingerprint of a signed receipt (签收): what was sent, what arrived, who signed, when."""
    body = {
        "request_id": request_id,
        "run_id": line.run_id,
        "warehouse_id": line.warehouse_id,
        "dispatched": line.quantity,
        "received": received_quantity,
        "signer": signer_sub,
        "at": at,
    }
    return digest(json.dumps(body, sort_keys=True))


@dataclass(frozen=True)
class LowStock:
    warehouse_id: str
    item: Item
    available: int
    threshold: int

    def to_json(self, warehouse_name: str | None = None) -> dict[str, Any]:
        return {
            "warehouse_id": self.warehouse_id,
            "warehouse_name": warehouse_name,
            "item": self.item.value,
            "available": self.available,
            "threshold": self.threshold,
            "shortfall": self.threshold - self.available,
        }


def threshold_for(item: Item, thresholds: Mapping[Item, int]) -> int:
    return thresholds.get(item, CATALOGUE[item].default_threshold)


def low_stock(lines: Iterable[StockLine], thresholds: Mapping[Item, int]) -> list[LowStock]:
    """Stock lines whose available quantity is below the item's threshold (预警), worst first."""
    found = [
        LowStock(line.warehouse_id, line.item, line.available, threshold_for(line.item, thresholds))
        for line in lines
        if line.available < threshold_for(line.item, thresholds)
    ]
    return sorted(found, key=lambda low: (low.available / low.threshold if low.threshold else 0, low.item.value, low.warehouse_id))


def crosses_threshold(before: int, after: int, threshold: int) -> bool:
    """True when a change takes available stock from at-or-above the threshold to below it."""
    return before >= threshold > after


#: Counters kept per item and tier (``agg`` items) and per item's stock.
TIER_COUNTERS = ("requested", "allocated", "dispatched", "received")
STOCK_COUNTERS = ("donated", "procured", "available")


def public_view(totals: Mapping[tuple[Item, str], Mapping[str, int]]) -> list[dict[str, Any]]:
    """Need against delivered (需求与到位), per item and tier, from the running totals.

    ``totals`` maps (item, tier value or ``"stock"``) to its counters. Everything is a count of units;
    nothing names a unit or a person.
    """
    view = []
    for item, entry in CATALOGUE.items():
        counts: list[dict[str, int]] = []
        for tier in Tier:
            counters = totals.get((item, tier.value), {})
            counts.append({name: int(counters.get(name, 0)) for name in TIER_COUNTERS})
        tiers = [{"tier": tier.value, **row} for tier, row in zip(Tier, counts, strict=True)]
        stock = totals.get((item, "stock"), {})
        need = sum(row["requested"] for row in counts)
        delivered = sum(row["received"] for row in counts)
        view.append(
            {
                "item": item.value,
                "name": entry.name,
                "unit": entry.unit,
                "need": need,
                "allocated": sum(row["allocated"] for row in counts),
                "dispatched": sum(row["dispatched"] for row in counts),
                "delivered": delivered,
                "delivered_share": round(delivered / need, 4) if need else None,
                "in_stock": int(stock.get("available", 0)),
                "donated": int(stock.get("donated", 0)),
                "procured": int(stock.get("procured", 0)),
                "tiers": tiers,
            }
        )
    return view
