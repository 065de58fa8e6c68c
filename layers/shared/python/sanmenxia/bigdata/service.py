"""The command dashboard (指挥大屏): each figure for the caller's area, drilled down city → county → community.

An ``Area`` is where the caller looks (the whole city, a county, a community) and decides the next level
down that rows are grouped by (counties of the city, communities of a county; a community is one row).
``resolve_area`` is the only place that turns the request's ``county_code``/``community_id`` into an area,
through the ``Principal.require_*`` scope checks. Each ``Figure`` is one Trino query over the Athena views
with ``?`` parameters (never interpolated input), and a shaper that turns rows into the API's answer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sanmenxia import regions
from sanmenxia.auth import Principal, Role
from sanmenxia.bigdata.query import Parameter, QueryResult, QueryRunner
from sanmenxia.errors import Forbidden, InvalidInput

MAX_DAYS = 92
DEFAULT_DAYS = 30


class Level(StrEnum):
    CITY = "city"  # 全市
    COUNTY = "county"  # 区县
    COMMUNITY = "community"  # 村(社区)


@dataclass(frozen=True)
class Area:
    level: Level
    county_code: str | None = None
    community_id: str | None = None

    @property
    def child_column(self) -> str:
        """The column rows are grouped by: the level below this one."""
        return "county_code" if self.level is Level.CITY else "community_id"

    def where(self, *, county_column: str = "county_code", community_column: str = "community_id") -> tuple[str, list[Parameter]]:
        """The scope predicate (``AND ...``) and its parameters."""
        if self.level is Level.COMMUNITY:
            return f" AND {community_column} = ?", [self.community_id]
        if self.level is Level.COUNTY:
            return f" AND {county_column} = ?", [self.county_code]
        return "", []

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level.value, "county_code": self.county_code, "community_id": self.community_id, "name": self.name}

    @property
    def name(self) -> str:
        if self.community_id:
            return regions.community(self.community_id).name
        if self.county_code:
            return regions.county(self.county_code).name
        return regions.CITY_NAME


def area_name(level: Level, area: str | None) -> str | None:
    """The display name of a row's area (a county at city level, a community below)."""
    if not area:
        return None
    if level is Level.CITY:
        return regions.county(area).name if regions.is_known_county(area) else None
    return regions.community(area).name if regions.is_known_community(area) else None


def resolve_area(principal: Principal, county_code: str | None, community_id: str | None) -> Area:
    """The area the caller asks for (or, asking for none, their own), checked against their scope."""
    if community_id is not None:
        if not regions.is_known_community(community_id):
            raise InvalidInput("unknown community id", field="community_id")
        county = regions.county_of_community(community_id)
        if county_code is not None and county_code != county:
            raise InvalidInput("the community is not in that county", field="community_id")
        principal.require_community(community_id, county)
        return Area(Level.COMMUNITY, county, community_id)
    if county_code is not None:
        if not regions.is_known_county(county_code):
            raise InvalidInput("unknown county code", field="county_code")
        principal.require_county(county_code)
        return Area(Level.COUNTY, county_code)
    return own_area(principal)


def own_area(principal: Principal) -> Area:
    """The widest area the caller may see: the city, their county or their community."""
    if principal.has(Role.ADMIN) or (principal.has(Role.COMMANDER) and principal.scope_value("county_code") is None):
        return Area(Level.CITY)
    county = principal.scope_value("county_code")
    if principal.has(Role.COMMANDER) and county:
        return Area(Level.COUNTY, county)
    community = principal.scope_value("community_id")
    if principal.has(Role.COMMUNITY_HEAD) and community:
        return Area(Level.COMMUNITY, regions.county_of_community(community), community)
    raise Forbidden("no dashboard area in your scope")


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> list[str]:
        return [(self.start + timedelta(days=offset)).isoformat() for offset in range((self.end - self.start).days + 1)]


