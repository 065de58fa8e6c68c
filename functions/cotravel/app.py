"""Co-travel function (同行查询): case trips loaded by staff (API, or a CSV uploaded to S3), the public
query, saved trips re-checked when new case trips arrive, and "register me"."""

from __future__ import annotations

import functools
import secrets
from datetime import date
from typing import Annotated, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AfterValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from sanmenxia import api, aws, clock, contracts, paging, texts, triggers
from sanmenxia.auth import PUBLIC, Role, allow
from sanmenxia.contracts import KeyPersonCandidate, KeyPersonCategory
from sanmenxia.cotravel import service
from sanmenxia.cotravel.imports import valid_source_url
from sanmenxia.cotravel.proximity import Risk
from sanmenxia.cotravel.store import CoTravelStore, ImportFiles, SavedTrip, trip_to_json
from sanmenxia.cotravel.trips import CaseTrip, Position, TravelMode, normalize_carriage, normalize_number, normalize_seat, trip_id_for
from sanmenxia.errors import InvalidInput, NotFound
from sanmenxia.holds import HoldKind
from sanmenxia.models import RequestModel, ResponseModel, ShortText
from sanmenxia.notifications import Inbox
from sanmenxia.observability import logger, metrics
from sanmenxia.services import PeopleSettings, audit_log, holds, people
from sanmenxia.texts import TextCode

CASE_TRIPS_PREFIX = "case-trips/"
REPORTS_PREFIX = "reports/"
LOADERS = (Role.COMMANDER, Role.ADMIN)
READERS = (Role.COMMANDER, Role.ADMIN, Role.COMMUNITY_HEAD, Role.HOTLINE_OPERATOR)


UPLOAD_SECONDS = 900


class Settings(PeopleSettings):
    co_travel_table: str
    imports_bucket: str
    holds_table: str
    notifications_table: str
    key_person_queue_url: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> CoTravelStore:
    return CoTravelStore(aws.client("dynamodb"), settings().co_travel_table, settings().personal_record_days)


@functools.cache
def inbox() -> Inbox:
    return Inbox(aws.client("dynamodb"), settings().notifications_table, settings().personal_record_days)


app = api.PlatformResolver(title="Co-travel 同行查询")


def _past(value: date) -> date:
    if value > clock.today():
        raise ValueError("cannot be in the future")
    if value.year < 2019:
        raise ValueError("out of range")
    return value


def _carriage(value: str | None) -> str | None:
    return normalize_carriage(value)


def _seat(value: str | None) -> str | None:
    return normalize_seat(value)


TravelDate = Annotated[date, AfterValidator(_past)]
Carriage = Annotated[str | None, Field(max_length=10), AfterValidator(_carriage)]
Seat = Annotated[str | None, Field(max_length=8), AfterValidator(_seat)]
Row = Annotated[int | None, Field(ge=1, le=200)]


class TripIn(RequestModel):
    """A trip as a traveller describes it (carriage, row and seat optional)."""

    date: TravelDate
    mode: TravelMode | None = None
    number: Annotated[str, Field(min_length=1, max_length=20)]
    carriage: Carriage = None
    row: Row = None
    seat: Seat = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str, info: ValidationInfo) -> str:
        return normalize_number(info.data.get("mode"), value)

    def position(self) -> Position:
        return Position(self.carriage, self.row, self.seat)


class CaseTripIn(RequestModel):
    date: TravelDate
    mode: TravelMode
    number: Annotated[str, Field(min_length=1, max_length=20)]
    carriage: Carriage = None
    row: Row = None
    seat: Seat = None
    origin: ShortText = Field(alias="from")
    destination: ShortText = Field(alias="to")
    source_url: Annotated[str, Field(max_length=500)]
    case_ref: Annotated[str, Field(max_length=40)] | None = None

    @field_validator("number")
    @classmethod
    def _number(cls, value: str, info: ValidationInfo) -> str:
        return normalize_number(info.data.get("mode"), value)

    @field_validator("source_url")
    @classmethod
    def _source(cls, value: str) -> str:
        if not valid_source_url(value):
            raise ValueError("must be an http(s) link to the published notice")
        return value

    def trip(self) -> CaseTrip:
        position = Position(self.carriage, self.row, self.seat)
        trip_id = trip_id_for(self.date, self.mode, self.number, position, self.source_url, self.case_ref)
        return CaseTrip(trip_id, self.date, self.mode, self.number, position, self.origin, self.destination, self.source_url, self.case_ref)


class CaseTripsIn(RequestModel):
    trips: Annotated[list[CaseTripIn], Field(min_length=1, max_length=50)]


class SaveIn(TripIn):
    person_id: Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")] | None = None


