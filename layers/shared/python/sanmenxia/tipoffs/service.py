"""The tip-offs' use cases (我要上报疫情): report a lead (saved, then handed to the hotline as a work order, the
save undone if the hand-over fails), suggest likely duplicates, and show a tip-off with its order's progress
to its reporter, to the holder of its tracking code, or to hotline staff in scope.

Routes call these; the rules are in ``rules``, the storage in ``store``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from sanmenxia import clock, contracts, regions, scope, texts
from sanmenxia.auth import Principal
from sanmenxia.contracts import WorkOrderIntake, WorkOrderSource, WorkOrderType
from sanmenxia.errors import InvalidInput
from sanmenxia.hotline.routing import CATEGORY_LABELS, Department, TipoffCategory, route
from sanmenxia.hotline.rules import order_id_for
from sanmenxia.hotline.service import Hotline, department_label
from sanmenxia.hotline.uploads import PhotoUploads
from sanmenxia.masking import redact_text
from sanmenxia.observability import logger, metrics
from sanmenxia.pii import Vault
from sanmenxia.scope import Desk, Place
from sanmenxia.texts import TextCode
from sanmenxia.tipoffs.public import ReportStore, check_pin, new_report_id, person_key, pin_of, public_report, retry_after
from sanmenxia.tipoffs.rules import Tipoff, TipoffKey, likely_duplicates, new_tracking_code, tracking_hash, window_start
from sanmenxia.tipoffs.store import TipoffStore

#: Work-order states the public map shows as answered (已答复); every other state is open (办理中).
ANSWERED = frozenset({"replied", "revisited", "closed"})


@dataclass(frozen=True)
class NewTipoff:
    """What a reporter sends."""

    category: TipoffCategory
    county_code: str
    community_id: str
    address: str
    description: str
    photos: Sequence[str] = ()
    anonymous: bool = False
    duplicate_of: str | None = None
    location: tuple[float, float] | None = None  # the map pin (latitude, longitude)


def tipoff_place(tipoff: Tipoff) -> Place:
    """Where a tip-off lives: its county and community, the unit it was routed to, the hotline desk."""
    return Place(
        county_code=tipoff.county_code,
        community_id=tipoff.community_id,
        department=tipoff.department or Department.HOTLINE_CENTER.value,
        desk=Desk.HOTLINE,
    )


@dataclass
class Tipoffs:
    store: TipoffStore
    hotline: Hotline
    vault: Vault
    uploads: PhotoUploads
    intake_queue_url: str
    send: Callable[[str, BaseModel], None] | None = None  # default: ``contracts.send``, looked up when sending
    reports: ReportStore | None = None  # the public map, "me too" and the per-person limit
    rate_per_hour: int = 10

    def similar(self, category: str, community_id: str, at: datetime, tipoff_id: str = "") -> list[dict[str, Any]]:
        """Likely duplicates of a tip-off of ``category`` in ``community_id`` made at ``at``, with their status."""
        probe = TipoffKey(tipoff_id or "-", category, community_id, clock.iso(at))
        found = likely_duplicates(probe, self.store.recent(category, community_id, window_start(at)))
        orders = self.hotline.store.get_many([order_id_for(WorkOrderSource.TIPOFF, key.tipoff_id) for key in found])
        rows = []
        for key in found:
            order = orders.get(order_id_for(WorkOrderSource.TIPOFF, key.tipoff_id))
            rows.append(
                {
                    "tipoff_id": key.tipoff_id,
                    "category": key.category,
                    "community_id": key.community_id,
                    "community": regions.community(key.community_id).name,
                    "created_at": key.created_at,
                    "status": order.status.value if order else "submitted",
                }
            )
        return rows

    def similar_for(self, caller: Principal, category: str, community_id: str, at: datetime) -> list[dict[str, Any]]:
        """A reporter checks anywhere before reporting (the rows carry no personal data); staff stay in scope."""
        if caller.is_staff:
            scope.require(caller, Place(community_id=community_id, desk=Desk.HOTLINE), what="this community's tip-offs")
        return self.similar(category, community_id, at)

    def report(self, caller: Principal, new: NewTipoff, at: datetime) -> dict[str, Any]:
        """Save a tip-off and hand it to the hotline as a work order (nothing half written); the reporter gets
        its tracking code once, with the likely duplicates."""
        if regions.county_of_community(new.community_id) != new.county_code:
            raise InvalidInput("community is not in that county", field="community_id")
        if new.location is not None:
            check_pin(*new.location)
        for key in new.photos:
            self.uploads.verify(key)
        if new.duplicate_of:
            earlier = self.store.find(new.duplicate_of)
            if earlier is None or (earlier.category, earlier.community_id) != (new.category.value, new.community_id):
                raise InvalidInput("not a tip-off of the same category in the same community", field="duplicate_of")
        if self.reports is not None:
            self.reports.take_slot(person_key(caller.sub), at.strftime("%Y%m%d%H"), self.rate_per_hour, int(at.timestamp()) + 2 * 3600, retry_after(at))
        tipoff_id = "T" + secrets.token_hex(8)
        code = new_tracking_code()
        department = route(WorkOrderSource.TIPOFF, new.category.value)
        tipoff = Tipoff(
            tipoff_id=tipoff_id,
            category=new.category.value,
            county_code=new.county_code,
            community_id=new.community_id,
            sealed_address=self.vault.seal("tipoff.address", new.address),
            sealed_description=self.vault.seal("tipoff.description", new.description),
            photos=tuple(new.photos),
            anonymous=new.anonymous,
            reporter_sub=None if new.anonymous else caller.sub,
            created_at=clock.iso(at),
            order_id=order_id_for(WorkOrderSource.TIPOFF, tipoff_id),
            department=department.value if department else None,
            duplicate_of=new.duplicate_of,
            track_hash=tracking_hash(code),
            report_id=new_report_id() if self.reports is not None else None,
            sealed_location=self.vault.seal("tipoff.location", f"{new.location[0]},{new.location[1]}") if new.location else None,
        )
        extra = [self.reports.put_request(public_report(tipoff, new.location))] if self.reports is not None else []
        likely = self.similar(tipoff.category, tipoff.community_id, at, tipoff_id)
        message = WorkOrderIntake(
            source=WorkOrderSource.TIPOFF,
            source_ref=tipoff_id,
            type=WorkOrderType.REPORT,
            category=tipoff.category,
            summary=new.description,  # the category is the order's category (a code the app labels)
            county_code=new.county_code,
            community_id=new.community_id,
            department=tipoff.department,
            requester_sub=tipoff.reporter_sub,
            address=new.address,
            attachments=list(new.photos),
            related_ref=new.duplicate_of,
            created_at=tipoff.created_at,
        )
        contracts.write_then_hand_over(
            self.intake_queue_url,
            message,
            write=lambda: self.store.put(tipoff, extra),
            undo=lambda: self.store.withdraw(tipoff),
            what="tip-off",
            send=self.send or contracts.send,
        )
        metrics.add_metric(name="TipoffsReported", unit="Count", value=1)
        logger.info(
            "tip-off reported", extra={"tipoff_id": tipoff_id, "category": tipoff.category, "community_id": tipoff.community_id, "anonymous": new.anonymous}
        )
        return {
            **self.view(tipoff, at),
            "tracking_code": code,
            "report_id": tipoff.report_id,
            "likely_duplicates": likely,
            "message": "举报已受理 Your tip-off has been received; keep the tracking code to follow it.",
            **texts.fields("message", TextCode.TIPOFF_RECEIVED),
        }

    def public_map(
        self, status: str | None, category: str | None, county_code: str | None, community_id: str | None, *, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """Reports on the public map (``sanmenxia.tipoffs.public``: no personal data), newest first, with the work
        order's status; ``status`` keeps the ``open`` or the ``answered`` ones (filtered after the page is read, so
        a page may be short and still continue)."""
        if self.reports is None:
            return [], None
        found, last_key = self.reports.page(county_code=county_code, category=category, community_id=community_id, limit=limit, start=start)
        orders = self.hotline.store.get_many([report.order_id for report in found])
        rows = []
        for report in found:
            order = orders.get(report.order_id)
            state = order.status.value if order else "submitted"
            group = "answered" if state in ANSWERED else "open"
            if status is not None and group != status:
                continue
            rows.append(
                {
                    "report_id": report.report_id,
                    "category": report.category,
                    "category_label": CATEGORY_LABELS[TipoffCategory(report.category)],
                    "county_code": report.county_code,
                    "community_id": report.community_id,
                    "community": regions.community(report.community_id).name,
                    "day": report.day,
                    "latitude": report.latitude,
                    "longitude": report.longitude,
                    "status": state,
                    "status_group": group,
                    "me_too": report.me_too,
                }
            )
        return rows, last_key

    def view(self, tipoff: Tipoff, at: datetime, *, staff: bool = False) -> dict[str, Any]:
        """What the reporter sees: their tip-off and the progress of its work order. Staff see the same with any
        phone or ID number typed into the description masked."""
        order = self.hotline.store.find(tipoff.order_id)
        progress = self.hotline.citizen_view(order, at) if order else None
        return {
            "tipoff_id": tipoff.tipoff_id,
            "category": tipoff.category,
            "category_label": CATEGORY_LABELS[TipoffCategory(tipoff.category)],
            "county_code": tipoff.county_code,
            "community_id": tipoff.community_id,
            "address": self.vault.open("tipoff.address", tipoff.sealed_address),
            "description": (redact_text if staff else str)(self.vault.open("tipoff.description", tipoff.sealed_description)),
            "photos": len(tipoff.photos),
            "anonymous": tipoff.anonymous,
            "created_at": tipoff.created_at,
            "duplicate_of": tipoff.duplicate_of,
            "location": pin_of(self.vault.open("tipoff.location", tipoff.sealed_location)) if tipoff.sealed_location else None,
            "report_id": tipoff.report_id,
            "department": tipoff.department,
            "department_label": department_label(tipoff.department),
            "order_id": tipoff.order_id,
            "status": order.status.value if order else "submitted",
            "order": progress,
        }

    def view_for(self, caller: Principal, tipoff_id: str, at: datetime) -> dict[str, Any]:
        """One tip-off: to its reporter as reported; to anyone else only in scope (hotline staff, or a handler
        of the unit it was routed to), with personal numbers in the description masked."""
        tipoff = self.store.get(tipoff_id)
        if tipoff.reporter_sub == caller.sub:
            return self.view(tipoff, at)
        scope.require(caller, tipoff_place(tipoff), what="this tip-off")
        return self.view(tipoff, at, staff=True)

    def tracked(self, code: str, at: datetime) -> dict[str, Any]:
        return self.view(self.store.by_tracking_code(code), at)

    def mine(self, caller: Principal, limit: int, start: dict[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """A page of the caller's own tip-offs (not the anonymous ones: those hold no identity) with their status,
        and the key to continue after."""
        found, last = self.store.of_reporter(caller.sub, limit, start)
        orders = self.hotline.store.get_many([tipoff.order_id for tipoff in found])
        return [
            {
                "tipoff_id": tipoff.tipoff_id,
                "category": tipoff.category,
                "category_label": CATEGORY_LABELS[TipoffCategory(tipoff.category)],
                "community_id": tipoff.community_id,
                "created_at": tipoff.created_at,
                "order_id": tipoff.order_id,
                "status": orders[tipoff.order_id].status.value if tipoff.order_id in orders else "submitted",
                "department": tipoff.department,
                "department_label": department_label(tipoff.department),
            }
            for tipoff in found
        ], last
