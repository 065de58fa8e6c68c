"""Work orders and per-unit figures in DynamoDB.

``WorkOrdersTable`` (partition ``order_id``): one item per order, written whole with a condition on its
``version`` (optimistic concurrency: two operators acting at once cannot both win). Sparse indexes:

* ``department-index`` (department, created_at): a unit's queue;
* ``community-index`` (community_id, created_at): what reaches a community head;
* ``status-index`` (status, created_at): the operators' queues;
* ``requester-index`` (requester_sub, created_at): a citizen's own orders (absent for anonymous ones);
* ``due-index`` (due_shard, next_check_at): only open orders, so the overdue sweep reads the few orders
  whose time has come instead of the whole table.

``HotlineFiguresTable`` (department, month): the counters of ``figures``, added to in the same transaction
as the change they count, together with the change's audit record.

``HotlineDeskTable`` (pk, sk) holds each assisting unit's queue (协办): ``assist#<department>`` /
``<created_at>#<order_id>`` with ``answered``, written in the order's own transaction whenever an assisting unit
is added or answers, so a unit lists the orders it assists on without scanning (the standard answers of the
knowledge base share the table: ``sanmenxia.hotline.answers``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import dynamo, paging, retention
from sanmenxia import items as dynamo_items
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.contracts import WorkOrderSource, WorkOrderType
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.hotline import figures
from sanmenxia.hotline.routing import Department
from sanmenxia.hotline.rules import Assist, ExtensionRequest, Status, Step, WorkOrder

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

SHARDS = 4


def shard_of(order_id: str) -> str:
    return f"s{zlib.crc32(order_id.encode()) % SHARDS}"


# Item conversion is the shared one; the names stay because portal and tip-off stores use them.
serialize = dynamo_items.to_item
deserialize = dynamo_items.from_item


def to_item(order: WorkOrder) -> dict[str, Any]:
    values: dict[str, Any] = {
        "order_id": order.order_id,
        "source": order.source.value,
        "source_ref": order.source_ref,
        "type": order.type.value,
        "status": order.status.value,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "due_at": order.due_at,
        "category": order.category,
        "county_code": order.county_code,
        "community_id": order.community_id,
        "department": order.department,
        "accept_due_at": order.accept_due_at,
        "overdue": order.overdue,
        "escalation_level": order.escalation_level,
        "next_check_at": order.next_check_at,
        "due_shard": shard_of(order.order_id) if order.next_check_at else None,
        "requester_sub": order.requester_sub,
        "requester_person_id": order.requester_person_id,
        "sealed": order.sealed or None,
        "attachments": list(order.attachments) or None,
        "reply": order.reply,
        "reply_code": order.reply_text["code"] if order.reply_text else None,
        "reply_params": order.reply_text["params"] if order.reply_text else None,
        "resolved": order.resolved,
        "replied_by": order.replied_by,
        "satisfaction": order.satisfaction,
        "related_order_id": order.related_order_id,
        "merged_into": order.merged_into,
        "steps": [{k: v for k, v in step.to_json().items() if v is not None} for step in order.steps],
        "version": order.version,
        "urgent": order.urgent or None,
        "extension": order.extension.to_json() if order.extension else None,
        "extensions_granted": order.extensions_granted or None,
        "assists": [{k: v for k, v in assist.to_json().items() if v not in (None, [])} for assist in order.assists] or None,
        "reply_photos": list(order.reply_photos) or None,
        "expires_at": retention.expires_after(order.created_at, retention.settings().record_retention_days),
    }
    return serialize(values)


def from_item(item: dict[str, Any]) -> WorkOrder:
    data = deserialize(item)
    return WorkOrder(
        order_id=data["order_id"],
        source=WorkOrderSource(data["source"]),
        source_ref=data["source_ref"],
        type=WorkOrderType(data["type"]),
        status=Status(data["status"]),
        created_at=data["created_at"],
        updated_at=data["updated_at"],
        due_at=data["due_at"],
        category=data.get("category"),
        county_code=data.get("county_code"),
        community_id=data.get("community_id"),
        department=data.get("department"),
        accept_due_at=data.get("accept_due_at"),
        overdue=bool(data.get("overdue", False)),
        escalation_level=int(data.get("escalation_level", 0)),
        next_check_at=data.get("next_check_at"),
        requester_sub=data.get("requester_sub"),
        requester_person_id=data.get("requester_person_id"),
        sealed=dict(data.get("sealed") or {}),
        attachments=tuple(data.get("attachments") or ()),
        reply=data.get("reply"),
        reply_text={"code": data["reply_code"], "params": {k: str(v) for k, v in (data.get("reply_params") or {}).items()}} if data.get("reply_code") else None,
        resolved=data.get("resolved"),
        replied_by=data.get("replied_by"),
        satisfaction=data.get("satisfaction"),
        related_order_id=data.get("related_order_id"),
        merged_into=data.get("merged_into"),
        steps=tuple(Step.from_json(step) for step in data.get("steps") or ()),
        version=int(data["version"]),
        urgent=bool(data.get("urgent", False)),
        extension=ExtensionRequest.from_json(data["extension"]) if data.get("extension") else None,
        extensions_granted=int(data.get("extensions_granted") or 0),
        assists=tuple(Assist.from_json(assist) for assist in data.get("assists") or ()),
        reply_photos=tuple(data.get("reply_photos") or ()),
    )


@dataclass(frozen=True)
class Page:
    orders: list[WorkOrder]
    last_key: dict[str, Any] | None  # where the next page starts (sealed into a cursor by the API)


class WorkOrderStore:
    """Data access for work orders and figures. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, figures_table: str, audit: AuditLog, desk_table: str | None = None) -> None:
        self._db = dynamodb
        self._table = table
        self._figures = figures_table
        self._audit = audit
        self._desk = desk_table

    def _assist_writes(self, before: WorkOrder | None, after: WorkOrder) -> list[dict[str, Any]]:
        """Puts of the assisting units' queue entries that the change added or answered."""
        if self._desk is None:
            return []
        was = {assist.department: assist.reply is not None for assist in (before.assists if before else ())}
        writes = []
        for assist in after.assists:
            answered = assist.reply is not None
            if was.get(assist.department) == answered:
                continue
            item = {
                "pk": f"assist#{assist.department}",
                "sk": f"{after.created_at}#{after.order_id}",
                "order_id": after.order_id,
                "department": assist.department,
                "answered": answered,
            }
            writes.append({"Put": {"TableName": self._desk, "Item": serialize(item)}})
        return writes

    # -- writes ---------------------------------------------------------------------------------------
    def _figure_updates(self, changes: Sequence[tuple[WorkOrder | None, WorkOrder]]) -> list[dict[str, Any]]:
        merged: dict[tuple[str, str], dict[str, int]] = {}
        for before, after in changes:
            counts = figures.deltas(before, after)
            if not counts:
                continue
            step = after.steps[-1]
            key = (figures.unit_of(step), figures.month_of(step.at))
            target = merged.setdefault(key, {})
            for name, value in counts.items():
                target[name] = target.get(name, 0) + value
        updates = []
        for (unit, month), counts in merged.items():
            names = sorted(counts)
            updates.append(
                {
                    "Update": {
                        "TableName": self._figures,
                        "Key": {"department": {"S": unit}, "month": {"S": month}},
                        "UpdateExpression": "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(names))),
                        "ExpressionAttributeNames": {f"#c{i}": name for i, name in enumerate(names)},
                        "ExpressionAttributeValues": {f":c{i}": {"N": str(counts[name])} for i, name in enumerate(names)},
                    }
                }
            )
        return updates

    def create(self, changes: Sequence[tuple[WorkOrder | None, WorkOrder]], audits: Sequence[AuditRecord]) -> bool:
        """Write a new order (the last of ``changes``) with its figures and audit records in one transaction.
        Returns False when the order already exists (intake redelivered): nothing is written then."""
        order = changes[-1][1]
        put = {"Put": {"TableName": self._table, "Item": to_item(order), "ConditionExpression": "attribute_not_exists(order_id)"}}
        try:
            self._transact([put, *self._figure_updates(changes), *(self._audit.put_request(entry) for entry in audits)])
        except dynamo.ConditionFailed as failed:
            if failed.index == 0:
                return False
            raise
        return True

    def save(self, changes: Sequence[tuple[WorkOrder, WorkOrder]], audits: Sequence[AuditRecord]) -> None:
        """Write the order after ``changes`` (from the version first read), its figures and audit records."""
        first, last = changes[0][0], changes[-1][1]
        put = {
            "Put": {
                "TableName": self._table,
                "Item": to_item(last),
                "ConditionExpression": "version = :v",
                "ExpressionAttributeValues": {":v": {"N": str(first.version)}},
            }
        }
        self._transact(
            [put, *self._figure_updates(changes), *(self._audit.put_request(entry) for entry in audits), *self._assist_writes(first, last)],
            {0: Conflict("the order was changed by someone else meanwhile; reload it and try again")},
        )

    def _transact(self, items: list[dict[str, Any]], refusals: dict[int, Exception] | None = None) -> None:
        dynamo.transact(self._db, items, what="work order", refusals=refusals)

    # -- reads ----------------------------------------------------------------------------------------
    def find(self, order_id: str) -> WorkOrder | None:
        try:
            item = self._db.get_item(TableName=self._table, Key={"order_id": {"S": order_id}}, ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the work order") from exc
        return from_item(item) if item else None

    def get(self, order_id: str) -> WorkOrder:
        order = self.find(order_id)
        if order is None:
            raise NotFound("no such work order")
        return order

    def get_many(self, order_ids: Sequence[str]) -> dict[str, WorkOrder]:
        """Orders by id (missing ones left out), in batches of 100."""
        keys = [{"order_id": {"S": oid}} for oid in dict.fromkeys(order_ids)]
        orders = (from_item(item) for item in dynamo.batch_get(self._db, self._table, keys, what="work orders"))
        return {order.order_id: order for order in orders}

    def page(
        self,
        index: str,
        key: tuple[str, str],
        *,
        limit: int = 20,
        start: dict[str, Any] | None = None,
        filters: dict[str, Any] | None = None,
    ) -> Page:
        """Newest first from ``index`` where ``key[0] = key[1]``; ``filters`` are equality filters."""
        params: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": index,
            "KeyConditionExpression": "#k = :k",
            "ExpressionAttributeNames": {"#k": key[0]},
            "ExpressionAttributeValues": {":k": {"S": key[1]}},
            "ScanIndexForward": False,
        }
        clauses = []
        for position, (name, value) in enumerate(sorted((filters or {}).items())):
            params["ExpressionAttributeNames"][f"#f{position}"] = name
            params["ExpressionAttributeValues"][f":f{position}"] = dynamo_items.attribute(value)
            clauses.append(f"#f{position} = :f{position}")
        if clauses:
            params["FilterExpression"] = " AND ".join(clauses)
        raw = paging.query_page(self._db, params, limit=limit, start=start, key_attributes=("order_id", key[0], "created_at"), what="work orders")
        return Page([from_item(item) for item in raw.items], raw.last_key)

    def assisted_by(self, department: str, *, limit: int = 20, start: dict[str, Any] | None = None) -> Page:
        """Orders ``department`` assists on (协办), newest first."""
        if self._desk is None:
            return Page([], None)
        params: dict[str, Any] = {
            "TableName": self._desk,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": f"assist#{department}"}},
            "ScanIndexForward": False,
        }
        raw = paging.query_page(self._db, params, limit=limit, start=start, key_attributes=("pk", "sk"), what="assisted work orders")
        orders = self.get_many([item["order_id"]["S"] for item in raw.items])
        return Page([orders[item["order_id"]["S"]] for item in raw.items if item["order_id"]["S"] in orders], raw.last_key)

    def due(self, now: str) -> Iterator[WorkOrder]:
        """Open orders whose check time (``next_check_at``) has come, shard by shard."""
        for shard in range(SHARDS):
            params: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": "due-index",
                "KeyConditionExpression": "due_shard = :s AND next_check_at <= :now",
                "ExpressionAttributeValues": {":s": {"S": f"s{shard}"}, ":now": {"S": now}},
            }
            while True:
                try:
                    response = self._db.query(**params)
                except ClientError as exc:
                    raise UpstreamUnavailable("could not read due work orders") from exc
                for item in response["Items"]:
                    yield from_item(item)
                if not response.get("LastEvaluatedKey"):
                    break
                params["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def overdue_open(self, limit: int, start: dict[str, Any] | None) -> Page:
        """A page of the open orders marked overdue (the supervision list), shard by shard of ``due-index``; the
        continuation key says which shard it is in (``due_shard`` is one of the index's key attributes)."""
        queries = [
            (
                f"s{shard}",
                {
                    "TableName": self._table,
                    "IndexName": "due-index",
                    "KeyConditionExpression": "due_shard = :s",
                    "FilterExpression": "overdue = :t",
                    "ExpressionAttributeValues": {":s": {"S": f"s{shard}"}, ":t": {"BOOL": True}},
                },
            )
            for shard in range(SHARDS)
        ]
        key = ("order_id", "due_shard", "next_check_at")
        raw = paging.query_in_turn(self._db, queries, partition_key="due_shard", limit=limit, start=start, key_attributes=key, what="overdue work orders")
        return Page([from_item(item) for item in raw.items], raw.last_key)

    def figures(self, month: str, units: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        """The counters of ``units`` (default: every unit) for ``month``; units with nothing counted are absent."""
        wanted = list(units or [unit.value for unit in Department])
        keys = [{"department": {"S": unit}, "month": {"S": month}} for unit in wanted]
        result: dict[str, dict[str, int]] = {}
        for item in dynamo.batch_get(self._db, self._figures, keys, what="figures"):
            data = deserialize(item)
            result[data["department"]] = {name: int(data.get(name, 0)) for name in figures.COUNTERS}
        return result