def _parse_day(value: str | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("expected a date yyyy-mm-dd", field=name) from exc


def parse_period(start: str | None, end: str | None, today: date) -> Period:
    """``from``/``to`` query parameters; by default the last 30 days up to today; at most 92 days."""
    last = _parse_day(end, "to") or today
    first = _parse_day(start, "from") or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise InvalidInput("from is after to", field="from")
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"at most {MAX_DAYS} days at a time", field="from")
    if last > today:
        raise InvalidInput("to is in the future", field="to")
    return Period(first, last)


def parse_day(value: str | None, today: date) -> date:
    day = _parse_day(value, "day") or today
    if day > today:
        raise InvalidInput("day is in the future", field="day")
    return day


# -- figures ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    sql: str
    parameters: tuple[Parameter, ...] = ()

    def cache_key(self, figure: str) -> str:
        text = json.dumps([figure, self.sql, list(self.parameters)], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()


Shaper = Callable[[list[dict[str, Any]]], dict[str, Any]]


@dataclass(frozen=True)
class Figure:
    """One dashboard figure: its query and how its rows become the answer's ``rows`` and ``totals``."""

    name: str
    query: Query
    shape: Shaper
    meta: dict[str, Any] = field(default_factory=dict)


def _totals(rows: Sequence[dict[str, Any]], names: Sequence[str]) -> dict[str, Any]:
    return {name: sum((row.get(name) or 0) for row in rows) for name in names}


def _with_names(level: Level, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "area_name": area_name(level, row.get("area"))} for row in rows]


