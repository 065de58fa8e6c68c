"""City-scale synthetic lake (城市级模拟数据湖): 1.2 million residents, 30 days of activity, written directly as
lake Parquet files in the catalog's schemas, laid out as the lake bucket is (``<table>/dt=<day>/*.parquet``).

    python -m infra.lake.generate --out .local/lake-city            # the whole city, 30 days
    python -m infra.lake.generate --out /tmp/lake --scale 0.001     # 1,200 residents (tests)

The activity follows the platform's rules: every resident applies for a code on the first day; each day
most residents check in (a few forget, some often); the health-code rule turns codes yellow and red and
back (a vectorised twin of ``sanmenxia.healthcode.rules``); checkpoints scan a quarter of the city a day
and stop red and yellow codes and fevers; key persons are registered every day, held red, and released
after 14 days; tip-offs arrive and become 12345 work orders that move through their states. Random draws
are hashes of (seed, what, who, day), so a run is reproducible whatever the thread count. Rows carry the
same change metadata (``_op``, ``_seq``, ``_at``) as the stream consumer writes.
"""

# ruff: noqa: S608 - the SQL here is built from numbers and constants of this module, never from input
from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES
from sanmenxia.lake.parquet import encode, schema
from sanmenxia.regions import COUNTIES

CITY_RESIDENTS = 1_200_000
CITY_CHECKPOINTS = 4_136
#: Share of the city's residents in each county-level division (roughly the 2020 census shares).
COUNTY_SHARES = {"411202": 0.16, "411203": 0.17, "411221": 0.17, "411224": 0.17, "411281": 0.07, "411282": 0.26}
KEY_PERSON_CATEGORIES = (
    ("from_outside_city", 0.50),
    ("from_hubei", 0.20),
    ("from_wuhan", 0.05),
    ("close_contact", 0.15),
    ("fever_without_contact", 0.10),
)
TIPOFF_CATEGORIES = (
    "no_fever_checkpoint",
    "fever_person",
    "gathering",
    "returnee_from_wuhan",
    "vehicle_from_hubei",
    "rumour",
    "price_gouging",
    "fake_supplies",
    "collecting_used_masks",
    "selling_wild_game",
)
RELEASE_AFTER_DAYS = 14
MANIFEST = "manifest.json"


@dataclass
class Manifest:
    scale: float
    days: int
    start: str
    seed: int
    residents: int
    rows: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def matches(self, scale: float, days: int, start: date, seed: int) -> bool:
        return (self.scale, self.days, self.start, self.seed) == (scale, days, start.isoformat(), seed)


def read_manifest(out: Path) -> Manifest | None:
    path = out / MANIFEST
    return Manifest(**json.loads(path.read_text())) if path.exists() else None


class Progress:
    """A progress bar on stderr (no third-party dependency)."""

    def __init__(self, total: int, label: str, *, stream: Any = None, width: int = 30) -> None:
        self.total, self.label, self.width, self.done = max(total, 1), label, width, 0
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()

    def step(self, note: str = "") -> None:
        self.done += 1
        filled = int(self.width * self.done / self.total)
        elapsed = time.monotonic() - self.started
        bar = "█" * filled + "·" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {note:<24}")
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()


def _macros(connection: Any, seed: int) -> None:
    # u(who, what): a uniform draw in [0, 1) fixed by (seed, who, what); what = salt * 1000 + day.
    connection.sql(f"CREATE MACRO u(who, what) AS (hash(who, what, {seed}) % 1000003) / 1000003.0")
    connection.sql(f"CREATE MACRO pid(i) AS substr(md5('person-{seed}-' || i), 1, 24)")
    connection.sql("CREATE MACRO sev(c) AS CASE c WHEN 'red' THEN 2 WHEN 'yellow' THEN 1 ELSE 0 END")
    connection.sql("CREATE MACRO col(s) AS CASE s WHEN 2 THEN 'red' WHEN 1 THEN 'yellow' ELSE 'green' END")


def _county_case(column: str) -> str:
    """SQL mapping a uniform draw to a county code by ``COUNTY_SHARES``."""
    cases, total = [], 0.0
    for code, share in COUNTY_SHARES.items():
        total += share
        cases.append(f"WHEN {column} < {total:.4f} THEN '{code}'")
    return "CASE " + " ".join(cases) + f" ELSE '{COUNTIES[-1].code}' END"


def _category_case(column: str) -> str:
    cases, total = [], 0.0
    for category, share in KEY_PERSON_CATEGORIES:
        total += share
        cases.append(f"WHEN {column} < {total:.4f} THEN '{category}'")
    return "CASE " + " ".join(cases) + " ELSE 'fever_without_contact' END"


