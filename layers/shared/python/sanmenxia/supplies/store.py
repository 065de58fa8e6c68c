"""Data access for emergency supplies (``SuppliesTable``, partition ``pk``, sort ``sk``).

* ``wh#<id>`` / ``meta``            a warehouse; gsi1 ``warehouse`` / ``<county>#<id>``.
* ``wh#<id>`` / ``stock#<item>``    its stock of one item: ``available`` (free to allocate) and ``reserved``
  (allocated, waiting for dispatch); gsi1 ``stock#<item>`` / ``<warehouse id>``.
* ``wh#<id>`` / ``in#<time>#<id>``  an inbound receipt (donation or procurement, with its source);
  gsi1 ``inbound#<item>`` / ``<time>#<id>``.
* ``req#<id>`` / ``meta``           a request with its ledger lines (``ledger``, one per run that gave it
  something); gsi1 ``request#<item>`` / ``<created>#<id>``; ``open-index`` (sparse: ``open_item``,
  ``urgency``) while need is outstanding; ``unit-index`` (``unit_key``, ``created_at``).
* ``run#<id>`` / ``meta``           an allocation run and its plan; gsi1 ``run#<item>`` / ``<time>#<id>``.
* ``agg`` / ``<item>#<tier>``, ``<item>#stock``   running totals for the public view, updated in the same
  transactions as the records they count.
* ``threshold`` / ``<item>``        an item's low-stock threshold.

Every change of stock is a transaction whose conditions keep ``available`` and ``reserved`` from going
negative and keep a request from being allocated more than it asked for, with its audit record inside.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable
from sanmenxia.items import attribute, from_item, to_item
from sanmenxia.supplies.allocation import Plan, Tier, allocate
from sanmenxia.supplies.catalogue import InboundKind, Item, UnitKind, unit_key
from sanmenxia.supplies.rules import Line, LineStatus, StockLine, SupplyRequest, Warehouse, receipt_digest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

#: A run touches at most this many requests, so that it fits one transaction (DynamoDB allows 100 actions).
MAX_RUN_REQUESTS = 80


def _values(**values: Any) -> dict[str, Any]:
    return {f":{key}": attribute(value) for key, value in values.items()}


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


@dataclass(frozen=True)
class NewRequest:
    item: Item
    tier: Tier
    quantity: int
    needed_by: date
    unit_kind: UnitKind
    unit_id: str
    unit_name: str
    county_code: str | None
    purpose: str | None


@dataclass(frozen=True)
class RunResult:
    run_id: str
    item: Item
    warehouse_id: str
    released: int
    plan: Plan
    available_before: int
    considered: int
    at: str

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "item": self.item.value,
            "warehouse_id": self.warehouse_id,
            "released": self.released,
            "allocated": self.plan.given,
            "left_in_stock": self.available_before - self.plan.given,
            "requests_considered": self.considered,
            "at": self.at,
            "allocations": [
                {"request_id": a.request_id, "tier": a.tier.value, "outstanding": a.outstanding, "quantity": a.quantity} for a in self.plan.allocations
            ],
        }


def _line(run_id: str, raw: dict[str, Any]) -> Line:
    return Line(
        run_id=run_id,
        warehouse_id=raw["warehouse_id"],
        quantity=raw["quantity"],
        status=LineStatus(raw["status"]),
        allocated_at=raw["allocated_at"],
        allocated_by=raw["allocated_by"],
        dispatched_at=raw.get("dispatched_at"),
        dispatched_by=raw.get("dispatched_by"),
        carrier=raw.get("carrier"),
        received_at=raw.get("received_at"),
        received_by=raw.get("received_by"),
        received_quantity=raw.get("received_quantity"),
        receipt_digest=raw.get("receipt_digest"),
        note=raw.get("note"),
    )


def _request(raw: dict[str, Any]) -> SupplyRequest:
    return SupplyRequest(
        request_id=raw["request_id"],
        item=Item(raw["item"]),
        tier=Tier(raw["tier"]),
        quantity=raw["quantity"],
        allocated=raw["allocated"],
        dispatched=raw["dispatched"],
        received=raw["received"],
        needed_by=date.fromisoformat(raw["needed_by"]),
        unit_kind=UnitKind(raw["unit_kind"]),
        unit_id=raw["unit_id"],
        unit_name=raw["unit_name"],
        county_code=raw.get("county_code"),
        purpose=raw.get("purpose"),
        created_at=raw["created_at"],
        created_by=raw["created_by"],
        lines={run_id: _line(run_id, line) for run_id, line in (raw.get("ledger") or {}).items()},
    )


class SuppliesStore:
    """Reads and writes the supplies ledger. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit

    # -- helpers ----------------------------------------------------------------------------------------
    def _get(self, pk: str, sk: str) -> dict[str, Any] | None:
        try:
            item = self._db.get_item(TableName=self._table, Key=to_item({"pk": pk, "sk": sk}), ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the supplies ledger") from exc
        return from_item(item) if item else None

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        limit = kwargs.get("Limit")
        try:
            while True:
                page = self._db.query(TableName=self._table, **kwargs)
                items.extend(from_item(item) for item in page["Items"])
                if "LastEvaluatedKey" not in page or (limit and len(items) >= limit):
                    return items[:limit] if limit else items
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the supplies ledger") from exc

    def _gsi1(self, partition: str, *, limit: int | None = None, newest_first: bool = False) -> list[dict[str, Any]]:
        kwargs: dict[str, Any] = {
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :p",
            "ExpressionAttributeValues": _values(p=partition),
            "ScanIndexForward": not newest_first,
        }
        if limit:
            kwargs["Limit"] = limit
        return self._query(**kwargs)

    def _transact(self, writes: list[dict[str, Any]], refusals: dict[int, Exception]) -> None:
        """Run a transaction; a failed condition at index i raises ``refusals[i]`` (or one naming the condition)."""
        dynamo.transact(self._db, writes, what="supplies ledger", refusals=refusals)

    def _update(self, key: dict[str, str], expression: str, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
        update: dict[str, Any] = {
            "TableName": self._table,
            "Key": to_item(key),
            "UpdateExpression": expression,
            "ExpressionAttributeValues": values,
        }
        update.update(extra)
        return {"Update": update}

    def _agg(self, item: Item, bucket: str, **counters: int) -> dict[str, Any]:
        names = {f"#{name}": name for name in counters}
        expression = "ADD " + ", ".join(f"#{name} :{name}" for name in counters)
        return self._update({"pk": "agg", "sk": f"{item.value}#{bucket}"}, expression, _values(**counters), ExpressionAttributeNames=names)

    # -- warehouses and stock ---------------------------------------------------------------------------
    def add_warehouse(self, name: str, county_code: str, address: str, audit: AuditRecord) -> Warehouse:
        warehouse = Warehouse(new_id("wh"), name, county_code, address, clock.iso())
        item = to_item(
            {
                "pk": f"wh#{warehouse.warehouse_id}",
                "sk": "meta",
                "gsi1pk": "warehouse",
                "gsi1sk": f"{county_code}#{warehouse.warehouse_id}",
                **warehouse.to_json(),
            }
        )
        put = {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
        self._transact([put, self._audit.put_request(audit)], {})
        return warehouse

    def warehouse(self, warehouse_id: str) -> Warehouse:
        raw = self._get(f"wh#{warehouse_id}", "meta")
        if raw is None:
            raise NotFound("no such warehouse", field="warehouse_id")
        return Warehouse(raw["warehouse_id"], raw["name"], raw["county_code"], raw["address"], raw["created_at"])

    def warehouses(self) -> list[Warehouse]:
        return [Warehouse(raw["warehouse_id"], raw["name"], raw["county_code"], raw["address"], raw["created_at"]) for raw in self._gsi1("warehouse")]

    def stock(self, warehouse_id: str, item: Item) -> StockLine:
        raw = self._get(f"wh#{warehouse_id}", f"stock#{item.value}")
        return StockLine(warehouse_id, item, raw["available"], raw["reserved"]) if raw else StockLine(warehouse_id, item, 0, 0)

    def stock_of_warehouse(self, warehouse_id: str) -> list[StockLine]:
        rows = self._query(
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=_values(p=f"wh#{warehouse_id}", s="stock#"),
            ConsistentRead=True,
        )
        return [StockLine(warehouse_id, Item(row["item"]), row["available"], row["reserved"]) for row in rows]

    def stock_of_item(self, item: Item) -> list[StockLine]:
        return [StockLine(row["warehouse_id"], item, row["available"], row["reserved"]) for row in self._gsi1(f"stock#{item.value}")]

    def receive(
        self,
        warehouse_id: str,
        item: Item,
        quantity: int,
        kind: InboundKind,
        source: str,
        reference: str | None,
        audit: AuditRecord,
    ) -> dict[str, Any]:
        """Book an inbound delivery (入库): the record, the stock increase and the totals, in one transaction."""
        inbound_id, at = new_id("in"), clock.iso()
        record = {
            "inbound_id": inbound_id,
            "warehouse_id": warehouse_id,
            "item": item.value,
            "quantity": quantity,
            "kind": kind.value,
            "source": source,
            "reference": reference,
            "received_at": at,
            "booked_by": audit.actor,
        }
        writes = [
            {
                "ConditionCheck": {
                    "TableName": self._table,
                    "Key": to_item({"pk": f"wh#{warehouse_id}", "sk": "meta"}),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item(
                        {"pk": f"wh#{warehouse_id}", "sk": f"in#{at}#{inbound_id}", "gsi1pk": f"inbound#{item.value}", **record}
                        | {"gsi1sk": f"{at}#{inbound_id}"}
                    ),
                }
            },
            self._update(
                {"pk": f"wh#{warehouse_id}", "sk": f"stock#{item.value}"},
                "SET available = if_not_exists(available, :zero) + :q, reserved = if_not_exists(reserved, :zero), "
                "warehouse_id = :w, #item = :i, gsi1pk = :g, gsi1sk = :w",
                _values(zero=0, q=quantity, w=warehouse_id, i=item.value, g=f"stock#{item.value}"),
                ExpressionAttributeNames={"#item": "item"},
            ),
            self._agg(item, "stock", available=quantity, **{"donated" if kind is InboundKind.DONATION else "procured": quantity}),
            self._audit.put_request(audit),
        ]
        self._transact(writes, {0: NotFound("no such warehouse", field="warehouse_id")})
        return record

    def inbound(self, item: Item, limit: int = 100) -> list[dict[str, Any]]:
        rows = self._gsi1(f"inbound#{item.value}", limit=limit, newest_first=True)
        return [{key: value for key, value in row.items() if key not in {"pk", "sk", "gsi1pk", "gsi1sk"}} for row in rows]

    # -- thresholds -------------------------------------------------------------------------------------
    def thresholds(self) -> dict[Item, int]:
        rows = self._query(KeyConditionExpression="pk = :p", ExpressionAttributeValues=_values(p="threshold"), ConsistentRead=True)
        return {Item(row["sk"]): row["threshold"] for row in rows}

    def set_threshold(self, item: Item, threshold: int, audit: AuditRecord) -> None:
        put = {"Put": {"TableName": self._table, "Item": to_item({"pk": "threshold", "sk": item.value, "threshold": threshold})}}
        self._transact([put, self._audit.put_request(audit)], {})

    # -- requests -----------------------------------------------------------------------------------------
    def add_request(self, new: NewRequest, created_by: str, audit_for: Callable[[SupplyRequest], AuditRecord]) -> SupplyRequest:
        """File a request (申领). ``audit_for(request)`` builds the audit record of the new request."""
        request = SupplyRequest(
            request_id=new_id("rq"),
            item=new.item,
            tier=new.tier,
            quantity=new.quantity,
            allocated=0,
            dispatched=0,
            received=0,
            needed_by=new.needed_by,
            unit_kind=new.unit_kind,
            unit_id=new.unit_id,
            unit_name=new.unit_name,
            county_code=new.county_code,
            purpose=new.purpose,
            created_at=clock.iso(),
            created_by=created_by,
        )
        values: dict[str, Any] = {
            "pk": f"req#{request.request_id}",
            "sk": "meta",
            "request_id": request.request_id,
            "item": new.item.value,
            "tier": new.tier.value,
            "quantity": new.quantity,
            "allocated": 0,
            "dispatched": 0,
            "received": 0,
            "needed_by": new.needed_by.isoformat(),
            "unit_kind": new.unit_kind.value,
            "unit_id": new.unit_id,
            "unit_name": new.unit_name,
            "unit_key": unit_key(new.unit_kind, new.unit_id),
            "county_code": new.county_code,
            "purpose": new.purpose,
            "created_at": request.created_at,
            "created_by": created_by,
            "ledger": {},
            "gsi1pk": f"request#{new.item.value}",
            "gsi1sk": f"{request.created_at}#{request.request_id}",
            "open_item": new.item.value,
            "urgency": request.urgency_key(),
        }
        put = {"Put": {"TableName": self._table, "Item": to_item(values), "ConditionExpression": "attribute_not_exists(pk)"}}
        self._transact([put, self._agg(new.item, new.tier.value, requested=new.quantity), self._audit.put_request(audit_for(request))], {})
        return request

    def request(self, request_id: str) -> SupplyRequest:
        raw = self._get(f"req#{request_id}", "meta")
        if raw is None:
            raise NotFound("no such request", field="request_id")
        return _request(raw)

    def requests_of_item(self, item: Item, limit: int = 200) -> list[SupplyRequest]:
        return [_request(raw) for raw in self._gsi1(f"request#{item.value}", limit=limit, newest_first=True)]

    def requests_of_unit(self, kind: UnitKind, unit_id: str, limit: int = 200) -> list[SupplyRequest]:
        rows = self._query(
            IndexName="unit-index",
            KeyConditionExpression="unit_key = :u",
            ExpressionAttributeValues=_values(u=unit_key(kind, unit_id)),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_request(raw) for raw in rows]

    def open_requests(self, item: Item, limit: int = MAX_RUN_REQUESTS) -> list[SupplyRequest]:
        """Requests with need outstanding, most urgent first (the sparse ``open-index``)."""
        rows = self._query(
            IndexName="open-index",
            KeyConditionExpression="open_item = :i",
            ExpressionAttributeValues=_values(i=item.value),
            Limit=limit,
        )
        return [_request(raw) for raw in rows]

    # -- allocation runs ------------------------------------------------------------------------------------
    def plan_run(self, item: Item, warehouse_id: str, release: int | None) -> tuple[RunResult, list[SupplyRequest]]:
        """The plan a run would make now: a warehouse's available stock of ``item`` (or ``release`` units of
        it) over the open requests, most urgent first, with the pure ``allocate`` policy. Nothing is written."""
        self.warehouse(warehouse_id)
        stock = self.stock(warehouse_id, item)
        if release is not None and release > stock.available:
            raise InvalidInput(f"only {stock.available} available in this warehouse", field="release")
        released = stock.available if release is None else release
        if released == 0:
            raise Conflict(f"the warehouse has no {item.value} available", field="warehouse_id")
        requests = self.open_requests(item)
        if not requests:
            raise Conflict(f"no open requests for {item.value}", field="item")
        plan = allocate(released, [request.demand() for request in requests])
        return RunResult(new_id("run"), item, warehouse_id, released, plan, stock.available, len(requests), clock.iso()), requests

    def run_allocation(self, item: Item, warehouse_id: str, release: int | None, audit_for: Callable[[RunResult], AuditRecord]) -> RunResult:
        """Plan a run (``plan_run``), then commit it in one transaction."""
        result, requests = self.plan_run(item, warehouse_id, release)
        self.commit_run(result, requests, audit_for(result))
        return result

    def commit_run(self, result: RunResult, requests: Sequence[SupplyRequest], audit: AuditRecord) -> None:
        """Write a run in one transaction: stock moves from available to reserved (never below zero), each
        request gains a ledger line (only if nobody allocated to it meanwhile), the totals and the audit."""
        by_id = {request.request_id: request for request in requests}
        given = result.plan.given
        writes: list[dict[str, Any]] = [
            self._update(
                {"pk": f"wh#{result.warehouse_id}", "sk": f"stock#{result.item.value}"},
                "SET available = available - :g, reserved = reserved + :g",
                _values(g=given),
                ConditionExpression="available >= :g",
            )
        ]
        per_tier: dict[Tier, int] = {}
        for allocation in result.plan.nonzero():
            request = by_id[allocation.request_id]
            per_tier[request.tier] = per_tier.get(request.tier, 0) + allocation.quantity
            line = {
                "warehouse_id": result.warehouse_id,
                "quantity": allocation.quantity,
                "status": LineStatus.ALLOCATED.value,
                "allocated_at": result.at,
                "allocated_by": audit.actor,
            }
            closing = allocation.quantity == request.outstanding
            writes.append(
                self._update(
                    {"pk": f"req#{request.request_id}", "sk": "meta"},
                    "SET allocated = allocated + :q, ledger.#run = :line" + (" REMOVE open_item, urgency" if closing else ""),
                    _values(q=allocation.quantity, line=line, seen=request.allocated),
                    ConditionExpression="allocated = :seen",
                    ExpressionAttributeNames={"#run": result.run_id},
                )
            )
        writes.extend(self._agg(result.item, tier.value, allocated=quantity) for tier, quantity in per_tier.items())
        writes.append(self._agg(result.item, "stock", available=-given))
        run = {
            "pk": f"run#{result.run_id}",
            "sk": "meta",
            "gsi1pk": f"run#{result.item.value}",
            "gsi1sk": f"{result.at}#{result.run_id}",
            **result.to_json(),
            "by": audit.actor,
        }
        writes.append({"Put": {"TableName": self._table, "Item": to_item(run), "ConditionExpression": "attribute_not_exists(pk)"}})
        writes.append(self._audit.put_request(audit))
        self._transact(
            writes,
            {0: Conflict("the warehouse's stock changed during the run; run again", field="warehouse_id")},
        )

    def runs(self, item: Item, limit: int = 50) -> list[dict[str, Any]]:
        rows = self._gsi1(f"run#{item.value}", limit=limit, newest_first=True)
        return [{key: value for key, value in row.items() if key not in {"pk", "sk", "gsi1pk", "gsi1sk"}} for row in rows]

    def run(self, run_id: str) -> dict[str, Any]:
        raw = self._get(f"run#{run_id}", "meta")
        if raw is None:
            raise NotFound("no such allocation run", field="run_id")
        return {key: value for key, value in raw.items() if key not in {"pk", "sk", "gsi1pk", "gsi1sk"}}

    # -- dispatch and receipt ---------------------------------------------------------------------------------
    def dispatch(self, request: SupplyRequest, run_id: str, carrier: str | None, note: str | None, audit: AuditRecord) -> Line:
        """Dispatch a line (出库发运): it leaves the warehouse's reserved stock; only an allocated line may go."""
        line = request.lines.get(run_id)
        if line is None:
            raise NotFound("no such line on this request", field="run_id")
        if line.status is not LineStatus.ALLOCATED:
            raise Conflict(f"line is already {line.status.value}", field="run_id")
        at = clock.iso()
        updates = {"status": LineStatus.DISPATCHED.value, "dispatched_at": at, "dispatched_by": audit.actor, "carrier": carrier, "note": note}
        updates = {key: value for key, value in updates.items() if value is not None}
        names = {"#run": run_id, **{f"#{key}": key for key in updates}}
        assignments = ", ".join(f"ledger.#run.#{key} = :{key}" for key in updates)
        writes = [
            self._update(
                {"pk": f"req#{request.request_id}", "sk": "meta"},
                f"SET dispatched = dispatched + :q, {assignments}",
                _values(q=line.quantity, expected=LineStatus.ALLOCATED.value, **updates),
                ConditionExpression="ledger.#run.#status = :expected",
                ExpressionAttributeNames=names,
            ),
            self._update(
                {"pk": f"wh#{line.warehouse_id}", "sk": f"stock#{request.item.value}"},
                "SET reserved = reserved - :q",
                _values(q=line.quantity),
                ConditionExpression="reserved >= :q",
            ),
            self._agg(request.item, request.tier.value, dispatched=line.quantity),
            self._audit.put_request(audit),
        ]
        self._transact(writes, {0: Conflict("line was dispatched meanwhile", field="run_id")})
        return Line(**{**line.__dict__, "status": LineStatus.DISPATCHED, "dispatched_at": at, "dispatched_by": audit.actor, "carrier": carrier, "note": note})

    def sign_receipt(self, request: SupplyRequest, run_id: str, received: int, note: str | None, audit: AuditRecord) -> Line:
        """Sign for a dispatched line (签收): what arrived, by whom and when, with a tamper-evident digest."""
        line = request.lines.get(run_id)
        if line is None:
            raise NotFound("no such line on this request", field="run_id")
        if line.status is not LineStatus.DISPATCHED:
            raise Conflict(f"only a dispatched line can be signed for; this one is {line.status.value}", field="run_id")
        if received > line.quantity:
            raise InvalidInput(f"more than the {line.quantity} dispatched", field="received_quantity")
        at = clock.iso()
        signed = receipt_digest(request.request_id, line, received, audit.actor_sub, at)
        updates: dict[str, Any] = {
            "status": LineStatus.RECEIVED.value,
            "received_at": at,
            "received_by": audit.actor,
            "received_quantity": received,
            "receipt_digest": signed,
        }
        if note:
            updates["receipt_note"] = note
        names = {"#run": run_id, **{f"#{key}": key for key in updates}}
        assignments = ", ".join(f"ledger.#run.#{key} = :{key}" for key in updates)
        writes = [
            self._update(
                {"pk": f"req#{request.request_id}", "sk": "meta"},
                f"SET received = received + :r, {assignments}",
                _values(r=received, expected=LineStatus.DISPATCHED.value, **updates),
                ConditionExpression="ledger.#run.#status = :expected",
                ExpressionAttributeNames=names,
            ),
            self._agg(request.item, request.tier.value, received=received),
            self._audit.put_request(audit),
        ]
        self._transact(writes, {0: Conflict("line was signed for meanwhile", field="run_id")})
        return Line(
            **{
                **line.__dict__,
                "status": LineStatus.RECEIVED,
                "received_at": at,
                "received_by": audit.actor,
                "received_quantity": received,
                "receipt_digest": signed,
            }
        )

    # -- public totals -------------------------------------------------------------------------------------------
    def totals(self) -> dict[tuple[Item, str], dict[str, int]]:
        rows = self._query(KeyConditionExpression="pk = :p", ExpressionAttributeValues=_values(p="agg"), ConsistentRead=True)
        found: dict[tuple[Item, str], dict[str, int]] = {}
        for row in rows:
            item, bucket = row["sk"].split("#", 1)
            found[(Item(item), bucket)] = {key: value for key, value in row.items() if isinstance(value, int)}
        return found
