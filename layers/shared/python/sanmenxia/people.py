"""The people registry (人员登记): residents, their households, and look-up by ID number.

Table layout (``PeopleTable``, one partition key ``pk``):

* ``person#<id>``  the person: sealed ID number, name, phone and address; HMAC look-up keys; county,
  community, household (the head's person id) and relation; ``account_sub`` when the person has an account.
* ``idn#<hmac>``   one per ID number: makes registration unique and finds a person from an ID card.
* ``acct#<sub>``   one per Cognito account: "me".

All three are written in one transaction, so a registration is whole or absent.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import clock, dynamo, paging, retention
from sanmenxia.audit import AuditLog, AuditRecord
from sanmenxia.auth import Principal
from sanmenxia.errors import Conflict, Forbidden, NotFound, UpstreamUnavailable
from sanmenxia.idnumber import parse_id_number
from sanmenxia.masking import mask_id_number, mask_name, mask_phone
from sanmenxia.pii import Vault, lookup_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class Relation(StrEnum):
    """Relation to the household head (与户主关系)."""

    SELF = "self"  # 本人
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    GRANDPARENT = "grandparent"  # (外)祖父母
    GRANDCHILD = "grandchild"  # (外)孙子女
    SIBLING = "sibling"  # 兄弟姐妹
    OTHER = "other"  # 其他


@dataclass(frozen=True)
class NewPerson:
    name: str
    id_number: str
    county_code: str
    community_id: str
    address: str
    phone: str | None = None
    relation: Relation = Relation.SELF


@dataclass(frozen=True)
class Person:
    """A person with personal fields opened (in memory only; ``masked()`` is what leaves the function)."""

    person_id: str
    name: str
    id_number: str
    phone: str | None
    address: str
    county_code: str
    community_id: str
    household_id: str
    relation: str
    account_sub: str | None
    birth_year: int
    created_at: str

    def masked(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "name": mask_name(self.name),
            "id_number": mask_id_number(self.id_number),
            "phone": mask_phone(self.phone) if self.phone else None,
            "county_code": self.county_code,
            "community_id": self.community_id,
            "household_id": self.household_id,
            "relation": self.relation,
            "has_account": self.account_sub is not None,
            "created_at": self.created_at,
        }

    def audit_state(self) -> dict[str, Any]:
        """What the audit digest covers: the record without clear personal fields."""
        state = asdict(self)
        for key in ("name", "id_number", "phone", "address"):
            state.pop(key)
        return state


@dataclass(frozen=True)
class PersonPlace:
    """A person's id and place, without any personal field."""

    person_id: str
    county_code: str
    community_id: str
    household_id: str


def _s(value: str) -> dict[str, str]:
    return {"S": value}