def _setup(connection: Any, residents: int, checkpoints: int, start: date) -> None:
    connection.sql(
        f"""CREATE TABLE people AS
        SELECT i AS idx, pid(i) AS person_id, {_county_case("u(i, 1)")} AS county_code,
               1 + CAST(floor(u(i, 2) * 10) AS BIGINT) AS community_no,
               CASE WHEN u(i, 3) < 0.90 THEN 0.985 WHEN u(i, 3) < 0.98 THEN 0.80 ELSE 0.45 END AS p_checkin,
               1940 + CAST(floor(u(i, 4) * 75) AS BIGINT) AS birth_year,
               TIMESTAMP '{start.isoformat()} 00:00:00' - to_seconds(CAST(floor(u(i, 5) * 86400 * 20) AS BIGINT)) AS created_at
        FROM range({residents}) t(i)"""
    )
    connection.sql("ALTER TABLE people ADD COLUMN community_id VARCHAR")
    connection.sql("UPDATE people SET community_id = county_code || '-' || lpad(CAST(community_no AS VARCHAR), 3, '0')")
    connection.sql(
        f"""CREATE TABLE checkpoints AS
        SELECT i AS idx, 'cp-' || lpad(CAST(i AS VARCHAR), 5, '0') AS checkpoint_id, {_county_case("u(i, 11)")} AS county_code,
               1 + CAST(floor(u(i, 12) * 10) AS BIGINT) AS community_no,
               ['village_entrance', 'residential_compound', 'highway_exit', 'station', 'market', 'enterprise', 'hospital',
                'public_building'][1 + CAST(floor(u(i, 13) * 8) AS BIGINT)] AS kind
        FROM range({checkpoints}) t(i)"""
    )
    connection.sql("ALTER TABLE checkpoints ADD COLUMN community_id VARCHAR")
    connection.sql("UPDATE checkpoints SET community_id = county_code || '-' || lpad(CAST(community_no AS VARCHAR), 3, '0')")
    # The rule state of every code: colour, consecutive missed days, consecutive check-ins while red.
    connection.sql("CREATE TABLE state AS SELECT idx, 'green' AS color, 0 AS missed, 0 AS streak, 0 AS version FROM people")
    connection.sql(
        "CREATE TABLE kp (key_person_id VARCHAR, person_id VARCHAR, county_code VARCHAR, community_id VARCHAR, "
        "category VARCHAR, source VARCHAR, measure VARCHAR, opened INTEGER, version INTEGER)"
    )
    connection.sql("CREATE TABLE holds_active (person_id VARCHAR, hold_key VARCHAR, color VARCHAR, placed INTEGER, until INTEGER)")


@dataclass
class _Day:
    index: int
    day: date

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    def at(self, seconds_expr: str) -> str:
        """A naive-UTC timestamp ``seconds_expr`` seconds after midnight Asia/Shanghai of this day."""
        return f"(TIMESTAMP '{self.iso} 00:00:00' - INTERVAL 8 HOUR + to_seconds(CAST({seconds_expr} AS BIGINT)))"


class _Writer:
    """Writes one (table, day) as a Parquet file in the catalog's schema, numbering ``_seq`` as it goes."""

    def __init__(self, out: Path, manifest: Manifest) -> None:
        self.out = out
        self.manifest = manifest
        self.sequence = 10**12

    def write(self, table: str, dt: str, arrow: pa.Table) -> None:
        if arrow.num_rows == 0:
            return
        spec = TABLES[table]
        target = schema(spec)
        sequences = pa.array([str(self.sequence + i).zfill(40) for i in range(arrow.num_rows)], pa.string())
        self.sequence += arrow.num_rows
        columns = []
        for field_ in target:
            if field_.name == "_seq":
                columns.append(sequences)
            elif field_.name in arrow.column_names:
                columns.append(arrow.column(field_.name).cast(field_.type, safe=False))
            else:
                columns.append(pa.nulls(arrow.num_rows, field_.type))
        body = encode(pa.Table.from_arrays(columns, schema=target))
        folder = self.out / table / f"{PARTITION_COLUMN}={dt}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"generated-{self.sequence:016d}.parquet").write_bytes(body)
        self.manifest.rows[table] = self.manifest.rows.get(table, 0) + arrow.num_rows
        self.manifest.bytes[table] = self.manifest.bytes.get(table, 0) + len(body)


