"""Benchmark: every dashboard figure over the city-scale lake (1.2 million residents, 30 days).

    python -m infra.bench.bench_bigdata            # generates .local/lake-city once (several minutes), then queries
    python -m infra.bench.bench_bigdata --scale 0.05

For each figure (the same Trino SQL the dashboard sends to Athena, run here on DuckDB over the same Parquet
layout): the time, the bytes read from the lake files (what Athena would scan and bill, roughly), and the
bytes the same rows would need as JSON lines — what a query would have to read if the lake were JSON
(no column pruning, no compression). Partitions a query prunes (``dt`` predicates on the tables it reads
directly) are left out of the JSON figure as well. Not a test: numbers from one run.

Targets (issue 19): every figure within ``TARGET_MS`` and reading at least ``TARGET_JSON_RATIO`` times fewer bytes
than JSON lines; the bench exits 1 when a figure misses either.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq
from sqlglot import exp

from infra.lake.generate import Progress, generate, read_manifest
from sanmenxia.bigdata import service as dashboard
from sanmenxia.bigdata.query import DuckDBRunner
from sanmenxia.bigdata.sql import View, load_views, parse_trino
from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES

ROOT = Path(__file__).resolve().parents[2]
ATHENA_USD_PER_TB = 5.0
SAMPLE_ROWS = 2_000


@dataclass
class JsonSizer:
    """Bytes of a table's rows as JSON lines, per partition, from a sample of each table's first file."""

    lake: Path

    def __post_init__(self) -> None:
        self._per_row: dict[str, float] = {}
        self._rows: dict[str, dict[str, int]] = {}

    def per_row(self, table: str) -> float:
        if table not in self._per_row:
            files = sorted((self.lake / table).glob(f"{PARTITION_COLUMN}=*/*.parquet"))
            if not files:
                self._per_row[table] = 0.0
                return 0.0
            sample = pq.read_table(files[len(files) // 2]).slice(0, SAMPLE_ROWS).to_pylist()
            day = files[len(files) // 2].parent.name.split("=", 1)[1]
            lines = [json.dumps({**row, PARTITION_COLUMN: day}, ensure_ascii=False, default=str) + "\n" for row in sample]
            self._per_row[table] = sum(len(line.encode()) for line in lines) / max(len(lines), 1)
        return self._per_row[table]

    def rows(self, table: str) -> dict[str, int]:
        if table not in self._rows:
            counts: dict[str, int] = {}
            for folder in sorted((self.lake / table).glob(f"{PARTITION_COLUMN}=*")):
                counts[folder.name.split("=", 1)[1]] = sum(pq.ParquetFile(path).metadata.num_rows for path in folder.glob("*.parquet"))
            self._rows[table] = counts
        return self._rows[table]

    def json_bytes(self, table: str, days: set[str] | None) -> int:
        counts = self.rows(table)
        rows = sum(count for day, count in counts.items() if days is None or day in days)
        return int(rows * self.per_row(table))


def base_tables(sql: str, views: dict[str, View]) -> tuple[set[str], set[str]]:
    """(tables the query reads directly, tables it reads through views)."""
    tree = parse_trino(sql)
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    direct: set[str] = set()
    through: set[str] = set()
    pending = [table.name for table in tree.find_all(exp.Table) if table.name not in ctes]
    for name in pending:
        if name in TABLES:
            direct.add(name)
    stack = [name for name in pending if name in views]
    while stack:
        view = views[stack.pop()]
        for name in view.reads:
            if name in TABLES:
                through.add(name)
            elif name in views:
                stack.append(name)
    return direct, through


def figures(last: date, days: int) -> list[dashboard.Figure]:
    city = dashboard.Area(dashboard.Level.CITY)
    period = dashboard.Period(last - timedelta(days=days - 1), last)
    week = dashboard.Period(last - timedelta(days=6), last)
    return [
        dashboard.codes(city, last),
        dashboard.codes_trend(city, period),
        dashboard.key_persons(city),
        dashboard.key_persons_trend(city, period),
        dashboard.checkpoints(city, dashboard.Period(last, last)),
        dashboard.checkpoints(city, week),
        dashboard.tipoffs(city, period),
        dashboard.work_orders(city),
        dashboard.residents(city),
        dashboard.supplies(city),
        dashboard.return_to_work(city),
    ]


#: A dashboard figure's time on the city lake, and how many times fewer bytes than JSON lines it must read.
TARGET_MS = 1000.0
TARGET_JSON_RATIO = 10.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dashboard queries over the city-scale lake")
    parser.add_argument("--lake", type=Path, default=ROOT / ".local" / "lake-city")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args(argv)
    start = date(2020, 1, 26)
    manifest = read_manifest(args.lake)
    if manifest is None or not manifest.matches(args.scale, args.days, start, 2020):
        print(f"generating the lake in {args.lake} (once; reused by later runs)")
        manifest = generate(args.lake, scale=args.scale, days=args.days, start=start, progress=lambda total, label: Progress(total, label))
    last = start + timedelta(days=args.days - 1)
    lake_rows, lake_bytes = sum(manifest.rows.values()), sum(manifest.bytes.values())
    print(
        f"lake: {manifest.residents:,} residents, {args.days} days, {lake_rows:,} rows, {lake_bytes / 1e6:,.1f} MB Parquet "
        f"(generated in {manifest.seconds:,.0f} s)"
    )
    sizer = JsonSizer(args.lake)
    json_total = sum(sizer.json_bytes(table, None) for table in TABLES)
    print(f"the same lake as JSON lines: {json_total / 1e6:,.1f} MB ({json_total / max(lake_bytes, 1):.1f}× the Parquet)")

    views = load_views(ROOT / "infra" / "athena")
    by_name = {view.name: view for view in views}
    runner = DuckDBRunner(args.lake, views)
    runner.run("SELECT 1 AS warm")
    print()
    print(f"{'figure':<22}{'rows':>6}{'time ms':>10}{'read MB':>10}{'JSON MB':>10}{'JSON/read':>10}{'Athena $':>10}")
    started = time.monotonic()
    missed: list[str] = []
    for figure in figures(last, args.days):
        result = dashboard.run(figure, runner)
        direct, through = base_tables(figure.query.sql, by_name)
        period_days = _days(figure)
        json_bytes = sum(sizer.json_bytes(table, None if table in through else period_days) for table in direct | through)
        read = result.bytes_scanned or 0
        label = figure.name + (f" {len(period_days)}d" if period_days else "")
        cost = max(read, 10 * 1024**2) / 1024**4 * ATHENA_USD_PER_TB
        print(
            f"{label:<22}{len(result.rows):>6}{result.elapsed_ms:>10,.0f}{read / 1e6:>10,.1f}{json_bytes / 1e6:>10,.1f}"
            f"{json_bytes / max(read, 1):>9,.1f}×{cost:>10.5f}"
        )
        if result.elapsed_ms > TARGET_MS or json_bytes / max(read, 1) < TARGET_JSON_RATIO:
            missed.append(label)
    print(f"\nall figures in {time.monotonic() - started:,.1f} s on DuckDB ({runner.threads} threads); Athena cost at ${ATHENA_USD_PER_TB}/TB")
    print(f"targets: each figure ≤ {TARGET_MS:,.0f} ms and ≥ {TARGET_JSON_RATIO:.0f}× fewer bytes than JSON lines")
    print(f"  missed by {len(missed)}: {', '.join(missed) or 'none'}")
    return 1 if missed else 0


def _days(figure: dashboard.Figure) -> set[str] | None:
    if "date" in figure.meta:
        return {figure.meta["date"]}
    if "from" in figure.meta:
        first, last = date.fromisoformat(figure.meta["from"]), date.fromisoformat(figure.meta["to"])
        return {(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)}
    return None


if __name__ == "__main__":
    raise SystemExit(main())
