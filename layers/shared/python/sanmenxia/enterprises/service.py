"""Return-to-work use cases (复工复产): rosters and their colour roll-ups, resumption decisions, statistics.

Scope checks stay with the caller (``Principal.require_enterprise_record`` / ``require_county`` on the loaded
enterprise); every staff write carries its audit record into the store's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sanmenxia import audit, clock
from sanmenxia.auth import Principal
from sanmenxia.enterprises.rules import Decision, Enterprise, RosterColour, RosterEntry, employee_id, roll_up, statistics
from sanmenxia.enterprises.store import EnterpriseStore, PersonPointers, roster_colours
from sanmenxia.holds import CodeColor


@dataclass(frozen=True)
class RosterUpload:
    """What an upload did: how many employees were added, how many were already listed, and the entries."""

    added: int
    already_listed: int
    entries: list[RosterEntry]


@dataclass
class EnterpriseService:
    store: EnterpriseStore
    pointers: PersonPointers
    current_colours: Callable[[list[str]], Mapping[str, CodeColor]]

    def colours_of(self, enterprise: Enterprise) -> list[tuple[RosterEntry, RosterColour]]:
        """Today's colour of each employee on the roster."""
        return roster_colours(self.store.roster(enterprise.enterprise_id), self.pointers, self.current_colours)

    def refresh_roll_up(self, enterprise_id: str) -> dict[str, Any]:
        """Read a roster's colours now and store the counts on the enterprise (what the statistics add up)."""
        enterprise = self.store.get(enterprise_id)
        counts = roll_up((colour for _, colour in self.colours_of(enterprise)), clock.iso())
        self.store.save_roll_up(enterprise_id, counts)
        return counts

    def refresh_resumed(self) -> dict[str, int]:
        """The hourly refresh: every resumed enterprise's roll-up read again."""
        resumed = [enterprise for enterprise in self.store.in_counties() if enterprise.resumed]
        workers = sum(int(self.refresh_roll_up(enterprise.enterprise_id)["employees"]) for enterprise in resumed)
        return {"enterprises": len(resumed), "workers": workers}

    def upload_roster(self, principal: Principal, enterprise_id: str, employees: Iterable[tuple[str, str]]) -> RosterUpload:
        """Add employees, given as (ID number's look-up key, masked name), linked to residents already registered;
        then refresh the roll-up."""
        at = clock.iso()
        keyed = list(employees)
        found = self.pointers.person_ids(key for key, _ in keyed)
        entries = [RosterEntry(employee_id(enterprise_id, key), key, masked, found.get(key), at) for key, masked in keyed]
        entry = audit.record(principal, "enterprise.roster.upload", f"enterprise#{enterprise_id}", None, {"employees": len(entries)})
        added, already = self.store.add_employees(enterprise_id, entries, entry)
        self.refresh_roll_up(enterprise_id)
        return RosterUpload(added, already, entries)

    def remove_employee(self, principal: Principal, enterprise_id: str, employee_id: str) -> None:
        entry = audit.record(principal, "enterprise.roster.remove", f"enterprise#{enterprise_id}", {"employee_id": employee_id}, None)
        self.store.remove_employee(enterprise_id, employee_id, entry)
        self.refresh_roll_up(enterprise_id)

    def decide(self, principal: Principal, enterprise: Enterprise, decision: Decision, note: str | None) -> dict[str, Any]:
        """Approve or reject the enterprise's application; the roster's roll-up is refreshed with it."""
        after = {"decision": decision.value, "note": note}
        entry = audit.record(principal, f"enterprise.resumption.{decision.value}", f"enterprise#{enterprise.enterprise_id}", enterprise.to_json(), after)
        decided = self.store.decide(enterprise, decision, note, principal.username, entry)
        decided["roster"] = self.refresh_roll_up(enterprise.enterprise_id)
        return decided

    def statistics(self, counties: list[str], *, live: bool) -> dict[str, Any]:
        """Enterprises resumed and workers with green codes in ``counties``, from the stored roll-ups or (``live``)
        every roster's colours read now."""
        enterprises = self.store.in_counties(counties)
        if live:
            counts = {e.enterprise_id: roll_up(colour for _, colour in self.colours_of(e)) for e in enterprises if e.resumed}
        else:
            counts = {e.enterprise_id: dict(e.roll_up) for e in enterprises if e.roll_up is not None}
        # "As of" the oldest roll-up the figures add up: those of resumed enterprises (the hourly refresh keeps them
        # current). Roll-ups of enterprises that have not resumed count nothing and do not age the figures.
        stamps = [str(counts[e.enterprise_id]["as_of"]) for e in enterprises if e.resumed and counts.get(e.enterprise_id, {}).get("as_of")]
        return {"as_of": clock.iso() if live else min(stamps, default=None), "live": live, **statistics(enterprises, counts)}
