"""Data access for return to work (``EnterprisesTable``, partition ``pk``, sort ``sk``).

* ``ent#<id>`` / ``meta``            the enterprise (name, county, industry, above-scale flag, resumption
  status); ``registry-index`` (``county_code``, ``enterprise_id``) lists a county's enterprises.
* ``ent#<id>`` / ``app#<time>#<id>`` a resumption application with its prevention plan and the decision.
* ``ent#<id>`` / ``emp#<employee id>`` an employee: the HMAC look-up key of the ID number, a masked name and,
  once known, the person id; never the ID number or the name in clear. Expires after the personal-record
  retention unless uploaded again.

Employees are linked to residents through the people registry's ``idn#<key>`` pointer items
(``PersonPointers``), so a roster can be uploaded before its workers register and picks them up later.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging, regions
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.enterprises.rules import (
    Decision,
    Enterprise,
    Industry,
    ResumptionStatus,
    RosterColour,
    RosterEntry,
    next_status,
    roster_colour,
)
from sanmenxia.errors import Conflict, NotFound, UpstreamUnavailable
from sanmenxia.holds import CodeColor
from sanmenxia.items import from_item, to_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _enterprise(raw: Mapping[str, Any]) -> Enterprise:
    return Enterprise(
        enterprise_id=raw["enterprise_id"],
        name=raw["name"],
        county_code=raw["county_code"],
        industry=Industry(raw["industry"]),
        above_scale=bool(raw["above_scale"]),
        status=ResumptionStatus(raw["resumption_status"]),
        resumed_on=raw.get("resumed_on"),
        created_at=raw["created_at"],
        roll_up=raw.get("roster"),
    )


def _entry(raw: Mapping[str, Any]) -> RosterEntry:
    return RosterEntry(raw["employee_id"], raw["id_key"], raw["masked_name"], raw.get("person_id"), raw["added_at"])


class PersonPointers:
    """Finds person ids from ID-number look-up keys through the people registry's ``idn#<key>`` items."""

    def __init__(self, dynamodb: DynamoDBClient, people_table: str) -> None:
        self._db = dynamodb
        self._table = people_table

    def person_ids(self, id_keys: Iterable[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(id_keys))
        keys = [{"pk": {"S": f"idn#{key}"}} for key in wanted]
        items = dynamo.batch_get(self._db, self._table, keys, what="people registry", projection="pk, person_id")
        return {item["pk"]["S"].removeprefix("idn#"): item["person_id"]["S"] for item in items}


class EnterpriseStore:
    """Reads and writes the registry, applications and rosters. ``dynamodb`` is a boto3 client."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, audit: AuditLog, retention_days: int = 60) -> None:
        self._db = dynamodb
        self._table = table
        self._audit = audit
        self._retention = retention_days

    # -- helpers ------------------------------------------------------------------------------------------
    def _transact(self, writes: list[dict[str, Any]], refusals: Mapping[int, Exception]) -> None:
        dynamo.transact(self._db, writes, what="enterprise records", refusals=refusals)

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        return [from_item(item) for item in dynamo.query_all(self._db, what="enterprise records", TableName=self._table, **kwargs)]

    # -- registry ------------------------------------------------------------------------------------------
    def register(self, enterprise: Enterprise, audit: AuditRecord) -> Enterprise:
        item = to_item({"pk": f"ent#{enterprise.enterprise_id}", "sk": "meta", **enterprise.to_json()})
        put = {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
        self._transact([put, self._audit.put_request(audit)], {0: Conflict("an enterprise with this id exists", field="enterprise_id")})
        return enterprise

    def get(self, enterprise_id: str) -> Enterprise:
        try:
            item = self._db.get_item(TableName=self._table, Key=to_item({"pk": f"ent#{enterprise_id}", "sk": "meta"}), ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the enterprise") from exc
        if item is None:
            raise NotFound("no such enterprise", field="enterprise_id")
        return _enterprise(from_item(item))

    def in_county(self, county_code: str) -> list[Enterprise]:
        rows = self._query(
            IndexName="registry-index",
            KeyConditionExpression="county_code = :c",
            ExpressionAttributeValues=to_item({":c": county_code}),
        )
        return [_enterprise(row) for row in rows]

    def in_counties(self, county_codes: Iterable[str] | None = None) -> list[Enterprise]:
        codes = list(county_codes) if county_codes is not None else [county.code for county in regions.COUNTIES]
        return [enterprise for code in codes for enterprise in self.in_county(code)]

    def page_in_counties(self, county_codes: Sequence[str], *, limit: int, start: dict[str, Any] | None) -> tuple[list[Enterprise], dict[str, Any] | None]:
        """A page of the enterprises of ``county_codes``, county after county, and the key to continue after."""
        queries = [
            (
                code,
                {
                    "TableName": self._table,
                    "IndexName": "registry-index",
                    "KeyConditionExpression": "county_code = :c",
                    "ExpressionAttributeValues": to_item({":c": code}),
                },
            )
            for code in county_codes
        ]
        raw = paging.query_parts(
            self._db, queries, limit=limit, start=start, key_attributes=("pk", "sk", "county_code", "enterprise_id"), what="the enterprises"
        )
        return [_enterprise(from_item(item)) for item in raw.items], raw.last_key

    # -- resumption ------------------------------------------------------------------------------------------
    def apply(self, enterprise: Enterprise, plan: Mapping[str, Any], applied_by: str, audit: AuditRecord) -> dict[str, Any]:
        """File a resumption application (复工申请); the enterprise's status becomes pending."""
        next_status(enterprise.status, None)
        at = clock.iso()
        application = {"application_id": f"app-{secrets.token_hex(5)}", "status": ResumptionStatus.PENDING.value, "applied_at": at}
        application |= {"applied_by": applied_by, **plan}
        writes = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": to_item({"pk": f"ent#{enterprise.enterprise_id}", "sk": f"app#{at}#{application['application_id']}", **application}),
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"pk": f"ent#{enterprise.enterprise_id}", "sk": "meta"}),
                    "UpdateExpression": "SET resumption_status = :pending, application_sk = :app",
                    "ConditionExpression": "resumption_status = :seen",
                    "ExpressionAttributeValues": to_item(
                        {
                            ":pending": ResumptionStatus.PENDING.value,
                            ":app": f"app#{at}#{application['application_id']}",
                            ":seen": enterprise.status.value,
                        }
                    ),
                }
            },
            self._audit.put_request(audit),
        ]
        self._transact(writes, {1: Conflict("the enterprise's status changed meanwhile; reload", field="enterprise_id")})
        return application

    def applications(self, enterprise_id: str) -> list[dict[str, Any]]:
        rows = self._query(
            KeyConditionExpression="pk = :p AND begins_with(sk, :a)",
            ExpressionAttributeValues=to_item({":p": f"ent#{enterprise_id}", ":a": "app#"}),
            ScanIndexForward=False,
            ConsistentRead=True,
        )
        return [{key: value for key, value in row.items() if key not in {"pk", "sk"}} for row in rows]

    def decide(self, enterprise: Enterprise, decision: Decision, note: str | None, decided_by: str, audit: AuditRecord) -> dict[str, Any]:
        """Approve or reject the pending application (审批); approval marks the enterprise resumed today."""
        status = next_status(enterprise.status, decision)
        meta = self._get_meta_raw(enterprise.enterprise_id)
        at = clock.iso()
        resumed_on = clock.today().isoformat() if status is ResumptionStatus.APPROVED else None
        meta_update = "SET resumption_status = :status" + (", resumed_on = :day" if resumed_on else "")
        meta_values = {":status": status.value, ":seen": ResumptionStatus.PENDING.value} | ({":day": resumed_on} if resumed_on else {})
        decision_values = {":status": status.value, ":at": at, ":by": decided_by, ":note": note or "", ":seen": ResumptionStatus.PENDING.value}
        writes = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"pk": f"ent#{enterprise.enterprise_id}", "sk": meta["application_sk"]}),
                    "UpdateExpression": "SET #status = :status, decided_at = :at, decided_by = :by, decision_note = :note",
                    "ConditionExpression": "#status = :seen",
                    "ExpressionAttributeNames": {"#status": "status"},
                    "ExpressionAttributeValues": to_item(decision_values),
                }
            },
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"pk": f"ent#{enterprise.enterprise_id}", "sk": "meta"}),
                    "UpdateExpression": meta_update,
                    "ConditionExpression": "resumption_status = :seen",
                    "ExpressionAttributeValues": to_item(meta_values),
                }
            },
            self._audit.put_request(audit),
        ]
        self._transact(writes, {0: Conflict("the application was decided meanwhile", field="enterprise_id")})
        return {"enterprise_id": enterprise.enterprise_id, "resumption_status": status.value, "resumed_on": resumed_on, "decided_at": at}

    def _get_meta_raw(self, enterprise_id: str) -> dict[str, Any]:
        try:
            item = self._db.get_item(TableName=self._table, Key=to_item({"pk": f"ent#{enterprise_id}", "sk": "meta"}), ConsistentRead=True).get("Item")
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the enterprise") from exc
        if item is None:
            raise NotFound("no such enterprise", field="enterprise_id")
        return from_item(item)

    def save_roll_up(self, enterprise_id: str, counts: Mapping[str, Any]) -> None:
        """Store a roster's colour counts on the enterprise (a computed figure, not a staff write: no audit)."""
        try:
            dynamo.update(
                self._db,
                what="roster roll-up",
                TableName=self._table,
                Key=to_item({"pk": f"ent#{enterprise_id}", "sk": "meta"}),
                UpdateExpression="SET roster = :r",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues=to_item({":r": {key: value for key, value in counts.items() if isinstance(value, int | str)}}),
            )
        except dynamo.ConditionFailed as exc:
            raise NotFound("no such enterprise", field="enterprise_id") from exc

    # -- roster ----------------------------------------------------------------------------------------------
    def add_employees(self, enterprise_id: str, entries: Sequence[RosterEntry], audit: AuditRecord) -> tuple[int, int]:
        """Put employees on the roster (idempotent: uploading someone again refreshes the entry and its expiry).
        Returns (newly added, already listed)."""
        unique = list({entry.employee_id: entry for entry in entries}.values())
        keys = [to_item({"pk": f"ent#{enterprise_id}", "sk": f"emp#{entry.employee_id}"}) for entry in unique]
        existing = {item["sk"]["S"].removeprefix("emp#") for item in dynamo.batch_get(self._db, self._table, keys, what="roster", projection="sk")}
        expires = clock.epoch_after_days(self._retention)
        puts = [
            {
                "PutRequest": {
                    "Item": to_item(
                        {
                            "pk": f"ent#{enterprise_id}",
                            "sk": f"emp#{entry.employee_id}",
                            "employee_id": entry.employee_id,
                            "id_key": entry.id_key,
                            "masked_name": entry.masked_name,
                            "person_id": entry.person_id,
                            "added_at": entry.added_at,
                            "expires_at": expires,
                        }
                    )
                }
            }
            for entry in unique
        ]
        dynamo.batch_write(self._db, self._table, puts, what="roster")
        self._audit.append(audit)
        return len(unique) - len(existing), len(existing)

    def roster(self, enterprise_id: str) -> list[RosterEntry]:
        rows = self._query(
            KeyConditionExpression="pk = :p AND begins_with(sk, :e)",
            ExpressionAttributeValues=to_item({":p": f"ent#{enterprise_id}", ":e": "emp#"}),
            ConsistentRead=True,
        )
        return [_entry(row) for row in rows]

    def remove_employee(self, enterprise_id: str, employee_id: str, audit: AuditRecord) -> None:
        delete = {
            "Delete": {
                "TableName": self._table,
                "Key": to_item({"pk": f"ent#{enterprise_id}", "sk": f"emp#{employee_id}"}),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        self._transact([delete, self._audit.put_request(audit)], {0: NotFound("no such employee on this roster", field="employee_id")})


def roster_colours(
    entries: Sequence[RosterEntry],
    pointers: PersonPointers,
    current_colours: Callable[[list[str]], Mapping[str, CodeColor]],
) -> list[tuple[RosterEntry, RosterColour]]:
    """Today's colour of each employee: resolve person ids still unknown through the registry's pointers, then
    read the shown colours (rule colour and holds) in batches. Unregistered or codeless → ``no_code``."""
    unresolved = [entry.id_key for entry in entries if entry.person_id is None]
    found = pointers.person_ids(unresolved) if unresolved else {}
    person_of = {entry.employee_id: entry.person_id or found.get(entry.id_key) for entry in entries}
    colours = current_colours([person_id for person_id in person_of.values() if person_id])
    return [(entry, roster_colour(colours.get(person_of[entry.employee_id] or ""))) for entry in entries]