class PeopleRegistry:
    """Data access for people. ``dynamodb`` is a boto3 client; ``lookup_secret`` is called lazily once."""

    def __init__(self, dynamodb: DynamoDBClient, table: str, vault: Vault, lookup_secret: Callable[[], bytes], audit: AuditLog) -> None:
        self._db = dynamodb
        self._table = table
        self._vault = vault
        self._secret = lookup_secret
        self._audit = audit

    # -- keys -----------------------------------------------------------------------------------------
    def id_key(self, id_number: str) -> str:
        return lookup_key(self._secret(), "idn", parse_id_number(id_number).value)

    def phone_key(self, phone: str) -> str:
        return lookup_key(self._secret(), "phone", phone)

    # -- writes ---------------------------------------------------------------------------------------
    def register(self, account_sub: str, new: NewPerson, *, household_id: str | None = None, audit: AuditRecord | None = None) -> Person:
        """Register a person; with ``household_id`` a dependent of that household (no account)."""
        person_id = secrets.token_hex(12)
        parsed = parse_id_number(new.id_number, today=clock.today())
        id_key = self.id_key(parsed.value)
        ttl = {"N": str(clock.epoch_after_days(retention.settings().people_retention_days))}  # the person and their pointers
        item: dict[str, Any] = {
            "pk": _s(f"person#{person_id}"),
            "person_id": _s(person_id),
            "idn_key": _s(id_key),
            "enc_id": _s(self._vault.seal("id_number", parsed.value)),
            "enc_name": _s(self._vault.seal("name", new.name)),
            "enc_address": _s(self._vault.seal("address", new.address)),
            "county_code": _s(new.county_code),
            "community_id": _s(new.community_id),
            "household_id": _s(household_id or person_id),
            "relation": _s(new.relation.value if household_id else Relation.SELF.value),
            "birth_year": {"N": str(parsed.birth_date.year)},
            "created_at": _s(clock.iso()),
            "expires_at": ttl,
        }
        if new.phone:
            item["enc_phone"] = _s(self._vault.seal("phone", new.phone))
            item["phone_key"] = _s(self.phone_key(new.phone))
        if household_id is None:
            item["account_sub"] = _s(account_sub)
        else:
            item["registered_by"] = _s(account_sub)
        writes: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {"pk": _s(f"idn#{id_key}"), "person_id": _s(person_id), "expires_at": ttl},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
        ]
        if household_id is None:
            writes.append(
                {
                    "Put": {
                        "TableName": self._table,
                        "Item": {"pk": _s(f"acct#{account_sub}"), "person_id": _s(person_id), "expires_at": ttl},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        if audit is not None:
            writes.append(self._audit.put_request(audit))
        refusals: dict[int, Exception] = {
            1: Conflict("this ID number is already registered", field="id_number"),
            2: Conflict("this account has already registered a resident"),
        }
        dynamo.transact(self._db, writes, what="registration", refusals=refusals)
        return self._open(item)

    # -- reads ----------------------------------------------------------------------------------------
    def _get(self, pk: str, *, read: tuple[dict[str, Any] | None] | None = None) -> dict[str, Any] | None:
        """An item of the registry. Registered items are never changed (a person, their pointers), so an eventually
        consistent read (half the capacity: every gate scan and token reads here) is exact when it finds the item;
        only a miss is read again strongly, for an item written a moment ago. ``read`` holds the eventually
        consistent answer when the caller batched it with its own reads."""
        try:
            for consistent in (False, True):
                if not consistent and read is not None:
                    item = read[0]
                else:
                    item = self._db.get_item(TableName=self._table, Key={"pk": _s(pk)}, ConsistentRead=consistent).get("Item")
                if item is not None:
                    return item
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the registry") from exc
        return None

    @property
    def table(self) -> str:
        return self._table

    @staticmethod
    def person_key(person_id: str) -> dict[str, Any]:
        """The key of a person's record, for a caller that batches the read with its own (``get(read=...)``)."""
        return {"pk": _s(f"person#{person_id}")}

    def _open(self, item: dict[str, Any]) -> Person:
        def opened(name: str, purpose: str) -> str | None:
            return self._vault.open(purpose, item[name]["S"]) if name in item else None

        return Person(
            person_id=item["person_id"]["S"],
            name=opened("enc_name", "name") or "",
            id_number=opened("enc_id", "id_number") or "",
            phone=opened("enc_phone", "phone"),
            address=opened("enc_address", "address") or "",
            county_code=item["county_code"]["S"],
            community_id=item["community_id"]["S"],
            household_id=item["household_id"]["S"],
            relation=item["relation"]["S"],
            account_sub=item.get("account_sub", {}).get("S"),
            birth_year=int(item["birth_year"]["N"]),
            created_at=item["created_at"]["S"],
        )

    def get(self, person_id: str, *, read: tuple[dict[str, Any] | None] | None = None) -> Person:
        item = self._get(f"person#{person_id}", read=read)
        if item is None:
            raise NotFound("no such person")
        return self._open(item)

    def find_by_account(self, account_sub: str) -> Person | None:
        pointer = self._get(f"acct#{account_sub}")
        return self.get(pointer["person_id"]["S"]) if pointer else None

    def me(self, account_sub: str) -> Person:
        person = self.find_by_account(account_sub)
        if person is None:
            raise NotFound("register as a resident first (POST /residents)")
        return person

    def find_by_id_number(self, id_number: str) -> Person | None:
        pointer = self._get(f"idn#{self.id_key(id_number)}")
        return self.get(pointer["person_id"]["S"]) if pointer else None

    def locate_by_id_number(self, id_number: str) -> PersonPlace | None:
        """Who holds this ID number and where they live, read through the HMAC look-up key without opening any
        sealed field (a lab file matches thousands of people; none of them needs a name)."""
        pointer = self._get(f"idn#{self.id_key(id_number)}")
        if pointer is None:
            return None
        item = self._get(f"person#{pointer['person_id']['S']}")
        if item is None:
            return None
        return PersonPlace(item["person_id"]["S"], item["county_code"]["S"], item["community_id"]["S"], item["household_id"]["S"])

    def household(self, household_id: str) -> list[Person]:
        try:
            items = self._db.query(
                TableName=self._table,
                IndexName="household-index",
                KeyConditionExpression="household_id = :h",
                ExpressionAttributeValues={":h": _s(household_id)},
            )["Items"]
        except ClientError as exc:
            raise UpstreamUnavailable("could not read the registry") from exc
        return [self._open(item) for item in items]

    def household_page(self, household_id: str, *, limit: int, start: dict[str, Any] | None) -> tuple[list[Person], dict[str, Any] | None]:
        """A page of a household's members and the key to continue after."""
        query = {
            "TableName": self._table,
            "IndexName": "household-index",
            "KeyConditionExpression": "household_id = :h",
            "ExpressionAttributeValues": {":h": _s(household_id)},
        }
        raw = paging.query_page(self._db, query, limit=limit, start=start, key_attributes=("pk", "household_id"), what="the registry")
        return [self._open(item) for item in raw.items], raw.last_key

    def person_id_for(self, principal: Principal, person_id: str | None) -> str:
        """The id ``person_for`` answers, for a route that needs no more than the id (a token): the caller's own
        costs one read of the account's pointer, without reading and opening the person's record."""
        if person_id is not None:
            return self.person_for(principal, person_id).person_id
        pointer = self._get(f"acct#{principal.sub}")
        if pointer is None:
            raise NotFound("register as a resident first (POST /residents)")
        return str(pointer["person_id"]["S"])

    def person_for(self, principal: Principal, person_id: str | None) -> Person:
        """The caller's own record, or (``person_id`` given) a member of the caller's household (403 else)."""
        me = self.me(principal.sub)
        if person_id is None or person_id == me.person_id:
            return me
        try:
            member = self.get(person_id)
        except NotFound as exc:
            raise Forbidden("not a member of your household", field="person") from exc
        if member.household_id != me.person_id or member.account_sub is not None:
            raise Forbidden("not a member of your household", field="person")
        return member
