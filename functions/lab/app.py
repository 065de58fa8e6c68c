"""Lab function (核酸检测结果): labs upload result files (presigned PUT to ``lab-results/<lab>/<upload>.csv``,
imported on the S3 event) or send one result; results list; the upload's errors by line and field.

Labs see and write only their own lab's uploads and results (``custom:lab_id``); admins any lab, naming it.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, Field

from sanmenxia import api, audit, aws, clock, contracts, paging, triggers
from sanmenxia.auth import Principal, Role, allow
from sanmenxia.cotravel.csvfile import CsvRejected, RowError
from sanmenxia.errors import Conflict, InvalidInput
from sanmenxia.lab.rules import CLOCK_SKEW, LAB_ID_PATTERN, LabResult, ResultLine, parse_file
from sanmenxia.lab.service import LabService
from sanmenxia.lab.store import LabStore, new_upload_id
from sanmenxia.models import IdNumberStr, RequestModel, ResponseModel
from sanmenxia.observability import logger, metrics
from sanmenxia.services import PeopleSettings, audit_log, holds, people

PREFIX = "lab-results/"
UPLOAD_SECONDS = 900
LABS = allow(Role.LAB, Role.ADMIN)


class Settings(PeopleSettings):
    lab_results_table: str
    holds_table: str
    imports_bucket: str
    key_person_queue_url: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> LabStore:
    return LabStore(aws.client("dynamodb"), settings().lab_results_table)


def service() -> LabService:
    return LabService(
        store(),
        people(settings()),
        holds(settings().holds_table),
        audit_log(settings().audit_table),
        lambda candidate: contracts.send(settings().key_person_queue_url, candidate),
    )


app = api.PlatformResolver(title="Lab results 核酸检测结果")
LabIdStr = Annotated[str, Field(pattern=LAB_ID_PATTERN, examples=["lab-hubin-1"])]
LabQuery = Annotated[str | None, Query(pattern=LAB_ID_PATTERN, description="the lab (a lab's own by default; admins name one)")]
UploadIdPath = Annotated[str, Path(pattern=r"^lu\d{14}[0-9a-f]{6}$")]


def _lab(caller: Principal, lab_id: str | None) -> str:
    """The lab a call is about: the caller's own by default; scope checked (a lab names only its own)."""
    chosen = lab_id or caller.scope_value("lab_id")
    if not chosen:
        raise InvalidInput("name the lab (lab_id)", field="lab_id")
    caller.require_lab(chosen)
    return chosen


# -- models --------------------------------------------------------------------------------------------------
class UploadIn(RequestModel):
    lab_id: LabIdStr | None = Field(default=None, description="the lab; a lab's own when absent (admins name one)")
    file_name: str | None = Field(default=None, max_length=200, description="the uploaded file's name, shown in the list")


class LineErrorOut(ResponseModel):
    line: int = Field(description="line of the file (1 is the header)")
    field: str
    reason: str


class UploadTargetOut(ResponseModel):
    bucket: str
    key: str
    url: str
    method: str
    content_type: str


class LabUploadOut(ResponseModel):
    """An upload of a result file: imported whole, or rejected with every problem by line and field."""

    upload_id: str
    lab_id: str
    file_name: str | None = None
    status: str = Field(description="awaiting_upload, imported, rejected")
    created_by: str
    created_at: str
    finished_at: str | None = None
    rows: int = 0
    new: int = Field(default=0, description="results recorded by this upload")
    already_recorded: int = Field(default=0, description="lines whose sample was recorded before, identically (nothing written again)")
    positives: int = 0
    negatives: int = 0
    released: int = Field(default=0, description="people whose lab holds the negatives released")
    error_count: int = 0
    errors: list[LineErrorOut] = Field(default_factory=list)
    upload: UploadTargetOut | None = Field(default=None, description="where to PUT the file (only in the answer that starts the upload)")


class ResultIn(RequestModel):
    lab_id: LabIdStr | None = Field(default=None, description="the lab; a lab's own when absent (admins name one)")
    sample_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")
    id_number: IdNumberStr
    result: LabResult
    sampled_at: AwareDatetime
    tested_at: AwareDatetime | None = None


class ReleaseOut(ResponseModel):
    positive_ref: str | None
    negatives_counted: int
    negatives_required: int
    met: bool
    criteria_version: str


class LabResultOut(ResponseModel):
    """A recorded result: the person by id and masked ID number only."""

    lab_id: str
    sample_id: str
    person_id: str
    county_code: str
    community_id: str
    id_number: str = Field(description="masked, 411202********1234")
    result: LabResult
    sampled_at: str
    tested_at: str | None = None
    upload_id: str | None = None
    recorded_at: str


class RecordedResultOut(LabResultOut):
    already_recorded: bool = Field(description="the sample was recorded before, identically: nothing was written again")
    release: ReleaseOut = Field(description="the person's standing against the release criteria after this result")


