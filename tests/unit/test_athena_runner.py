"""The Athena runner against a fake Athena client: parameters as literals, polling, paging, typed rows,
failures and time-outs mapped to domain errors; the view deployment step."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.athena.apply import apply
from sanmenxia.bigdata.query import AthenaRunner, QueryFailed
from sanmenxia.bigdata.sql import literal
from sanmenxia.errors import UpstreamUnavailable


class FakeAthena:
    """Records the calls; answers with ``states`` in turn, then the pages."""

    def __init__(self, states: list[str], pages: list[dict[str, Any]] | None = None, reason: str = "") -> None:
        self.states = iter(states)
        self.pages = pages or []
        self.reason = reason
        self.started: list[dict[str, Any]] = []
        self.stopped: list[str] = []

    def start_query_execution(self, **request: Any) -> dict[str, Any]:
        self.started.append(request)
        return {"QueryExecutionId": f"q{len(self.started)}"}

    def get_query_execution(self, QueryExecutionId: str) -> dict[str, Any]:
        state = next(self.states, "SUCCEEDED")
        return {
            "QueryExecution": {
                "Status": {"State": state, "StateChangeReason": self.reason},
                "Statistics": {"DataScannedInBytes": 12_345},
            }
        }

    def stop_query_execution(self, QueryExecutionId: str) -> None:
        self.stopped.append(QueryExecutionId)

    def get_paginator(self, name: str) -> Any:
        assert name == "get_query_results"
        pages = self.pages

        class Paginator:
            def paginate(self, **_: Any) -> Iterator[dict[str, Any]]:
                yield from pages

        return Paginator()


def page(rows: list[list[str | None]], header: bool = False) -> dict[str, Any]:
    info = [{"Name": "area", "Type": "varchar"}, {"Name": "codes", "Type": "bigint"}, {"Name": "rate", "Type": "double"}, {"Name": "ok", "Type": "boolean"}]
    data = ([["area", "codes", "rate", "ok"]] if header else []) + rows
    return {
        "ResultSet": {
            "ResultSetMetadata": {"ColumnInfo": info},
            "Rows": [{"Data": [({"VarCharValue": value} if value is not None else {}) for value in row]} for row in data],
        }
    }


def test_a_query_runs_in_the_workgroup_with_literal_parameters_and_typed_rows() -> None:
    # Given Athena that is queued, then running, then done, with two pages of results
    athena = FakeAthena(["QUEUED", "RUNNING", "SUCCEEDED"], [page([["411202", "10", "0.5", "true"]], header=True), page([["411203", None, None, "false"]])])
    runner = AthenaRunner(athena, "sanmenxia-dev", "sanmenxia_lake_dev", sleep=lambda seconds: None)
    # When a query with parameters runs
    result = runner.run("SELECT area, codes, rate, ok FROM t WHERE dt = ? AND name = ?", ["2020-02-01", "o'brien"])
    # Then it ran in the workgroup and database, with the parameters as Trino literals
    request = athena.started[0]
    assert request["WorkGroup"] == "sanmenxia-dev"
    assert request["QueryExecutionContext"] == {"Database": "sanmenxia_lake_dev"}
    assert request["ExecutionParameters"] == ["'2020-02-01'", "'o''brien'"]
    # And the header row is dropped and values are typed
    assert result.rows == [{"area": "411202", "codes": 10, "rate": 0.5, "ok": True}, {"area": "411203", "codes": None, "rate": None, "ok": False}]
    assert result.bytes_scanned == 12_345 and result.engine == "athena"


def test_a_failed_query_is_a_query_failure_with_athenas_reason() -> None:
    runner = AthenaRunner(FakeAthena(["FAILED"], reason="COLUMN_NOT_FOUND: line 1:8"), "wg", "db", sleep=lambda seconds: None)
    with pytest.raises(QueryFailed, match="COLUMN_NOT_FOUND"):
        runner.run("SELECT nope FROM t")


def test_a_query_that_takes_too_long_is_stopped() -> None:
    athena = FakeAthena(["RUNNING"] * 10_000)
    runner = AthenaRunner(athena, "wg", "db", timeout_seconds=0.0, sleep=lambda seconds: None)
    with pytest.raises(UpstreamUnavailable):
        runner.run("SELECT 1")
    assert athena.stopped == ["q1"]


@pytest.mark.parametrize(("value", "expected"), [(None, "NULL"), (True, "TRUE"), (3, "3"), (2.5, "2.5"), ("a'b", "'a''b'")])
def test_literals(value: object, expected: str) -> None:
    assert literal(value) == expected


def test_apply_creates_every_view_after_the_views_it_reads() -> None:
    athena = FakeAthena([])
    created = apply(AthenaRunner(athena, "wg", "db", sleep=lambda seconds: None), Path(__file__).resolve().parents[2] / "infra" / "athena")
    assert len(created) == len(athena.started) >= 10
    assert created.index("code_spans") < created.index("codes_by_color_daily") < created.index("checkin_rate_daily")
    assert all(request["QueryString"].startswith("CREATE OR REPLACE VIEW") for request in athena.started)
