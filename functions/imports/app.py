"""Imports function (三方比对): bulk comparison lists uploaded to S3 (``comparison/``) compared with
residents through HMAC look-up keys; jobs with progress and a result summary.

It is also the people registry's stream consumer for the community platforms: it keeps the HMAC look-up
index, and puts each newly registered person on their community's resident list (masked), so a head's
list shows residents who have not reported yet too."""

from __future__ import annotations

import functools
import hashlib
from typing import Annotated, Any, Literal
from urllib.parse import unquote, unquote_plus

from aws_lambda_powertools.event_handler.openapi.params import Path
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from sanmenxia import api, audit, aws, clock, contracts, paging, triggers
from sanmenxia.auth import Role, allow
from sanmenxia.contracts import KeyPersonCategory
from sanmenxia.errors import Conflict, NotFound
from sanmenxia.imports.service import Comparison, JobStatus, Keys, index_person_change
from sanmenxia.imports.store import ComparisonStore, new_job_id
from sanmenxia.models import RequestModel, ResponseModel, ShortText
from sanmenxia.observability import logger, metrics
from sanmenxia.residents.store import ResidentStore, base_state
from sanmenxia.services import PeopleSettings, audit_log, holds, people, vault

PREFIX = "comparison/"
CITY_STAFF = (Role.COMMANDER, Role.ADMIN)
UPLOAD_SECONDS = 900


class Settings(PeopleSettings):
    imports_table: str
    residents_table: str
    holds_table: str
    key_person_queue_url: str
    imports_bucket: str


@functools.cache
def settings() -> Settings:
    return Settings()  # type: ignore[call-arg]


@functools.cache
def store() -> ComparisonStore:
    return ComparisonStore(aws.client("dynamodb"), settings().imports_table)


@functools.cache
def residents() -> ResidentStore:
    return ResidentStore(aws.client("dynamodb"), settings().residents_table, vault(settings().pii_key_id), settings().personal_record_days)


def comparison() -> Comparison:
    registry = people(settings())
    return Comparison(
        store(),
        holds(settings().holds_table),
        Keys(registry.id_key, registry.phone_key),
        lambda candidate: contracts.send(settings().key_person_queue_url, candidate),
    )


app = api.PlatformResolver(title="Imports 三方比对")
JobIdPath = Annotated[str, Path(pattern=r"^cmp(\d{14}[0-9a-f]{6}|[0-9a-f]{20})$")]


class JobIn(RequestModel):
    name: ShortText
    reason: ShortText
    category: KeyPersonCategory | None = None


class ComparisonRowErrorOut(ResponseModel):
    line: int
    field: str
    reason: str


class ComparisonSummaryOut(ResponseModel):
    """Counts of residents found, no personal data."""

    by_county: dict[str, int]
    by_community: dict[str, int]


class ComparisonJobOut(ResponseModel):
    """A comparison job: its progress and, when done, counts only (who was found stays in the holds and key-person
    records, never in the job)."""

    import_id: str
    name: str
    reason: str
    category: KeyPersonCategory | None = None
    status: Literal["awaiting_upload", "comparing", "done", "rejected", "withdrawn"]
    key: str = Field(description="the list's S3 key (deleted once compared)")
    created_by: str
    created_at: str
    started_at: str | None = None
    updated_at: str | None = None
    finished_at: str | None = None
    rows_total: int | None = None
    rows_processed: int | None = None
    hits: int | None = None
    holds_placed: int | None = None
    error_count: int | None = None
    errors: list[ComparisonRowErrorOut] | None = Field(default=None, description="the first problems of a rejected file, by line")
    summary: ComparisonSummaryOut | None = None
    holds_lifted: int | None = None
    withdrawn_at: str | None = None


class ComparisonUploadOut(ResponseModel):
    """Where to PUT the CSV list (a presigned URL, valid for 15 minutes)."""

    bucket: str
    key: str
    url: str
    method: Literal["PUT"]
    content_type: str


class ComparisonJobCreatedOut(ComparisonJobOut):
    upload: ComparisonUploadOut


def _job(job_id: str) -> dict[str, Any]:
    job = store().job(job_id)
    if job is None:
        raise NotFound("no such comparison job", field="import_id")
    return job