class CaseTripOut(ResponseModel):
    """A confirmed case's published trip (no personal data: the notice's own words and link)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    trip_id: str
    date: date
    mode: TravelMode
    number: str
    carriage: str | None = None
    row: int | None = None
    seat: str | None = None
    origin: str = Field(alias="from", serialization_alias="from")
    destination: str = Field(alias="to", serialization_alias="to")
    source_url: str
    case_ref: str | None = None


class CaseTripMatchOut(CaseTripOut):
    risk: Risk


class CoTravelAnswerOut(ResponseModel):
    risk: Risk
    guidance: str
    can_register: bool
    matches: list[CaseTripMatchOut]


class TripAnswerOut(CoTravelAnswerOut):
    date: date
    number: str


class CoTravelRegistrationOut(CoTravelAnswerOut):
    registered: bool
    person_id: str
    community_id: str


class SavedTripOut(CoTravelAnswerOut):
    saved_id: str
    person_id: str
    date: date
    mode: TravelMode | None = None
    number: str
    carriage: str | None = None
    row: int | None = None
    seat: str | None = None
    created_at: str


class SavedTripDeletedOut(ResponseModel):
    deleted: str


class CaseTripsLoadedOut(ResponseModel):
    loaded: int
    trip_ids: list[str]
    notified: int


class ImportErrorOut(ResponseModel):
    line: int
    field: str
    reason: str


class CaseTripsImportOut(ResponseModel):
    """A CSV import's report: imported whole, or rejected with its errors by line."""

    import_id: str
    key: str
    received_at: str
    status: str = Field(description="validating, imported or rejected")
    rows: int | None = None
    rows_written: int | None = None
    notified: int | None = None
    error_count: int | None = None
    errors: list[ImportErrorOut] = Field(default_factory=list)
    finished_at: str | None = None


@app.get("/co-travel/trips", access=PUBLIC, summary="Did I travel with a confirmed case? 同行查询")
def query_trip(
    travel_date: Annotated[date, Query(alias="date")],
    number: Annotated[str, Query(min_length=1, max_length=20)],
    mode: Annotated[TravelMode | None, Query()] = None,
    carriage: Annotated[str | None, Query(max_length=10)] = None,
    row: Annotated[int | None, Query(ge=1, le=200)] = None,
    seat: Annotated[str | None, Query(max_length=8)] = None,
) -> TripAnswerOut:
    trip = _trip_from_query(travel_date, number, mode, carriage, row, seat)
    metrics.add_metric(name="CoTravelQueries", unit="Count", value=1)
    result = service.answer(store(), trip.date, trip.number, trip.position(), trip.mode)
    return TripAnswerOut.model_validate({"date": trip.date.isoformat(), "number": trip.number, **result.to_json()})


def _trip_from_query(travel_date: date, number: str, mode: TravelMode | None, carriage: str | None, row: int | None, seat: str | None) -> TripIn:
    """Query parameters through the same model as bodies, so errors name the parameter."""
    try:
        return TripIn(date=travel_date, number=number, mode=mode, carriage=carriage, row=row, seat=seat)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first.get("loc") else "number"
        raise InvalidInput(str(first["msg"]).removeprefix("Value error, "), field=field) from exc


@app.post("/co-travel/registrations", access=allow(Role.RESIDENT), status_code=201, summary="Register me as a possible contact 一键登记")
def register_me(body: SaveIn) -> CoTravelRegistrationOut:
    person = people(settings()).person_for(app.caller, body.person_id)
    result = service.answer(store(), body.date, body.number, body.position(), body.mode)
    if result.risk is Risk.NONE:
        raise NotFound("no confirmed case is published on this trip", field="number")
    case = result.found[0].trip
    reason = f"同行查询登记 Co-travel: {case.travel_date.isoformat()} {case.number} with a confirmed case ({result.risk.value})"
    said = texts.text(TextCode.CO_TRAVEL_HOLD, date=case.travel_date.isoformat(), number=case.number, risk=result.risk.value)
    holds(settings().holds_table).place(person.person_id, HoldKind.CO_TRAVEL, source="co_travel", source_ref=case.trip_id, reason=reason, text=said)
    candidate = KeyPersonCandidate(
        person_id=person.person_id,
        category=KeyPersonCategory.CLOSE_CONTACT,
        source="co_travel",
        source_ref=f"{case.trip_id}:{person.person_id}",
        community_id=person.community_id,
        reason=reason,
        reason_text=said,
    )
    contracts.send(settings().key_person_queue_url, candidate)
    logger.info("co-travel registration", extra={"person_id": person.person_id, "trip_id": case.trip_id, "risk": result.risk.value})
    return CoTravelRegistrationOut.model_validate({"registered": True, "person_id": person.person_id, "community_id": person.community_id, **result.to_json()})


@app.post("/co-travel/saved-trips", access=allow(Role.RESIDENT), status_code=201, summary="Save a trip to be told later 保存行程")
def save_trip(body: SaveIn) -> SavedTripOut:
    registry = people(settings())
    me = registry.me(app.caller.sub)
    traveller = registry.person_for(app.caller, body.person_id)
    saved = SavedTrip(secrets.token_hex(8), me.person_id, traveller.person_id, body.date, body.mode, body.number, body.position(), clock.iso())
    store().save(saved)
    result = service.answer(store(), body.date, body.number, body.position(), body.mode)
    return SavedTripOut.model_validate({**saved.to_json(), **result.to_json()})