def _first_day(connection: Any, writer: _Writer, day: _Day) -> None:
    arrow = connection.sql(
        """SELECT person_id, county_code, community_id, person_id AS household_id, 'self' AS relation, birth_year,
                   true AS has_account, created_at, 'INSERT' AS _op, created_at AS _at FROM people"""
    ).to_arrow_table()
    writer.write("residents", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT checkpoint_id, kind, county_code, community_id, true AS active, {day.at("u(idx, 14) * 3600")} AS created_at,
                   {day.at("u(idx, 14) * 3600")} AS updated_at, 'INSERT' AS _op, {day.at("u(idx, 14) * 3600")} AS _at
            FROM checkpoints"""
    ).to_arrow_table()
    writer.write("checkpoints", day.iso, arrow)
    applied = day.at("21600 + u(idx, 15) * 50000")
    arrow = connection.sql(
        f"""SELECT p.person_id, p.county_code, p.community_id, 'green' AS color, '{day.iso}' AS since, '{day.iso}' AS applied_on,
                   0 AS streak, 'v1' AS rule_version, false AS declared_fever, false AS declared_isolation,
                   {applied} AS applied_at, {applied} AS updated_at, 1 AS version, 'INSERT' AS _op, {applied} AS _at
            FROM people p"""
    ).to_arrow_table()
    writer.write("health_codes", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT person_id, '{day.iso}' AS day, 'green' AS to_color, 'applied' AS cause, 'v1' AS rule_version, county_code,
                   community_id, {applied} AS changed_at, 'INSERT' AS _op, {applied} AS _at FROM people"""
    ).to_arrow_table()
    writer.write("code_changes", day.iso, arrow)


def _check_ins(connection: Any, writer: _Writer, day: _Day) -> None:
    """Who checks in today, with what temperature; the rule's colour after the check-in."""
    salt = 100_000 + day.index
    connection.sql(
        f"""CREATE OR REPLACE TABLE today AS
        SELECT p.idx, p.person_id, p.county_code, p.community_id, s.color AS before, s.missed, s.streak, s.version,
               u(p.idx, {salt}) < p.p_checkin AS checked,
               u(p.idx, {salt + 50_000}) < 0.0008 AS fever,
               {day.at(f"25200 + u(p.idx, {salt + 60_000}) * 50400")} AS checked_in_at
        FROM people p JOIN state s USING (idx)"""
    )
    connection.sql(
        """CREATE OR REPLACE TABLE after_checkin AS
        SELECT *, CASE WHEN NOT checked THEN before
                       WHEN before = 'red' AND streak + 1 >= 3 THEN 'green'
                       WHEN before = 'red' THEN 'red' ELSE 'green' END AS color,
                  CASE WHEN checked AND before = 'red' AND streak + 1 < 3 THEN streak + 1 ELSE 0 END AS new_streak
        FROM today"""
    )
    arrow = connection.sql(
        f"""SELECT person_id, '{day.iso}' AS day, county_code, community_id,
                   CASE WHEN fever THEN 37.3 + u(idx, {salt + 70_000}) * 1.5
                        ELSE round(36.2 + u(idx, {salt + 80_000}) * 0.8, 1) END AS temperature,
                   fever, CASE WHEN fever THEN 2 ELSE 0 END AS symptom_count, checked_in_at, 'INSERT' AS _op, checked_in_at AS _at
            FROM after_checkin WHERE checked"""
    ).to_arrow_table()
    writer.write("checkins", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT person_id, county_code, community_id, color, '{day.iso}' AS since, 'v1' AS rule_version, 'MODIFY' AS _op,
                   checked_in_at AS _at
            FROM after_checkin WHERE checked AND color <> before"""
    ).to_arrow_table()
    writer.write("health_codes", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT person_id, '{day.iso}' AS day, before AS from_color, color AS to_color, 'check_in' AS cause, 'v1' AS rule_version,
                   county_code, community_id, checked_in_at AS changed_at, 'INSERT' AS _op, checked_in_at AS _at
            FROM after_checkin WHERE checked AND color <> before"""
    ).to_arrow_table()
    writer.write("code_changes", day.iso, arrow)
    # A fever at check-in places a fever hold (yellow) until the next day.
    connection.sql(
        f"""INSERT INTO holds_active SELECT person_id, 'fever#ci-{day.iso}', 'yellow', {day.index}, {day.index + 1}
            FROM after_checkin WHERE checked AND fever"""
    )