@app.post("/imports", access=allow(*CITY_STAFF), status_code=201, summary="Start a comparison list upload 新建比对任务")
def create_job(body: JobIn) -> ComparisonJobCreatedOut:
    app.caller.require_city()
    job_id = new_job_id()
    key = f"{PREFIX}{job_id}.csv"
    job = {
        "import_id": job_id,
        "name": body.name,
        "reason": body.reason,
        "category": body.category.value if body.category else None,
        "status": JobStatus.AWAITING_UPLOAD,
        "key": key,
        "created_by": app.caller.username,
        "created_at": clock.iso(),
    }
    store().put_job(job_id, job, new=True)
    audit_log(settings().audit_table).append(audit.record(app.caller, "comparison.create", f"comparison#{job_id}", None, job))
    url = aws.client("s3").generate_presigned_url(
        "put_object", Params={"Bucket": settings().imports_bucket, "Key": key, "ContentType": "text/csv"}, ExpiresIn=UPLOAD_SECONDS
    )
    upload = ComparisonUploadOut(bucket=settings().imports_bucket, key=key, url=url, method="PUT", content_type="text/csv")
    return ComparisonJobCreatedOut.model_validate({**job, "upload": upload})


@app.get("/imports", access=allow(*CITY_STAFF), summary="Comparison jobs, newest first 比对任务")
def list_jobs(limit: paging.Limit = 20, cursor: paging.Cursor = None) -> paging.Page[ComparisonJobOut]:
    app.caller.require_city()
    jobs, last = store().jobs(limit, app.page_start(cursor))
    return app.page([ComparisonJobOut.model_validate(job) for job in jobs], last)


@app.get("/imports/<import_id>", access=allow(*CITY_STAFF), summary="A job's progress and result summary 比对进度与结果")
def get_job(import_id: JobIdPath) -> ComparisonJobOut:
    app.caller.require_city()
    return ComparisonJobOut.model_validate(_job(import_id))


@app.post("/imports/<import_id>/withdraw", access=allow(*CITY_STAFF), summary="Withdraw a list sent in error 撤回名单")
def withdraw(import_id: JobIdPath) -> ComparisonJobOut:
    app.caller.require_city()
    before = _job(import_id)
    if before.get("status") != JobStatus.DONE:
        raise Conflict(f"only a finished comparison can be withdrawn (this one is {before.get('status')})", field="status")
    after = comparison().withdraw(import_id, before)
    audit_log(settings().audit_table).append(audit.record(app.caller, "comparison.withdraw", f"comparison#{import_id}", before, after))
    return ComparisonJobOut.model_validate(after)


# -- S3: a list uploaded under comparison/ ------------------------------------------------------------------
def compare_upload(bucket: str, key: str, etag: str) -> dict[str, Any]:
    """Run the job the upload belongs to (created through the API, or one made for a direct upload)."""
    s3 = aws.client("s3")
    name = key.removeprefix(PREFIX).removesuffix(".csv")
    job = store().job(name)
    job_id = name
    if job is None:
        job_id = "cmp" + hashlib.sha256(f"{bucket}/{key}#{etag}".encode()).hexdigest()[:20]
        job = store().job(job_id)
    if job is not None and job.get("status") in (JobStatus.DONE, JobStatus.REJECTED, JobStatus.WITHDRAWN):
        return job
    obj = s3.get_object(Bucket=bucket, Key=key)
    if job is None:
        metadata = obj.get("Metadata") or {}
        category = metadata.get("category")
        job = {
            "import_id": job_id,
            "name": unquote(metadata.get("name", "")) or key.removeprefix(PREFIX),
            "reason": unquote(metadata.get("reason", "")),  # none given: the hold names only the list (texts)
            "category": category if category in {c.value for c in KeyPersonCategory} else None,
            "key": key,
            "created_by": f"upload:{key}",
            "created_at": clock.iso(),
        }
    result = comparison().run(job_id, job, obj["Body"].read())
    # The list holds clear phones / ID numbers: once compared (or rejected) only the look-up results remain.
    s3.delete_object(Bucket=bucket, Key=key)
    metrics.add_metric(name="ComparisonHits", unit="Count", value=result.get("hits", 0))
    logger.info("comparison", extra={"import_id": job_id, "status": result["status"], "rows": result.get("rows_total"), "hits": result.get("hits")})
    return result


processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)


def _index(record: DynamoDBRecord) -> None:
    change = record.raw_event["dynamodb"]
    index_person_change(store(), change)
    key = change.get("Keys", {}).get("pk", {}).get("S", "")
    if record.raw_event.get("eventName") == "INSERT" and key.startswith("person#"):
        residents().seed(base_state(people(settings()).get(key.removeprefix("person#"))))


def _people_changes(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return dict(process_partial_response(event=event, record_handler=_index, processor=processor, context=context))


def _uploads(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    results = []
    for record in event["Records"]:
        key = unquote_plus(record["s3"]["object"]["key"])
        if key.startswith(PREFIX):
            results.append(compare_upload(record["s3"]["bucket"]["name"], key, record["s3"]["object"].get("eTag", "")))
    return {"jobs": results}


#: HTTP (API Gateway), an S3 upload of a comparison list, or the people registry's stream.
lambda_handler = triggers.entry(http=api.handler(app), s3=_uploads, stream=_people_changes)
