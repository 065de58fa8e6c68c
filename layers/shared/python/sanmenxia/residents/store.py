"""Data access for ``ResidentsTable``: residents' latest self-reports and hardship requests, per community.

Items (partition ``pk`` = ``c#<community>``):

* ``sk`` = ``p#<person id>``: a resident (masked identity, latest report, open request ids, sparse index
  attributes from ``residents.index_values``), optimistic ``version``;
* ``sk`` = ``h#<request id>``: a hardship request; its description and the head's note are sealed (they are
  free text a resident or head may put personal details in).

Writes go through ``TransactWriteItems`` so a request and the resident's index attributes change together.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.masking import mask_id_number, mask_name
from sanmenxia.people import Person
from sanmenxia.pii import Vault
from sanmenxia.residents.rules import (
    HardshipKind,
    HardshipStatus,
    Health,
    IsolationStatus,
    PersonType,
    QueryPlan,
    ResidentState,
    Symptom,
    TravelEntry,
    TravelRegion,
    community_partition,
    hardship_sort_key,
    index_values,
    resident_sort_key,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class StaleWrite(Conflict):
    """Someone else changed the record between our read and our write (the caller retries)."""


@dataclass(frozen=True)
class HardshipRequest:
    request_id: str
    community_id: str
    person_id: str
    household_id: str
    kind: HardshipKind
    description: str
    status: HardshipStatus
    created_at: str
    handled_by: str | None = None
    handled_at: str | None = None
    note: str | None = None
    version: int = 0
    # masked at creation (never clear): who needs help, where, and the phone that answers for them
    requester: str | None = None
    address: str | None = None
    contact_phone: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "community_id": self.community_id,
            "person_id": self.person_id,
            "requester": self.requester,
            "address": self.address,
            "contact_phone": self.contact_phone,
            "kind": self.kind.value,
            "description": self.description,
            "status": self.status.value,
            "created_at": self.created_at,
            "handled_by": self.handled_by,
            "handled_at": self.handled_at,
            "note": self.note,
        }


def base_state(person: Person) -> ResidentState:
    """A registered person before any self-report: masked identity only."""
    return ResidentState(
        person_id=person.person_id,
        community_id=person.community_id,
        household_id=person.household_id,
        relation=person.relation,
        name_masked=mask_name(person.name),
        id_masked=mask_id_number(person.id_number),
    )


def new_request_id() -> str:
    """Sortable by time: ``<yyyymmddHHMMSS>-<random>``."""
    return clock.now().strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(4)


def state_to_json(state: ResidentState) -> dict[str, Any]:
    """The masked view a head (or the household) sees."""
    health = state.health
    return {
        "person_id": state.person_id,
        "community_id": state.community_id,
        "household_id": state.household_id,
        "relation": state.relation,
        "name": state.name_masked,
        "id_number": state.id_masked,
        "person_type": state.person_type.value if state.person_type else None,
        "temperature": float(health.temperature) if health and health.temperature is not None else None,
        "symptoms": [symptom.value for symptom in health.symptoms] if health else [],
        "fever": state.fever,
        "travel": [{"place": t.place, "region": t.region.value, "from_date": t.from_date.isoformat(), "to_date": t.to_date.isoformat()} for t in state.travel],
        "isolation": state.isolation.value,
        "isolation_site": state.isolation_site,
        "reported_on": state.reported_on.isoformat() if state.reported_on else None,
        "open_hardship_requests": len(state.open_requests),
    }


class ResidentStore:
    """``dynamodb`` is a boto3 client; ``vault`` seals free text; records expire ``retention_days`` after a write."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, vault: Vault, retention_days: int) -> None:
        self._db = dynamodb
        self._table = table
        self._vault = vault
        self._retention = retention_days

    # -- residents ------------------------------------------------------------------------------------
    def _item(self, state: ResidentState) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _s(community_partition(state.community_id)),
            "sk": _s(resident_sort_key(state.person_id)),
            "person_id": _s(state.person_id),
            "community_id": _s(state.community_id),
            "household_id": _s(state.household_id),
            "relation": _s(state.relation),
            "name_masked": _s(state.name_masked),
            "id_masked": _s(state.id_masked),
            "isolation": _s(state.isolation.value),
            "fever": {"BOOL": state.fever},
            "version": {"N": str(state.version)},
            "updated_at": _s(clock.iso()),
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
        }
        if state.person_type:
            item["person_type"] = _s(state.person_type.value)
        if state.health is not None:
            if state.health.temperature is not None:
                item["temperature"] = {"N": str(state.health.temperature)}
            item["symptoms"] = {"L": [_s(symptom.value) for symptom in state.health.symptoms]}
        if state.travel:
            item["travel"] = {
                "L": [
                    {
                        "M": {
                            "place": _s(t.place),
                            "region": _s(t.region.value),
                            "from": _s(t.from_date.isoformat()),
                            "to": _s(t.to_date.isoformat()),
                        }
                    }
                    for t in state.travel
                ]
            }
        if state.isolation_site:
            item["isolation_site"] = _s(state.isolation_site)
        if state.reported_on:
            item["reported_on"] = _s(state.reported_on.isoformat())
        if state.open_requests:
            item["open_requests"] = {"SS": sorted(state.open_requests)}
        item.update({name: _s(value) for name, value in index_values(state).items()})
        return item

    @staticmethod
    def _state(item: dict[str, Any]) -> ResidentState:
        health = None
        if "symptoms" in item or "temperature" in item:
            health = Health(
                Decimal(item["temperature"]["N"]) if "temperature" in item else None,
                tuple(Symptom(entry["S"]) for entry in item.get("symptoms", {}).get("L", [])),
            )
        travel = tuple(
            TravelEntry(
                entry["M"]["place"]["S"],
                TravelRegion(entry["M"]["region"]["S"]),
                date.fromisoformat(entry["M"]["from"]["S"]),
                date.fromisoformat(entry["M"]["to"]["S"]),
            )
            for entry in item.get("travel", {}).get("L", [])
        )
        return ResidentState(
            person_id=item["person_id"]["S"],
            community_id=item["community_id"]["S"],
            household_id=item["household_id"]["S"],
            relation=item["relation"]["S"],
            name_masked=item["name_masked"]["S"],
            id_masked=item["id_masked"]["S"],
            person_type=PersonType(item["person_type"]["S"]) if "person_type" in item else None,
            health=health,
            travel=travel,
            isolation=IsolationStatus(item["isolation"]["S"]),
            isolation_site=item.get("isolation_site", {}).get("S"),
            reported_on=date.fromisoformat(item["reported_on"]["S"]) if "reported_on" in item else None,
            open_requests=frozenset(item.get("open_requests", {}).get("SS", [])),
            version=int(item["version"]["N"]),
        )

    def get(self, community_id: str, person_id: str) -> ResidentState | None:
        try:
            item = self._db.get_item(
                TableName=self._table,
                Key={"pk": _s(community_partition(community_id)), "sk": _s(resident_sort_key(person_id))},
                ConsistentRead=True,
            ).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the resident") from exc
        return self._state(item) if item else None

    def get_many(self, community_id: str, person_ids: list[str]) -> dict[str, ResidentState]:
        """Residents of one community by id (one ``BatchGetItem`` per 100)."""
        keys = [{"pk": _s(community_partition(community_id)), "sk": _s(resident_sort_key(pid))} for pid in person_ids]
        states = (self._state(item) for item in dynamo.batch_get(self._db, self._table, keys, what="residents", consistent=True))
        return {state.person_id: state for state in states}

    def seed(self, state: ResidentState) -> bool:
        """Add a registered person to their community's list unless they are there already (never overwrites)."""
        try:
            dynamo.put(
                self._db, what="resident", TableName=self._table, Item=self._item(replace(state, version=1)), ConditionExpression="attribute_not_exists(pk)"
            )
        except dynamo.ConditionFailed:
            return False
        return True

    def put_request(self, state: ResidentState, expected_version: int) -> dict[str, Any]:
        """The ``Put`` that writes ``state`` if the stored version is still ``expected_version`` (absent for 0)."""
        condition = "attribute_not_exists(pk)" if expected_version == 0 else "version = :v"
        put: dict[str, Any] = {"TableName": self._table, "Item": self._item(replace(state, version=expected_version + 1))}
        put["ConditionExpression"] = condition
        if expected_version:
            put["ExpressionAttributeValues"] = {":v": {"N": str(expected_version)}}
        return {"Put": put}

    def transact(self, writes: list[dict[str, Any]]) -> None:
        """Run writes as one transaction; ``StaleWrite`` when a version check failed."""
        try:
            dynamo.transact(self._db, writes, what="resident")
        except (dynamo.ConditionFailed, dynamo.Busy) as exc:
            raise StaleWrite("the record changed meanwhile; try again") from exc

    def page(self, plan: QueryPlan, *, limit: int, start: dict[str, Any] | None) -> tuple[list[ResidentState], dict[str, Any] | None]:
        """One page of residents matching ``plan`` from ``start``; returns where the next page starts."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":p": _s(plan.partition_value)}
        tests = []
        for index, attribute in enumerate(plan.present):
            names[f"#a{index}"] = attribute
            tests.append(f"attribute_exists(#a{index})")
        for index, attribute in enumerate(plan.absent):
            names[f"#n{index}"] = attribute
            tests.append(f"attribute_not_exists(#n{index})")
        for index, (attribute, value) in enumerate(plan.equals):
            names[f"#e{index}"] = attribute
            values[f":e{index}"] = _s(value)
            tests.append(f"#e{index} = :e{index}")
        names["#pk"] = plan.partition_attribute
        key_condition = "#pk = :p"
        if plan.index is None:
            key_condition += " AND begins_with(sk, :prefix)"
            values[":prefix"] = _s("p#")
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": key_condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if plan.index:
            query["IndexName"] = plan.index
        if tests:
            query["FilterExpression"] = " AND ".join(tests)
        keys = ("pk", "sk", plan.partition_attribute) if plan.index else ("pk", "sk")
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=keys, what="residents")
        return [self._state(item) for item in raw.items], raw.last_key

    # -- hardship requests ----------------------------------------------------------------------------
    def request_item(self, request: HardshipRequest) -> dict[str, Any]:
        item: dict[str, Any] = {
            "pk": _s(community_partition(request.community_id)),
            "sk": _s(hardship_sort_key(request.request_id)),
            "request_id": _s(request.request_id),
            "community_id": _s(request.community_id),
            "person_id": _s(request.person_id),
            "household_id": _s(request.household_id),
            "need": _s(request.kind.value),
            "enc_description": _s(self._vault.seal("hardship", request.description)),
            "status": _s(request.status.value),
            "created_at": _s(request.created_at),
            "version": {"N": str(request.version + 1)},
            "expires_at": {"N": str(clock.epoch_after_days(self._retention))},
        }
        if request.handled_by:
            item["handled_by"] = _s(request.handled_by)
        if request.handled_at:
            item["handled_at"] = _s(request.handled_at)
        if request.note:
            item["enc_note"] = _s(self._vault.seal("hardship_note", request.note))
        for name, masked in (("requester_masked", request.requester), ("address_masked", request.address), ("phone_masked", request.contact_phone)):
            if masked:
                item[name] = _s(masked)
        return item

    def put_request_item(self, request: HardshipRequest) -> dict[str, Any]:
        """The ``Put`` of a new request, or of a changed one if nobody changed it meanwhile."""
        put: dict[str, Any] = {"TableName": self._table, "Item": self.request_item(request)}
        if request.version == 0:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "version = :v"
            put["ExpressionAttributeValues"] = {":v": {"N": str(request.version)}}
        return {"Put": put}

    def _request(self, item: dict[str, Any]) -> HardshipRequest:
        return HardshipRequest(
            request_id=item["request_id"]["S"],
            community_id=item["community_id"]["S"],
            person_id=item["person_id"]["S"],
            household_id=item["household_id"]["S"],
            kind=HardshipKind(item["need"]["S"]),
            description=self._vault.open("hardship", item["enc_description"]["S"]),
            status=HardshipStatus(item["status"]["S"]),
            created_at=item["created_at"]["S"],
            handled_by=item.get("handled_by", {}).get("S"),
            handled_at=item.get("handled_at", {}).get("S"),
            note=self._vault.open("hardship_note", item["enc_note"]["S"]) if "enc_note" in item else None,
            version=int(item["version"]["N"]),
            requester=item.get("requester_masked", {}).get("S"),
            address=item.get("address_masked", {}).get("S"),
            contact_phone=item.get("phone_masked", {}).get("S"),
        )

    def get_request(self, community_id: str, request_id: str) -> HardshipRequest:
        try:
            item = self._db.get_item(
                TableName=self._table,
                Key={"pk": _s(community_partition(community_id)), "sk": _s(hardship_sort_key(request_id))},
                ConsistentRead=True,
            ).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the request") from exc
        if item is None:
            raise NotFound("no such hardship request in this community", field="request_id")
        return self._request(item)

    def list_requests(
        self, community_id: str, *, status: HardshipStatus | None = None, household_id: str | None = None, limit: int = 50, start: dict[str, Any] | None = None
    ) -> tuple[list[HardshipRequest], dict[str, Any] | None]:
        """Requests of a community, newest first, optionally of one status or one household."""
        names: dict[str, str] = {}
        values: dict[str, Any] = {":p": _s(community_partition(community_id)), ":prefix": _s("h#")}
        tests = []
        if status is not None:
            names["#st"] = "status"
            values[":st"] = _s(status.value)
            tests.append("#st = :st")
        if household_id is not None:
            values[":h"] = _s(household_id)
            tests.append("household_id = :h")
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :p AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": values,
            "ScanIndexForward": False,
        }
        if names:
            query["ExpressionAttributeNames"] = names
        if tests:
            query["FilterExpression"] = " AND ".join(tests)
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "sk"), what="hardship requests")
        return [self._request(item) for item in raw.items], raw.last_key