def _close(connection: Any, writer: _Writer, day: _Day, next_day: _Day | None) -> None:
    """The daily close: who did not check in moves along the rule; changes take effect the next morning."""
    connection.sql(
        """CREATE OR REPLACE TABLE closed AS
        SELECT idx, person_id, county_code, community_id, color AS before, checked,
               CASE WHEN checked THEN 0 ELSE missed + 1 END AS missed,
               CASE WHEN checked THEN new_streak ELSE 0 END AS streak,
               CASE WHEN checked THEN color
                    WHEN color = 'green' THEN 'yellow'
                    WHEN color = 'yellow' AND missed + 1 >= 3 THEN 'red'
                    ELSE color END AS color,
               version + CASE WHEN checked THEN 2 ELSE 1 END AS version
        FROM after_checkin"""
    )
    connection.sql("CREATE OR REPLACE TABLE state AS SELECT idx, color, missed, streak, version FROM closed")
    if next_day is None:
        return
    moment = next_day.at("300 + u(idx, 7) * 1800")
    arrow = connection.sql(
        f"""SELECT person_id, county_code, community_id, color, '{next_day.iso}' AS since, streak, 'v1' AS rule_version,
                   {moment} AS updated_at, version AS version, 'MODIFY' AS _op, {moment} AS _at
            FROM closed WHERE color <> before"""
    ).to_arrow_table()
    writer.write("health_codes", next_day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT person_id, '{next_day.iso}' AS day, before AS from_color, color AS to_color, 'close' AS cause, 'v1' AS rule_version,
                   county_code, community_id, {moment} AS changed_at, 'INSERT' AS _op, {moment} AS _at
            FROM closed WHERE color <> before"""
    ).to_arrow_table()
    writer.write("code_changes", next_day.iso, arrow)


def _scans(connection: Any, writer: _Writer, day: _Day, residents: int, checkpoints: int) -> None:
    per_day = max(1, residents // 4)
    salt = 200_000 + day.index
    arrow = connection.sql(
        f"""WITH draws AS (
              SELECT j, CAST(floor(u(j, {salt}) * {residents}) AS BIGINT) AS idx,
                     CAST(floor(u(j, {salt + 10_000}) * {checkpoints}) AS BIGINT) AS cp,
                     u(j, {salt + 20_000}) < 0.002 AS fever
              FROM range({per_day}) t(j)
            ), held AS (
              SELECT person_id, max(sev(color)) AS severity FROM holds_active
              WHERE placed <= {day.index} AND until > {day.index} GROUP BY person_id
            )
            SELECT c.checkpoint_id || '#s{day.index}-' || d.j AS scan_key, c.checkpoint_id, c.county_code, c.community_id,
                   p.community_id AS home_community_id, p.person_id, p.person_id AS person_ref,
                   CASE WHEN u(d.j, {salt + 30_000}) < 0.85 THEN 'qr' WHEN u(d.j, {salt + 30_000}) < 0.95 THEN 'id_card' ELSE 'typed' END AS method,
                   CASE WHEN u(d.j, {salt + 40_000}) < 0.5 THEN 'in' ELSE 'out' END AS direction,
                   col(greatest(sev(s.color), coalesce(h.severity, 0))) AS color,
                   CASE WHEN d.fever THEN 37.4 + u(d.j, {salt + 50_000}) ELSE round(36.1 + u(d.j, {salt + 60_000}) * 0.9, 1) END AS temperature,
                   d.fever, false AS companion, '{day.iso}' AS day,
                   {day.at(f"21600 + u(d.j, {salt + 70_000}) * 57600")} AS scanned_at
            FROM draws d JOIN people p ON p.idx = d.idx JOIN checkpoints c ON c.idx = d.cp JOIN state s ON s.idx = d.idx
            LEFT JOIN held h ON h.person_id = p.person_id"""
    ).to_arrow_table()
    connection.register("scans_draft", arrow)
    decided = connection.sql(
        """SELECT *, CASE WHEN fever OR color <> 'green' THEN 'stop' ELSE 'pass' END AS decision,
                  CASE WHEN fever THEN 'fever' WHEN color = 'red' THEN 'red_code' WHEN color = 'yellow' THEN 'yellow_code' ELSE 'ok' END AS reason,
                  scanned_at AS received_at, 'INSERT' AS _op, scanned_at AS _at
           FROM scans_draft"""
    ).to_arrow_table()
    connection.unregister("scans_draft")
    writer.write("scans", day.iso, decided)


def _key_persons(connection: Any, writer: _Writer, day: _Day, residents: int, days: list[_Day]) -> None:
    """New key persons today (held red), and the releases of those registered 14 days ago."""
    per_day = max(1, residents * 4 // 10_000)
    salt = 300_000 + day.index
    connection.sql(
        f"""INSERT INTO kp
        SELECT 'kp-{day.index:02d}-' || j, p.person_id, p.county_code, p.community_id, {_category_case(f"u(j, {salt + 1})")},
               ['community', 'self_report', 'checkpoint', 'tipoff', 'co_travel', 'import'][1 + CAST(floor(u(j, {salt + 2}) * 6) AS BIGINT)],
               ['home_isolation', 'centralized_isolation', 'medical_observation', 'hospital'][1 + CAST(floor(u(j, {salt + 3}) * 4) AS BIGINT)],
               {day.index}, 1
        FROM range({per_day}) t(j) JOIN people p ON p.idx = CAST(floor(u(j, {salt}) * {residents}) AS BIGINT)"""
    )
    opened = day.at("28800 + u(hash(key_person_id), 9) * 36000")
    released_from = day.index - RELEASE_AFTER_DAYS
    arrow = connection.sql(
        f"""SELECT key_person_id, person_id, county_code, community_id, category,
                   CASE WHEN opened = {day.index} THEN 'active' ELSE 'released' END AS status, source, measure,
                   strftime(DATE '{days[0].iso}' + CAST(opened AS INTEGER), '%Y-%m-%d') AS opened_on,
                   strftime(DATE '{days[0].iso}' + CAST(opened AS INTEGER), '%Y-%m-%d') AS start_date,
                   strftime(DATE '{days[0].iso}' + CAST(opened + {RELEASE_AFTER_DAYS} AS INTEGER), '%Y-%m-%d') AS planned_release,
                   '{day.iso}' AS last_follow_up, false AS on_supervision,
                   {opened} - INTERVAL (({day.index} - opened) * 24) HOUR AS created_at,
                   CASE WHEN opened = {day.index} THEN NULL ELSE {opened} END AS closed_at,
                   CASE WHEN opened = {day.index} THEN 1 ELSE 2 END AS version,
                   CASE WHEN opened = {day.index} THEN 'INSERT' ELSE 'MODIFY' END AS _op, {opened} AS _at
            FROM kp WHERE opened = {day.index} OR opened = {released_from}"""
    ).to_arrow_table()
    writer.write("key_persons", day.iso, arrow)
    connection.sql(
        f"""INSERT INTO holds_active SELECT person_id, 'key_person#' || key_person_id, 'red', {day.index}, {day.index + RELEASE_AFTER_DAYS}
            FROM kp WHERE opened = {day.index}"""
    )
    arrow = connection.sql(
        f"""SELECT person_id, hold_key, split_part(hold_key, '#', 1) AS kind, color,
                   CASE WHEN kind = 'fever' THEN 'health-code' ELSE 'key-persons' END AS source,
                   placed = {day.index} AS active,
                   {day.at("0")} - INTERVAL (({day.index} - placed) * 24) HOUR + INTERVAL 9 HOUR AS since,
                   CASE WHEN placed = {day.index} THEN NULL ELSE {day.at("32400")} END AS lifted_at,
                   CASE WHEN placed = {day.index} THEN 'INSERT' ELSE 'MODIFY' END AS _op,
                   {day.at("32400")} AS _at
            FROM holds_active WHERE placed = {day.index} OR until = {day.index}"""
    ).to_arrow_table()
    writer.write("holds", day.iso, arrow)


def _hotline(connection: Any, writer: _Writer, day: _Day, residents: int) -> None:
    """Tip-offs and calls become work orders: received and dispatched today, replied and closed later."""
    per_day = max(1, residents // 8_000)
    salt = 400_000 + day.index
    categories = "[" + ", ".join(f"'{name}'" for name in TIPOFF_CATEGORIES) + "]"
    connection.sql(
        f"""CREATE OR REPLACE TABLE tips AS
        SELECT 'tip-{day.index:02d}-' || j AS tipoff_id, {categories}[1 + CAST(floor(u(j, {salt}) * 10) AS BIGINT)] AS category,
               p.county_code, p.community_id, u(j, {salt + 1}) < 0.3 AS anonymous, u(j, {salt + 2}) < 0.1 AS duplicate,
               u(j, {salt + 3}) < 0.2 AS has_photo, 'wo-{day.index:02d}-' || j AS order_id, {day.at(f"28800 + u(j, {salt + 4}) * 43200")} AS created_at
        FROM range({per_day}) t(j) JOIN people p ON p.idx = CAST(floor(u(j, {salt + 5}) * {residents}) AS BIGINT)"""
    )
    tips = connection.sql(
        """SELECT tipoff_id, category, county_code, community_id,
                  CASE WHEN category IN ('rumour', 'gathering') THEN 'public_security' WHEN category IN ('price_gouging', 'fake_supplies')
                       THEN 'market_regulation' ELSE 'health' END AS department,
                  anonymous, has_photo, duplicate, order_id, created_at, 'INSERT' AS _op, created_at AS _at FROM tips"""
    ).to_arrow_table()
    writer.write("tipoffs", day.iso, tips)
    connection.register("tips_arrow", tips)
    orders = connection.sql(
        """WITH steps(status, hours, op) AS (VALUES ('received', 0, 'INSERT'), ('dispatched', 1, 'MODIFY'), ('handling', 3, 'MODIFY'),
                                            ('replied', 20, 'MODIFY'), ('closed', 30, 'MODIFY'))
           SELECT t.order_id, 'report' AS type, 'tipoff' AS source, t.category, t.department, t.county_code, t.community_id,
                  s.status, s.hours > 24 AND hash(t.order_id) % 20 = 0 AS overdue, 0 AS escalation_level,
                  CASE WHEN s.status = 'closed' THEN true END AS resolved,
                  CASE WHEN s.status = 'closed' THEN 3 + hash(t.order_id) % 3 END AS satisfaction,
                  t.created_at, t.created_at + INTERVAL 24 HOUR AS due_at, t.created_at + to_seconds(s.hours * 3600) AS updated_at,
                  row_number() OVER (PARTITION BY t.order_id ORDER BY s.hours) AS version, s.op AS _op,
                  t.created_at + to_seconds(s.hours * 3600) AS _at
           FROM tips_arrow t CROSS JOIN steps s"""
    ).to_arrow_table()
    connection.unregister("tips_arrow")
    connection.register("orders_arrow", orders)
    for dt in connection.sql("SELECT DISTINCT strftime(_at + INTERVAL 8 HOUR, '%Y-%m-%d') FROM orders_arrow ORDER BY 1").fetchall():
        part = connection.sql(f"SELECT * FROM orders_arrow WHERE strftime(_at + INTERVAL 8 HOUR, '%Y-%m-%d') = '{dt[0]}'").to_arrow_table()
        writer.write("work_orders", dt[0], part)
    connection.unregister("orders_arrow")


def _lab_tests(connection: Any, writer: _Writer, day: _Day, residents: int) -> None:
    """Lab tests (核酸): one resident in 400 sampled a day, by two labs; one sample in 200 positive."""
    per_day = max(2, residents // 400)
    salt = 700_000 + day.index
    arrow = connection.sql(
        f"""SELECT CASE WHEN u(j, {salt}) < 0.5 THEN 'lab-hubin-1' ELSE 'lab-shanzhou-1' END AS lab_id,
                   'S{day.index:02d}-' || j AS sample_id, p.person_id, p.county_code, p.community_id,
                   CASE WHEN u(j, {salt + 1}) < 0.005 THEN 'positive' ELSE 'negative' END AS result,
                   {day.at(f"25200 + u(j, {salt + 2}) * 36000")} AS sampled_at, {day.at(f"72000 + u(j, {salt + 3}) * 10800")} AS tested_at,
                   {day.at("82800")} AS recorded_at, 'INSERT' AS _op, {day.at("82800")} AS _at
            FROM range({per_day}) t(j) JOIN people p ON p.idx = CAST(floor(u(j, {salt + 4}) * {residents}) AS BIGINT)"""
    ).to_arrow_table()
    writer.write("lab_tests", day.iso, arrow)


def _resident_reports(connection: Any, writer: _Writer, day: _Day) -> None:
    """Most households report on the first day; a few residents report fevers or isolation."""
    moment = day.at("32400 + u(idx, 21) * 36000")
    arrow = connection.sql(
        f"""SELECT person_id, county_code, community_id,
                   CASE WHEN u(idx, 22) < 0.80 THEN 'permanent' WHEN u(idx, 22) < 0.90 THEN 'migrant_worker'
                        WHEN u(idx, 22) < 0.98 THEN 'returnee' ELSE 'visitor' END AS person_type,
                   u(idx, 23) < 0.002 AS fever,
                   CASE WHEN u(idx, 24) < 0.01 THEN 'home' WHEN u(idx, 24) < 0.012 THEN 'centralized' ELSE 'none' END AS isolation,
                   round(36.2 + u(idx, 25) * 0.8, 1) AS temperature, CAST(u(idx, 26) < 0.05 AS INTEGER) AS travel_entries,
                   0 AS open_requests, '{day.iso}' AS reported_on, {moment} AS updated_at, 1 AS version, 'INSERT' AS _op, {moment} AS _at
            FROM people WHERE u(idx, 20) < 0.6"""
    ).to_arrow_table()
    writer.write("resident_reports", day.iso, arrow)


def _requests_and_supplies(connection: Any, writer: _Writer, day: _Day, residents: int) -> None:
    """Hardship requests (resolved the next day), supply requests and stock movements, staff actions."""
    salt = 500_000 + day.index
    per_day = max(1, residents // 1_000)
    arrow = connection.sql(
        f"""WITH asked AS (
              SELECT 'hr-{day.index:02d}-' || j AS request_id, p.person_id, p.county_code, p.community_id,
                     ['medicine', 'daily_necessities', 'medical_visit', 'other'][1 + CAST(floor(u(j, {salt + 1}) * 4) AS BIGINT)] AS need,
                     {day.at(f"28800 + u(j, {salt + 2}) * 36000")} AS created_at
              FROM range({per_day}) t(j) JOIN people p ON p.idx = CAST(floor(u(j, {salt}) * {residents}) AS BIGINT)
            )
            SELECT *, 'open' AS status, 1 AS version, 'INSERT' AS _op, created_at AS _at FROM asked"""
    ).to_arrow_table()
    writer.write("hardship_requests", day.iso, arrow)
    if day.index > 0:
        yesterday = connection.sql(
            f"""SELECT request_id, person_id, county_code, community_id, need, 'resolved' AS status, created_at, 2 AS version,
                       'MODIFY' AS _op, {day.at("36000")} AS _at
                FROM previous_requests"""
        ).to_arrow_table()
        writer.write("hardship_requests", day.iso, yesterday)
    connection.register("asked_today", arrow)
    connection.sql("CREATE OR REPLACE TABLE previous_requests AS SELECT * FROM asked_today")
    connection.unregister("asked_today")
    items = "['masks', 'protective_suits', 'goggles', 'disinfectant', 'grain_oil', 'vegetables', 'meat', 'eggs', 'milk']"
    tiers = "['frontline_medical', 'frontline_prevention', 'return_to_work', 'aid_other_regions']"
    counties = "[" + ", ".join(f"'{code}'" for code in COUNTY_SHARES) + "]"
    arrow = connection.sql(
        f"""SELECT 'sr-{day.index:02d}-' || j AS request_id, {items}[1 + CAST(floor(u(j, {salt + 3}) * 9) AS BIGINT)] AS item,
                   {tiers}[1 + CAST(floor(u(j, {salt + 4}) * 4) AS BIGINT)] AS tier,
                   {counties}[1 + CAST(floor(u(j, {salt + 5}) * 6) AS BIGINT)] AS county_code, 'hospital' AS unit_kind,
                   100 + CAST(floor(u(j, {salt + 6}) * 900) AS BIGINT) AS quantity, 0 AS allocated, 0 AS dispatched, 0 AS received,
                   '{day.iso}' AS needed_by, {day.at("36000")} AS created_at, 'INSERT' AS _op, {day.at("36000")} AS _at
            FROM range({max(1, per_day // 20)}) t(j)"""
    ).to_arrow_table()
    writer.write("supply_requests", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT 'wh-' || w AS warehouse_id, {items}[1 + i] AS item,
                   1000 + CAST(floor(u(w * 10 + i, {salt + 7}) * 50000) AS BIGINT) AS available,
                   CAST(floor(u(w * 10 + i, {salt + 8}) * 2000) AS BIGINT) AS reserved,
                   CASE WHEN {day.index} = 0 THEN 'INSERT' ELSE 'MODIFY' END AS _op, {day.at("64800")} AS _at
            FROM range(6) a(w) CROSS JOIN range(9) b(i)"""
    ).to_arrow_table()
    writer.write("supply_stock", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT md5('audit-{day.index}-' || j) AS record_id,
                   ['order', 'kp', 'checkpoint', 'hardship'][1 + CAST(floor(u(j, {salt + 9}) * 4) AS BIGINT)] AS target_kind,
                   ['hotline_operator', 'community_head', 'checkpoint_staff', 'department_handler'][1 + CAST(floor(u(j, {salt + 9}) * 4) AS BIGINT)] AS role,
                   ['order.dispatch', 'keyperson.follow_up', 'checkpoint.scan', 'hardship.handle'][1 + CAST(floor(u(j, {salt + 9}) * 4) AS BIGINT)] AS action,
                   {day.at(f"28800 + u(j, {salt + 10}) * 43200")} AS acted_at, 'INSERT' AS _op, {day.at(f"28800 + u(j, {salt + 10}) * 43200")} AS _at
            FROM range({per_day * 2}) t(j)"""
    ).to_arrow_table()
    writer.write("audit_actions", day.iso, arrow)


def _enterprises(connection: Any, writer: _Writer, day: _Day, residents: int) -> None:
    """Enterprises registered on the first day; most above-scale ones resumed, with rosters of residents."""
    firms = max(6, round(370 * residents / CITY_RESIDENTS))
    workers = max(12, residents // 12)
    counties = "[" + ", ".join(f"'{code}'" for code in COUNTY_SHARES) + "]"
    industries = "['manufacturing', 'mining', 'energy', 'food', 'pharmaceutical', 'logistics', 'retail', 'construction']"
    arrow = connection.sql(
        f"""SELECT 'ent-' || lpad(CAST(j AS VARCHAR), 4, '0') AS enterprise_id, {counties}[1 + CAST(floor(u(j, 601) * 6) AS BIGINT)] AS county_code,
                   {industries}[1 + CAST(floor(u(j, 602) * 8) AS BIGINT)] AS industry, u(j, 603) < 0.6 AS above_scale,
                   CASE WHEN u(j, 604) < 0.85 THEN 'approved' WHEN u(j, 604) < 0.93 THEN 'pending' ELSE 'not_applied' END AS resumption_status,
                   '{day.iso}' AS resumed_on, {day.at("36000")} AS created_at, 'INSERT' AS _op, {day.at("36000")} AS _at
            FROM range({firms}) t(j)"""
    ).to_arrow_table()
    writer.write("enterprises", day.iso, arrow)
    arrow = connection.sql(
        f"""SELECT 'ent-' || lpad(CAST(CAST(floor(u(j, 611) * {firms}) AS BIGINT) AS VARCHAR), 4, '0') AS enterprise_id, 'emp-' || j AS employee_id,
                   CASE WHEN u(j, 612) < 0.9 THEN pid(CAST(floor(u(j, 613) * {residents}) AS BIGINT)) END AS person_id,
                   {day.at("39600")} AS added_at, 'INSERT' AS _op, {day.at("39600")} AS _at
            FROM range({workers}) t(j)"""
    ).to_arrow_table()
    writer.write("enterprise_employees", day.iso, arrow)


def generate(
    out: Path,
    *,
    scale: float = 1.0,
    days: int = 30,
    start: date = date(2020, 1, 26),
    seed: int = 2020,
    progress: Callable[[int, str], Progress] | None = None,
) -> Manifest:
    """Write a synthetic lake to ``out`` (emptied first) and a ``manifest.json`` of what it holds."""
    import shutil

    import duckdb

    residents = max(60, round(CITY_RESIDENTS * scale))
    checkpoints = max(6, round(CITY_CHECKPOINTS * scale))
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    manifest = Manifest(scale=scale, days=days, start=start.isoformat(), seed=seed, residents=residents)
    started = time.monotonic()
    connection = duckdb.connect(config={"threads": 2})
    _macros(connection, seed)
    writer = _Writer(out, manifest)
    calendar = [_Day(index, start + timedelta(days=index)) for index in range(days)]
    bar = (progress or (lambda total, label: Progress(total, label)))(days, f"lake {residents:,} residents")
    _setup(connection, residents, checkpoints, start)
    for day in calendar:
        if day.index == 0:
            _first_day(connection, writer, day)
            _resident_reports(connection, writer, day)
            _enterprises(connection, writer, day, residents)
        _check_ins(connection, writer, day)
        _scans(connection, writer, day, residents, checkpoints)
        _key_persons(connection, writer, day, residents, calendar)
        _hotline(connection, writer, day, residents)
        _requests_and_supplies(connection, writer, day, residents)
        _lab_tests(connection, writer, day, residents)
        _close(connection, writer, day, calendar[day.index + 1] if day.index + 1 < days else None)
        bar.step(day.iso)
    connection.close()
    manifest.seconds = round(time.monotonic() - started, 1)
    (out / MANIFEST).write_text(json.dumps(manifest.__dict__, indent=2))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(".local/lake-city"), help="folder laid out like the lake bucket")
    parser.add_argument("--scale", type=float, default=1.0, help="share of the city: 1.0 = 1.2 million residents")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--start", type=date.fromisoformat, default=date(2020, 1, 26), help="first day (yyyy-mm-dd)")
    parser.add_argument("--seed", type=int, default=2020)
    args = parser.parse_args(argv)
    if args.scale <= 0 or args.days < 1:
        parser.error("--scale must be positive and --days at least 1")
    manifest = generate(args.out, scale=args.scale, days=args.days, start=args.start, seed=args.seed)
    total_rows, total_bytes = sum(manifest.rows.values()), sum(manifest.bytes.values())
    print(f"{manifest.residents:,} residents, {args.days} days → {total_rows:,} rows, {total_bytes / 1e6:,.1f} MB in {manifest.seconds}s")
    for table in sorted(manifest.rows):
        print(f"  {table:<14} {manifest.rows[table]:>12,} rows {manifest.bytes[table] / 1e6:>10,.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