# -- routes ----------------------------------------------------------------------------------------------------
@app.post(
    "/lab/uploads",
    access=LABS,
    status_code=201,
    natural_duplicates=False,  # each start is a new upload target; a retry with an Idempotency-Key is still one
    summary="Start a result file upload 上传检测结果文件",
    tags=["lab"],
)
def start_upload(body: UploadIn) -> LabUploadOut:
    lab_id = _lab(app.caller, body.lab_id)
    upload_id = new_upload_id()
    key = f"{PREFIX}{lab_id}/{upload_id}.csv"
    upload = {
        "upload_id": upload_id,
        "lab_id": lab_id,
        "file_name": body.file_name,
        "status": "awaiting_upload",
        "created_by": app.caller.username,
        "created_at": clock.iso(),
    }
    store().put_upload(upload, new=True)
    audit_log(settings().audit_table).append(audit.record(app.caller, "lab_upload.create", f"lab_upload#{upload_id}", None, upload))
    url = aws.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": settings().imports_bucket, "Key": key, "ContentType": "text/csv"}, ExpiresIn=UPLOAD_SECONDS
    )
    target = UploadTargetOut(bucket=settings().imports_bucket, key=key, url=url, method="PUT", content_type="text/csv")
    return LabUploadOut.model_validate({**upload, "upload": target})


@app.get("/lab/uploads", access=LABS, summary="The lab's uploads, newest first 上传记录", tags=["lab"])
def list_uploads(lab_id: LabQuery = None, limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[LabUploadOut]:
    lab = _lab(app.caller, lab_id)
    uploads, last = store().uploads(lab, limit=limit, start=app.page_start(cursor))
    return app.page([LabUploadOut.model_validate(upload) for upload in uploads], last)


@app.get("/lab/uploads/<upload_id>", access=LABS, summary="An upload: counts, and its errors by line and field 上传结果", tags=["lab"])
def get_upload(upload_id: UploadIdPath, lab_id: LabQuery = None) -> LabUploadOut:
    return LabUploadOut.model_validate(store().require_upload(_lab(app.caller, lab_id), upload_id))


@app.post("/lab/results", access=LABS, status_code=201, summary="Record one result 录入一条检测结果", tags=["lab"])
def record_result(body: ResultIn) -> RecordedResultOut:
    lab_id = _lab(app.caller, body.lab_id)
    now = clock.now()
    for name, moment in (("sampled_at", body.sampled_at), ("tested_at", body.tested_at)):
        if moment is not None and (moment.year < 2019 or moment > now + CLOCK_SKEW):
            raise InvalidInput(f"time out of range: {moment.isoformat()}", field=name)
    if body.tested_at is not None and body.tested_at < body.sampled_at:
        raise InvalidInput("before the sampling time", field="tested_at")
    line = ResultLine(1, body.sample_id, body.id_number, body.result, body.sampled_at, body.tested_at)
    try:
        done = service().record(app.caller, lab_id, [line], upload_id=None, by=app.caller.username)
    except CsvRejected as rejected:
        first: RowError = rejected.errors[0]
        error = Conflict if first.field == "sample_id" else InvalidInput
        raise error(first.reason, field=first.field) from None
    result = done.results[0]
    metrics.add_metric(name="LabResults", unit="Count", value=done.new)
    release = service().release_state(result.person_id)
    return RecordedResultOut.model_validate({**result.to_json(), "already_recorded": done.already == 1, "release": release})


@app.get("/lab/results", access=LABS, summary="The lab's results, newest sampling first 检测结果", tags=["lab"])
def list_results(lab_id: LabQuery = None, limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[LabResultOut]:
    lab = _lab(app.caller, lab_id)
    results, last = store().lab_results(lab, limit=limit, start=app.page_start(cursor))
    return app.page([LabResultOut.model_validate(result.to_json()) for result in results], last)


# -- S3: a result file uploaded under lab-results/ ------------------------------------------------------------
def import_upload(bucket: str, key: str) -> dict[str, Any]:
    """Import the file of an upload started through the API: validated whole, then written; rejected with every
    problem by line and field. A retried event, or the same file again, writes nothing twice. The file holds clear
    ID numbers: it is deleted once imported or rejected."""
    s3 = aws.client("s3")
    parts = key.removeprefix(PREFIX).removesuffix(".csv").split("/")
    upload = store().upload(parts[0], parts[1]) if len(parts) == 2 else None
    if upload is None:
        logger.warning("lab file without an upload", extra={"key_parts": len(parts)})
        s3.delete_object(Bucket=bucket, Key=key)
        return {"status": "ignored"}
    if upload["status"] in ("imported", "rejected"):
        return upload
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    try:
        lines = parse_file(body, clock.now())
        done = service().record(None, upload["lab_id"], lines, upload_id=upload["upload_id"], by=f"upload:{upload['upload_id']}")
    except CsvRejected as rejected:
        upload.update(status="rejected", rows=0, new=0, **rejected.report())
    else:
        upload.update(status="imported", error_count=0, errors=[], **done.summary())
    upload["finished_at"] = clock.iso()
    store().put_upload(upload)
    s3.delete_object(Bucket=bucket, Key=key)
    metrics.add_metric(name="LabResults", unit="Count", value=upload.get("new", 0))
    logger.info(
        "lab upload", extra={"upload_id": upload["upload_id"], "status": upload["status"], "rows": upload.get("rows"), "errors": upload.get("error_count")}
    )
    return upload


def _uploads(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(PREFIX):
            results.append(import_upload(record["s3"]["bucket"]["name"], key))
    return {"uploads": results}


#: HTTP (API Gateway), or an S3 upload of a result file.
lambda_handler = triggers.entry(http=api.handler(app), s3=_uploads)
