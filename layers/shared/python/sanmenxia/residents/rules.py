"""Residents' self-reports (居民信息填报) and hardship requests (困难诉求): pure rules.

A household head reports, for each member of the household: person type, health (temperature, symptoms),
recent travel, isolation status, and asks for help when in hardship. Community heads list their own
community's residents filtered by person type, fever, isolation and open hardship requests.

Storage (``ResidentsTable``) keeps one item per reported person in the partition of their community, and
sparse index attributes so that each filter reads exactly the matching residents of one community:

=================  ======================================  ==============================================
index              partition value                         present when
=================  ======================================  ==============================================
``type-index``     ``<community>#<person type>``           a person type was reported
``fever-index``    ``<community>``                         the last report shows fever
``isolation-index````<community>``                         isolating (any kind)
``hardship-index`` ``<community>``                         at least one hardship request is open
=================  ======================================  ==============================================
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict
from sanmenxia.vocabulary import Symptom

__all__ = ["Symptom"]  # re-exported: the one symptom list (sanmenxia.vocabulary)

#: 37.3 °C and above counts as fever (体温≥37.3℃), as at the checkpoints.
FEVER_THRESHOLD = Decimal("37.3")
#: Travel within this many days makes a returnee a key-person candidate (the 14-day observation period).
TRAVEL_WINDOW_DAYS = 14


class PersonType(StrEnum):
    PERMANENT = "permanent"  # 常住人口
    MIGRANT_WORKER = "migrant_worker"  # 外来务工人员
    RETURNEE = "returnee"  # 返乡人员
    VISITOR = "visitor"  # 外来访客


class TravelRegion(StrEnum):
    """Where a trip went, as the key-person categories need it."""

    WITHIN_CITY = "within_city"  # 市内
    OUTSIDE_CITY = "outside_city"  # 市外(湖北以外)
    HUBEI = "hubei"  # 湖北(武汉以外)
    WUHAN = "wuhan"  # 武汉


class IsolationStatus(StrEnum):
    NONE = "none"  # 未隔离
    HOME = "home"  # 居家隔离
    CENTRALIZED = "centralized"  # 集中隔离
    MEDICAL_OBSERVATION = "medical_observation"  # 医学观察
    HOSPITAL = "hospital"  # 住院

    @property
    def isolating(self) -> bool:
        return self is not IsolationStatus.NONE


class HardshipKind(StrEnum):
    MEDICINE = "medicine"  # 买药
    DAILY_NECESSITIES = "daily_necessities"  # 生活物资
    MEDICAL_VISIT = "medical_visit"  # 就医
    OTHER = "other"  # 其他

    @property
    def label(self) -> str:
        return {"medicine": "买药 medicine", "daily_necessities": "生活物资 daily necessities", "medical_visit": "就医 medical visit"}.get(
            self.value, "其他 other"
        )


class HardshipStatus(StrEnum):
    OPEN = "open"  # 待处理
    IN_PROGRESS = "in_progress"  # 处理中
    RESOLVED = "resolved"  # 已解决
    DECLINED = "declined"  # 不予处理(附说明)

    @property
    def is_open(self) -> bool:
        return self in (HardshipStatus.OPEN, HardshipStatus.IN_PROGRESS)


#: Allowed moves of a hardship request; a closed request stays closed (a new need is a new request).
HARDSHIP_TRANSITIONS: dict[HardshipStatus, frozenset[HardshipStatus]] = {
    HardshipStatus.OPEN: frozenset({HardshipStatus.IN_PROGRESS, HardshipStatus.RESOLVED, HardshipStatus.DECLINED}),
    HardshipStatus.IN_PROGRESS: frozenset({HardshipStatus.RESOLVED, HardshipStatus.DECLINED}),
    HardshipStatus.RESOLVED: frozenset(),
    HardshipStatus.DECLINED: frozenset(),
}


def check_hardship_transition(current: HardshipStatus, new: HardshipStatus) -> None:
    """Raise ``Conflict`` (naming ``status``) unless ``current`` may move to ``new``."""
    if new not in HARDSHIP_TRANSITIONS[current]:
        raise Conflict(f"a {current.value} request cannot become {new.value}", field="status")


@dataclass(frozen=True)
class TravelEntry:
    place: str
    region: TravelRegion
    from_date: date
    to_date: date


@dataclass(frozen=True)
class Health:
    temperature: Decimal | None
    symptoms: tuple[Symptom, ...] = ()

    @property
    def fever(self) -> bool:
        return is_fever(self.temperature, self.symptoms)


def is_fever(temperature: Decimal | None, symptoms: Iterable[Symptom] = ()) -> bool:
    """Fever (发热): a temperature at or above the threshold, or fever reported as a symptom."""
    return (temperature is not None and temperature >= FEVER_THRESHOLD) or Symptom.FEVER in tuple(symptoms)


def candidate_category(health: Health, travel: Iterable[TravelEntry], today: date) -> KeyPersonCategory | None:
    """Which of the five kinds of key person a self-report suggests, if any.

    Travel that ended within ``TRAVEL_WINDOW_DAYS`` counts; Wuhan outranks Hubei outranks outside the city.
    Fever without such travel is "fever without contact". Close contacts are not self-declared here: they
    come from the co-travel query and from investigations.
    """
    since = today - timedelta(days=TRAVEL_WINDOW_DAYS)
    regions = {entry.region for entry in travel if entry.to_date >= since}
    if TravelRegion.WUHAN in regions:
        return KeyPersonCategory.FROM_WUHAN
    if TravelRegion.HUBEI in regions:
        return KeyPersonCategory.FROM_HUBEI
    if TravelRegion.OUTSIDE_CITY in regions:
        return KeyPersonCategory.FROM_OUTSIDE_CITY
    if health.fever:
        return KeyPersonCategory.FEVER_WITHOUT_CONTACT
    return None


@dataclass(frozen=True)
class ResidentState:
    """What a community head sees of a resident: masked identity and the latest self-report."""

    person_id: str
    community_id: str
    household_id: str
    relation: str
    name_masked: str
    id_masked: str
    person_type: PersonType | None = None
    health: Health | None = None
    travel: tuple[TravelEntry, ...] = ()
    isolation: IsolationStatus = IsolationStatus.NONE
    isolation_site: str | None = None
    reported_on: date | None = None
    open_requests: frozenset[str] = field(default_factory=frozenset)
    version: int = 0

    @property
    def fever(self) -> bool:
        return self.health is not None and self.health.fever

    def with_request(self, request_id: str, *, is_open: bool) -> ResidentState:
        """The state after a hardship request was opened or closed."""
        requests = set(self.open_requests)
        if is_open:
            requests.add(request_id)
        else:
            requests.discard(request_id)
        return replace(self, open_requests=frozenset(requests))


def index_values(state: ResidentState) -> dict[str, str]:
    """The sparse index attributes of a resident item (see the module docstring); absent keys are removed."""
    values: dict[str, str] = {}
    if state.person_type is not None:
        values["gsi_type"] = f"{state.community_id}#{state.person_type.value}"
    if state.fever:
        values["gsi_fever"] = state.community_id
    if state.isolation.isolating:
        values["gsi_isolation"] = state.community_id
    if state.open_requests:
        values["gsi_hardship"] = state.community_id
    return values


INDEX_ATTRIBUTES = ("gsi_type", "gsi_fever", "gsi_isolation", "gsi_hardship")


@dataclass(frozen=True)
class ResidentFilter:
    """A community head's filters; ``None`` means "either"."""

    person_type: PersonType | None = None
    fever: bool | None = None
    isolation: bool | None = None
    hardship: bool | None = None

    def matches(self, state: ResidentState) -> bool:
        """The reference semantics of the filters (the store must return exactly these residents)."""
        return (
            (self.person_type is None or state.person_type == self.person_type)
            and (self.fever is None or state.fever == self.fever)
            and (self.isolation is None or state.isolation.isolating == self.isolation)
            and (self.hardship is None or bool(state.open_requests) == self.hardship)
        )