def _rate(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def codes(area: Area, day: date) -> Figure:
    """Codes by shown colour per area at the end of ``day``, with that day's check-ins and check-in rate.

    The colour is read from the spans (as of ``day``), not from a calendar of past changes, so a day on
    which no code changed still has its figures.
    """
    scope, params = area.where()
    child = area.child_column
    sql = f"""
WITH codes AS (
  SELECT person_id, {child} AS area, severity
  FROM code_spans
  WHERE from_dt <= ? AND (to_dt IS NULL OR to_dt > ?){scope}
),
held AS (
  SELECT person_id, max(severity) AS severity
  FROM hold_spans
  WHERE from_dt <= ? AND (to_dt IS NULL OR to_dt > ?)
  GROUP BY 1
),
colours AS (
  SELECT c.area,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 0) AS green,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 1) AS yellow,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 2) AS red,
         count(*) AS codes
  FROM codes AS c
  LEFT JOIN held AS h ON h.person_id = c.person_id
  GROUP BY 1
),
checked AS (
  SELECT {child} AS area, count(DISTINCT person_id) AS checkins, count_if(fever) AS fevers
  FROM checkins
  WHERE dt = ?{scope}
  GROUP BY 1
)
SELECT c.area AS area, c.green AS green, c.yellow AS yellow, c.red AS red, c.codes AS codes,
       coalesce(k.checkins, 0) AS checkins, coalesce(k.fevers, 0) AS fevers
FROM colours AS c
LEFT JOIN checked AS k ON k.area = c.area
ORDER BY 1"""  # noqa: S608 - column names from this module, values as parameters

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        shaped = [{**row, "checkin_rate": _rate(row["checkins"], row["codes"])} for row in _with_names(area.level, rows)]
        totals = _totals(rows, ("green", "yellow", "red", "codes", "checkins", "fevers"))
        totals["checkin_rate"] = _rate(totals["checkins"], totals["codes"])
        return {"rows": shaped, "totals": totals}

    iso = day.isoformat()
    return Figure("codes", Query(sql, (iso, iso, *params, iso, iso, iso, *params)), shape, {"date": iso})


def codes_trend(area: Area, period: Period) -> Figure:
    """Codes by shown colour and the check-in rate per day of ``period``."""
    scope, params = area.where()
    sql = f"""
WITH days AS (
  SELECT date_format(day, '%Y-%m-%d') AS dt
  FROM UNNEST(sequence(date(?), date(?), INTERVAL '1' DAY)) AS calendar (day)
),
code_days AS (
  SELECT d.dt, s.person_id, s.severity
  FROM days AS d
  JOIN code_spans AS s ON s.from_dt <= d.dt AND (s.to_dt IS NULL OR s.to_dt > d.dt)
  WHERE true{scope}
),
held_days AS (
  SELECT d.dt, h.person_id, max(h.severity) AS severity
  FROM days AS d
  JOIN hold_spans AS h ON h.from_dt <= d.dt AND (h.to_dt IS NULL OR h.to_dt > d.dt)
  GROUP BY 1, 2
),
colours AS (
  SELECT c.dt,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 0) AS green,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 1) AS yellow,
         count_if(greatest(c.severity, coalesce(h.severity, 0)) = 2) AS red,
         count(*) AS codes
  FROM code_days AS c
  LEFT JOIN held_days AS h ON h.dt = c.dt AND h.person_id = c.person_id
  GROUP BY 1
),
checked AS (
  SELECT dt, count(DISTINCT person_id) AS checkins
  FROM checkins
  WHERE dt BETWEEN ? AND ?{scope}
  GROUP BY 1
)
SELECT c.dt AS date, c.green AS green, c.yellow AS yellow, c.red AS red, c.codes AS codes, coalesce(k.checkins, 0) AS checkins
FROM colours AS c
LEFT JOIN checked AS k ON k.dt = c.dt
ORDER BY 1"""  # noqa: S608
    bounds = (period.start.isoformat(), period.end.isoformat())

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        by_day = {row["date"]: row for row in rows}
        zero = {"green": 0, "yellow": 0, "red": 0, "codes": 0, "checkins": 0}
        filled = [{"date": day, **{key: by_day.get(day, zero)[key] for key in zero}} for day in period.days]
        return {"rows": [{**row, "checkin_rate": _rate(row["checkins"], row["codes"])} for row in filled]}

    meta = {"from": bounds[0], "to": bounds[1]}
    return Figure("codes-trend", Query(sql, (*bounds, *params, *bounds, *params)), shape, meta)


def key_persons(area: Area) -> Figure:
    """Open key persons (pending or under control) by area and category: the heat map."""
    scope, params = area.where()
    sql = f"""
SELECT {area.child_column} AS area, category, sum(open) AS count, sum(active) AS active, sum(pending) AS pending,
       sum(on_supervision) AS on_supervision
FROM key_persons_by_category
WHERE open > 0{scope}
GROUP BY 1, 2
ORDER BY 1, 2"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        by_category: dict[str, int] = {}
        for row in rows:
            by_category[row["category"]] = by_category.get(row["category"], 0) + int(row["count"])
        return {"rows": _with_names(area.level, rows), "totals": {**_totals(rows, ("count", "active", "pending")), "by_category": by_category}}

    return Figure("key-persons", Query(sql, tuple(params)), shape)


def key_persons_trend(area: Area, period: Period) -> Figure:
    """New and released key persons per day of ``period``."""
    scope, params = area.where()
    sql = f"""
SELECT dt AS date, sum(new_key_persons) AS count, sum(released) AS released
FROM key_persons_new_daily
WHERE dt BETWEEN ? AND ?{scope}
GROUP BY 1
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        by_day = {row["date"]: row for row in rows}
        filled = [{"date": day, "count": by_day.get(day, {}).get("count", 0), "released": by_day.get(day, {}).get("released", 0)} for day in period.days]
        return {"rows": filled, "totals": _totals(filled, ("count", "released"))}

    bounds = (period.start.isoformat(), period.end.isoformat())
    return Figure("key-persons-trend", Query(sql, (*bounds, *params)), shape, {"from": bounds[0], "to": bounds[1]})


def lab_tests(area: Area, period: Period) -> Figure:
    """Lab tests (核酸检测) per day of ``period``, by the day of sampling: tests, positives, negatives."""
    scope, params = area.where()
    sql = f"""
SELECT dt AS date, sum(tests) AS tests, sum(positives) AS positives, sum(negatives) AS negatives
FROM lab_tests_daily
WHERE dt BETWEEN ? AND ?{scope}
GROUP BY 1
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        by_day = {row["date"]: row for row in rows}
        names = ("tests", "positives", "negatives")
        filled = [{"date": day, **{name: int(by_day.get(day, {}).get(name) or 0) for name in names}} for day in period.days]
        return {"rows": filled, "totals": _totals(filled, names)}

    bounds = (period.start.isoformat(), period.end.isoformat())
    return Figure("lab-tests", Query(sql, (*bounds, *params)), shape, {"from": bounds[0], "to": bounds[1]})


def checkpoints(area: Area, period: Period) -> Figure:
    """Checkpoint traffic per area over ``period``: scans, passes, stops, fevers, distinct persons."""
    scope, params = area.where()
    sql = f"""
SELECT {area.child_column} AS area,
       count(DISTINCT checkpoint_id) AS checkpoints,
       count(DISTINCT scan_key) AS scans,
       count_if(decision = 'pass') AS passes,
       count_if(decision = 'stop') AS stops,
       count_if(fever) AS fevers,
       count_if(color = 'red') AS red_codes,
       count_if(color = 'yellow') AS yellow_codes,
       count(DISTINCT person_ref) AS unique_persons
FROM scans
WHERE dt BETWEEN ? AND ?{scope}
GROUP BY 1
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": _with_names(area.level, rows), "totals": _totals(rows, ("checkpoints", "scans", "passes", "stops", "fevers"))}

    bounds = (period.start.isoformat(), period.end.isoformat())
    return Figure("checkpoints", Query(sql, (*bounds, *params)), shape, {"from": bounds[0], "to": bounds[1]})


def tipoffs(area: Area, period: Period) -> Figure:
    """Tip-offs by category over ``period``."""
    scope, params = area.where()
    sql = f"""
SELECT category, department, sum(tipoffs) AS count, sum(anonymous) AS anonymous, sum(duplicates) AS duplicates
FROM tipoffs_by_category_daily
WHERE dt BETWEEN ? AND ?{scope}
GROUP BY 1, 2
ORDER BY 3 DESC, 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": rows, "totals": _totals(rows, ("count", "anonymous", "duplicates"))}

    bounds = (period.start.isoformat(), period.end.isoformat())
    return Figure("tipoffs", Query(sql, (*bounds, *params)), shape, {"from": bounds[0], "to": bounds[1]})


def work_orders(area: Area) -> Figure:
    """12345 work orders as they stand: per status, with overdue and resolved counts."""
    scope, params = area.where()
    sql = f"""
SELECT status, sum(orders) AS orders, sum(overdue) AS overdue, sum(resolved) AS resolved,
       sum(satisfaction_sum) AS satisfaction_sum, sum(satisfaction_count) AS satisfaction_count
FROM work_orders_by_status
WHERE true{scope}
GROUP BY 1
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        totals = _totals(rows, ("orders", "overdue", "resolved", "satisfaction_sum", "satisfaction_count"))
        open_orders = sum(row["orders"] for row in rows if row["status"] in {"received", "dispatched", "handling"})
        totals["open"] = open_orders
        totals["satisfaction"] = _rate(totals.pop("satisfaction_sum"), totals.pop("satisfaction_count"))
        return {"rows": [{key: value for key, value in row.items() if not key.startswith("satisfaction_")} for row in rows], "totals": totals}

    return Figure("work-orders", Query(sql, tuple(params)), shape)


def residents(area: Area) -> Figure:
    """Registered residents and their self-reports per area."""
    scope, params = area.where()
    child = area.child_column
    sql = f"""
WITH registered AS (
  SELECT {child} AS area, sum(residents) AS residents FROM residents_by_community WHERE true{scope} GROUP BY 1
),
reports AS (
  SELECT {child} AS area, sum(residents) AS reported, sum(fevers) AS fevers, sum(isolated) AS isolated,
         sum(with_open_requests) AS with_open_requests
  FROM resident_reports_by_community WHERE true{scope} GROUP BY 1
)
SELECT coalesce(g.area, r.area) AS area, coalesce(g.residents, 0) AS residents, coalesce(r.reported, 0) AS reported,
       coalesce(r.fevers, 0) AS fevers, coalesce(r.isolated, 0) AS isolated, coalesce(r.with_open_requests, 0) AS with_open_requests
FROM registered AS g
FULL OUTER JOIN reports AS r ON r.area = g.area
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": _with_names(area.level, rows), "totals": _totals(rows, ("residents", "reported", "fevers", "isolated", "with_open_requests"))}

    return Figure("residents", Query(sql, (*params, *params)), shape)


def supplies(area: Area) -> Figure:
    """Supplies per item and tier: asked against allocated, dispatched and received, beside the stock."""
    if area.level is Level.COMMUNITY:
        raise Forbidden("supplies are shown for the city or a county")
    scope, params = area.where()
    sql = f"""
SELECT item, tier, sum(requests) AS requests, sum(requested) AS requested, sum(allocated) AS allocated,
       sum(dispatched) AS dispatched, sum(received) AS received, max(stock_available) AS stock_available
FROM supplies_by_item
WHERE true{scope}
GROUP BY 1, 2
ORDER BY 1, 2"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {"rows": rows, "totals": _totals(rows, ("requests", "requested", "allocated", "dispatched", "received"))}

    return Figure("supplies", Query(sql, tuple(params)), shape)


def return_to_work(area: Area) -> Figure:
    """Enterprises resumed and workers with green codes, per county (the seed's return-to-work figures)."""
    if area.level is Level.COMMUNITY:
        raise Forbidden("return-to-work figures are shown for the city or a county")
    scope, params = area.where()
    sql = f"""
SELECT county_code AS area, enterprises, above_scale, resumed, resumed_above_scale, workers, workers_green
FROM return_to_work_by_county
WHERE true{scope}
ORDER BY 1"""  # noqa: S608

    def shape(rows: list[dict[str, Any]]) -> dict[str, Any]:
        shaped = [
            {
                **row,
                "area_name": area_name(Level.CITY, row["area"]),
                "resumed_above_scale_share": _rate(row["resumed_above_scale"], row["above_scale"]),
                "workers_green_share": _rate(row["workers_green"], row["workers"]),
            }
            for row in rows
        ]
        totals = _totals(rows, ("enterprises", "above_scale", "resumed", "resumed_above_scale", "workers", "workers_green"))
        totals["resumed_above_scale_share"] = _rate(totals["resumed_above_scale"], totals["above_scale"])
        totals["workers_green_share"] = _rate(totals["workers_green"], totals["workers"])
        return {"rows": shaped, "totals": totals}

    return Figure("return-to-work", Query(sql, tuple(params)), shape)


def answer(figure: Figure, area: Area, result: QueryResult, *, cached: bool, as_of: str) -> dict[str, Any]:
    """The API's answer: the figure, its area, its rows and totals, and what the query cost."""
    body: dict[str, Any] = {"figure": figure.name, "area": area.to_json(), **figure.meta}
    body.update(figure.shape(list(result.rows)))
    body["query"] = {
        "engine": result.engine,
        "bytes_scanned": result.bytes_scanned,
        "elapsed_ms": round(result.elapsed_ms, 1),
        "cached": cached,
        "as_of": as_of,
    }
    return body


def run(figure: Figure, runner: QueryRunner) -> QueryResult:
    return runner.run(figure.query.sql, figure.query.parameters)
