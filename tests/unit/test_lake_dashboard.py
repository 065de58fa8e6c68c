"""Dashboard figures, pure parts: the area a caller may see, periods, and every figure's Trino SQL running on
DuckDB over a small generated lake with figures that agree with each other."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infra.lake.generate import generate
from sanmenxia.auth import Principal, Role
from sanmenxia.bigdata import service as dashboard
from sanmenxia.bigdata.query import DuckDBRunner
from sanmenxia.bigdata.service import Area, Level, Period, parse_period, resolve_area
from sanmenxia.bigdata.sql import load_views, parse_trino
from sanmenxia.errors import Forbidden, InvalidInput

START = date(2020, 2, 1)
DAYS = 5
LAST = START + timedelta(days=DAYS - 1)
VIEWS = load_views(Path(__file__).resolve().parents[2] / "infra" / "athena")


def principal(role: Role, **scope: str) -> Principal:
    return Principal(sub="s", username="u", roles=frozenset({role}), scope=scope)


CITY = principal(Role.COMMANDER)
HUBIN = principal(Role.COMMANDER, county_code="411202")
HEAD = principal(Role.COMMUNITY_HEAD, community_id="411202-001", county_code="411202")


class _Quiet:
    def step(self, note: str = "") -> None:
        return None


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> DuckDBRunner:
    out = tmp_path_factory.mktemp("lake")
    generate(out, scale=0.0005, days=DAYS, start=START, progress=lambda total, label: _Quiet())
    return DuckDBRunner(out, VIEWS)


def test_without_parameters_each_role_sees_its_own_area() -> None:
    assert resolve_area(CITY, None, None) == Area(Level.CITY)
    assert resolve_area(HUBIN, None, None) == Area(Level.COUNTY, "411202")
    assert resolve_area(HEAD, None, None) == Area(Level.COMMUNITY, "411202", "411202-001")
    with pytest.raises(Forbidden):
        resolve_area(principal(Role.RESIDENT), None, None)


@pytest.mark.parametrize(
    ("who", "county", "community"),
    [(HUBIN, "411282", None), (HUBIN, None, "411282-001"), (HEAD, None, "411202-002"), (HEAD, "411202", None)],
)
def test_areas_outside_the_scope_are_forbidden(who: Principal, county: str | None, community: str | None) -> None:
    with pytest.raises(Forbidden):
        resolve_area(who, county, community)


def test_drill_down_within_the_scope() -> None:
    assert resolve_area(CITY, "411203", None).child_column == "community_id"
    assert resolve_area(HUBIN, None, "411202-007") == Area(Level.COMMUNITY, "411202", "411202-007")
    with pytest.raises(InvalidInput):
        resolve_area(CITY, "411203", "411202-001")


@given(start=st.dates(date(2020, 1, 1), date(2021, 6, 30)), length=st.integers(1, 150))
def test_periods_are_bounded(start: date, length: int) -> None:
    end = start + timedelta(days=length - 1)
    if length > dashboard.MAX_DAYS:
        with pytest.raises(InvalidInput):
            parse_period(start.isoformat(), end.isoformat(), date(2022, 1, 1))
    else:
        period = parse_period(start.isoformat(), end.isoformat(), date(2022, 1, 1))
        assert len(period.days) == length and period.days[0] == start.isoformat()


def figures(area: Area) -> list[dashboard.Figure]:
    period = Period(START, LAST)
    found = [
        dashboard.codes(area, LAST),
        dashboard.codes_trend(area, period),
        dashboard.key_persons(area),
        dashboard.key_persons_trend(area, period),
        dashboard.checkpoints(area, period),
        dashboard.tipoffs(area, period),
        dashboard.work_orders(area),
        dashboard.residents(area),
    ]
    if area.level is not Level.COMMUNITY:
        found += [dashboard.supplies(area), dashboard.return_to_work(area)]
    return found


@pytest.mark.parametrize("area", [Area(Level.CITY), Area(Level.COUNTY, "411282"), Area(Level.COMMUNITY, "411282", "411282-001")], ids=str)
def test_every_figure_is_trino_and_runs_on_duckdb(runner: DuckDBRunner, area: Area) -> None:
    for figure in figures(area):
        parse_trino(figure.query.sql)
        assert figure.query.sql.count("?") == len(figure.query.parameters), figure.name
        body = dashboard.answer(figure, area, dashboard.run(figure, runner), cached=False, as_of="now")
        assert "rows" in body, figure.name


def test_city_totals_equal_the_sum_of_the_counties(runner: DuckDBRunner) -> None:
    city = _answer(runner, dashboard.codes(Area(Level.CITY), LAST), Area(Level.CITY))
    counties = [_answer(runner, dashboard.codes(Area(Level.COUNTY, row["area"]), LAST), Area(Level.COUNTY, row["area"])) for row in city["rows"]]
    for county, row in zip(counties, city["rows"], strict=True):
        assert county["totals"]["codes"] == row["codes"]
        assert county["totals"]["red"] == row["red"]


def test_the_codes_figure_agrees_with_the_daily_view_and_the_trend(runner: DuckDBRunner) -> None:
    codes = _answer(runner, dashboard.codes(Area(Level.CITY), LAST), Area(Level.CITY))
    view = runner.run("SELECT color, sum(codes) AS codes FROM codes_by_color_daily WHERE dt = ? GROUP BY color", [LAST.isoformat()]).rows
    assert {row["color"]: row["codes"] for row in view} == {c: codes["totals"][c] for c in ("green", "yellow", "red") if codes["totals"][c]}
    trend = _answer(runner, dashboard.codes_trend(Area(Level.CITY), Period(START, LAST)), Area(Level.CITY))
    assert trend["rows"][-1]["red"] == codes["totals"]["red"] and trend["rows"][-1]["checkins"] == codes["totals"]["checkins"]


def _answer(runner: DuckDBRunner, figure: dashboard.Figure, area: Area) -> dict[str, Any]:
    return dashboard.answer(figure, area, dashboard.run(figure, runner), cached=False, as_of="now")