@dataclass(frozen=True)
class QueryPlan:
    """How to read a filtered listing: which index and partition, and which attribute tests remain.

    ``index`` ``None`` reads the community's base partition. ``present``/``absent`` name index attributes
    that must be present/absent on the item (each attribute stands for one filter, as ``index_values``
    writes them); ``equals`` are attributes that must hold a value.
    """

    index: str | None
    partition_attribute: str
    partition_value: str
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    equals: tuple[tuple[str, str], ...] = ()


#: Sparse indexes in order of preference (the rarer the condition, the fewer items a page reads).
_SPARSE = (("hardship", "hardship-index", "gsi_hardship"), ("fever", "fever-index", "gsi_fever"), ("isolation", "isolation-index", "gsi_isolation"))


def plan_query(community_id: str, wanted: ResidentFilter) -> QueryPlan:
    """Choose the narrowest index for ``wanted`` in ``community_id``; the other filters become residual tests."""
    flags = {"hardship": wanted.hardship, "fever": wanted.fever, "isolation": wanted.isolation}
    attribute_of = {name: attribute for name, _, attribute in _SPARSE}
    chosen: tuple[str, str, str] | None = None
    for name, index, attribute in _SPARSE:
        if flags[name] is True:
            chosen = (name, index, attribute)
            break
    present: list[str] = []
    absent: list[str] = []
    for name, value in flags.items():
        if value is None or (chosen and chosen[0] == name):
            continue
        (present if value else absent).append(attribute_of[name])
    if chosen is not None:
        equals = (("gsi_type", f"{community_id}#{wanted.person_type.value}"),) if wanted.person_type is not None else ()
        return QueryPlan(chosen[1], chosen[2], community_id, tuple(present), tuple(absent), equals)
    if wanted.person_type is not None:
        return QueryPlan("type-index", "gsi_type", f"{community_id}#{wanted.person_type.value}", (), tuple(absent))
    return QueryPlan(None, "pk", community_partition(community_id), (), tuple(absent))


def community_partition(community_id: str) -> str:
    return f"c#{community_id}"


def resident_sort_key(person_id: str) -> str:
    return f"p#{person_id}"


def hardship_sort_key(request_id: str) -> str:
    return f"h#{request_id}"