@app.get("/co-travel/saved-trips", access=allow(Role.RESIDENT), summary="My saved trips with their current risk 我的行程")
def my_trips(limit: paging.Limit = 50, cursor: paging.Cursor = None) -> paging.Page[SavedTripOut]:
    me = people(settings()).me(app.caller.sub)
    trips, last = store().saved_page(me.person_id, limit=limit, start=app.page_start(cursor))
    answers = [{**trip.to_json(), **service.answer(store(), trip.travel_date, trip.number, trip.position, trip.mode).to_json()} for trip in trips]
    return app.page([SavedTripOut.model_validate(answer) for answer in answers], last)


@app.delete("/co-travel/saved-trips/<saved_id>", access=allow(Role.RESIDENT), summary="Forget a saved trip 删除行程")
def forget_trip(saved_id: Annotated[str, Path(pattern=r"^[0-9a-f]{16}$")]) -> SavedTripDeletedOut:
    store().forget(people(settings()).me(app.caller.sub).person_id, saved_id)
    return SavedTripDeletedOut(deleted=saved_id)


@app.post("/co-travel/case-trips", access=allow(*LOADERS), status_code=201, summary="Publish confirmed cases' trips 录入病例行程")
def load_case_trips(body: CaseTripsIn) -> CaseTripsLoadedOut:
    loaded = service.load_case_trips(store(), inbox(), audit_log(settings().audit_table), app.caller, [item.trip() for item in body.trips])
    return CaseTripsLoadedOut.model_validate(loaded)


@app.get("/co-travel/case-trips", access=allow(*READERS), summary="Case trips of a day 某日病例行程")
def case_trips_of(
    travel_date: Annotated[date, Query(alias="date")],
    limit: paging.Limit = 50,
    cursor: paging.Cursor = None,
) -> paging.Page[CaseTripOut]:
    trips, last = store().trips_page(travel_date, limit=limit, start=app.page_start(cursor))
    return app.page([CaseTripOut.model_validate(trip_to_json(trip)) for trip in trips], last)


class CaseTripsUploadIn(RequestModel):
    file_name: ShortText | None = None


class PresignedPut(ResponseModel):
    url: str
    method: str
    content_type: str


class CaseTripsUploadOut(ResponseModel):
    """Where to PUT the CSV; its import report (GET /co-travel/imports) carries the same key."""

    key: str
    file_name: str | None
    upload: PresignedPut


@app.post("/co-travel/imports", access=allow(*LOADERS), status_code=201, summary="Upload a CSV of case trips 上传病例行程 CSV")
def start_case_trips_upload(body: CaseTripsUploadIn) -> CaseTripsUploadOut:
    """Where to PUT the file (a presigned URL under case-trips/); its import report is listed by that key."""
    key = f"{CASE_TRIPS_PREFIX}{clock.now().strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(6)}.csv"
    url = aws.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": settings().imports_bucket, "Key": key, "ContentType": "text/csv"}, ExpiresIn=UPLOAD_SECONDS
    )
    logger.info("case-trips upload started", extra={"key": key, "by": app.caller.username})
    return CaseTripsUploadOut(key=key, file_name=body.file_name, upload=PresignedPut(url=url, method="PUT", content_type="text/csv"))


@app.get("/co-travel/imports", access=allow(*LOADERS), summary="CSV imports of case trips 导入记录")
def imports() -> list[CaseTripsImportOut]:
    return [CaseTripsImportOut.model_validate(report) for report in store().reports()]


@app.get("/co-travel/imports/<trips_import_id>", access=allow(*LOADERS), summary="One import: result or errors by line 导入结果")
def import_report(
    trips_import_id: Annotated[str, Path(pattern=r"^[0-9a-f]{20}$", description="a case-trips import's id (its import_id)")],
) -> CaseTripsImportOut:
    """(The path names it ``trips_import_id``: ``import_id`` is a comparison list's, another kind of record.)"""
    report = store().report(trips_import_id)
    if report is None:
        raise NotFound("no such import", field="trips_import_id")
    return CaseTripsImportOut.model_validate({"import_id": trips_import_id, **report})


# -- S3: a CSV of case trips uploaded under case-trips/ -------------------------------------------------------
def import_case_trips(bucket: str, key: str, etag: str) -> dict[str, Any]:
    return service.import_case_trips(store(), inbox(), ImportFiles(aws.client("s3")), bucket, key, etag, REPORTS_PREFIX)


def _s3(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in event.get("Records", []):
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith(CASE_TRIPS_PREFIX):
            continue
        results.append(import_case_trips(record["s3"]["bucket"]["name"], key, record["s3"]["object"].get("eTag", "")))
    return {"imports": results}


#: HTTP (API Gateway) or an S3 upload of case trips.
lambda_handler = triggers.entry(http=api.handler(app), s3=_s3)
