"""Contacts and transmission chains (Go.Data-style 密接登记与传播链). Pure.

A key person's contact is registered with the kind and the date of the contact; the contact becomes a
candidate key person in their own community and is followed from the contact date for the configured days.
A chain is the graph from one record through its contacts to theirs (breadth first, bounded depth and size):
building it reads one partition per record in the chain, never the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

#: Contacts are followed this many days from the contact date unless the function's setting says otherwise.
DEFAULT_CONTACT_FOLLOW_DAYS = 14
MAX_DEPTH = 4
MAX_NODES = 500


class ContactKind(StrEnum):
    """How two people met (接触方式)."""

    HOUSEHOLD = "household"  # 共同居住
    WORK = "work"  # 同事
    GATHERING = "gathering"  # 聚餐/聚会
    TRANSPORT = "transport"  # 同乘交通工具
    MEDICAL = "medical"  # 就医/陪护
    OTHER = "other"  # 其他


@dataclass(frozen=True)
class ContactEdge:
    """``source_kp`` (a key person) met the person now followed as ``contact_kp``."""

    source_kp: str
    contact_kp: str
    person_id: str
    kind: ContactKind
    contact_date: date
    follow_until: date
    name_masked: str
    community_id: str
    registered_by: str
    registered_at: str

    def to_json(self) -> dict[str, object]:
        return {
            "source_kp": self.source_kp,
            "contact_kp": self.contact_kp,
            "person_id": self.person_id,
            "kind": self.kind.value,
            "contact_date": self.contact_date.isoformat(),
            "follow_until": self.follow_until.isoformat(),
            "name": self.name_masked,
            "community_id": self.community_id,
            "registered_by": self.registered_by,
            "registered_at": self.registered_at,
        }


def follow_until(contact_date: date, days: int) -> date:
    """The last day a contact is followed: ``days`` days counted from the contact date itself."""
    return contact_date + timedelta(days=days - 1)


@dataclass(frozen=True)
class Chain:
    root: str
    nodes: dict[str, int]  # kp_id → depth (0: the root)
    edges: list[ContactEdge]
    truncated: bool


def build_chain(root: str, edges_of: Callable[[str], list[ContactEdge]], depth: int, max_nodes: int = MAX_NODES) -> Chain:
    """Breadth first from ``root`` to ``depth`` levels of contacts; a record met twice is one node."""
    nodes = {root: 0}
    edges: list[ContactEdge] = []
    frontier = [root]
    truncated = False
    for level in range(1, depth + 1):
        following: list[str] = []
        for kp_id in frontier:
            for edge in edges_of(kp_id):
                edges.append(edge)
                if edge.contact_kp in nodes:
                    continue
                if len(nodes) >= max_nodes:
                    truncated = True
                    continue
                nodes[edge.contact_kp] = level
                following.append(edge.contact_kp)
        frontier = following
        if not frontier:
            break
    return Chain(root, nodes, edges, truncated)


@dataclass(frozen=True)
class FollowedDay:
    day: date
    due: int  # contacts whose follow period covers the day
    followed: int  # of them, with a follow-up that day

    @property
    def share(self) -> float:
        return round(self.followed / self.due, 3) if self.due else 0.0

    def to_json(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "due": self.due, "followed": self.followed, "share": self.share}


def followed_share(contacts: Iterable[tuple[ContactEdge, frozenset[date]]], first: date, last: date) -> list[FollowedDay]:
    """Per day from ``first`` to ``last``: the contacts due a follow-up and the share that had one."""
    listed = list(contacts)
    days: list[FollowedDay] = []
    day = first
    while day <= last:
        due = [(edge, done) for edge, done in listed if edge.contact_date <= day <= edge.follow_until]
        days.append(FollowedDay(day, len(due), sum(day in done for _, done in due)))
        day += timedelta(days=1)
    return days
