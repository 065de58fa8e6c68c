"""The local event pump: what EventBridge, Lambda's event source mappings and S3 notifications do in AWS.

* ``Schedule`` events fire by a virtual clock (``VirtualClock``): in real time as it passes, and day by day
  when ``/_local/clock/advance`` moves the clock, every schedule that falls due, in order.
* ``DynamoDB`` events: stream records polled with ``GetRecords`` and delivered in batches, as Lambda's event
  source mapping does: partial batch failures (``batchItemFailures``) are retried from the first failed
  record; a failing batch is retried with exponential backoff (split in two on a function error when the
  mapping says ``BisectBatchOnFunctionError``) up to the mapping's ``MaximumRetryAttempts`` and
  ``MaximumRecordAgeInSeconds``, then its description goes to the mapping's on-failure destination and
  reading goes on. A shard keeps its iterator while idle; an expired or refused one is replaced from the last
  sequence number fetched. A mapping's ``FilterCriteria``
  drop the records no pattern matches before the function is invoked (``event_filter_matches``), as Lambda does.
* Failed deliveries (streams, schedules, bucket notifications) are counted and listed in ``failures`` (shown
  by ``/_local/config`` and printed by ``make run``); nothing is dropped without a line saying so.
* ``SQS`` events: messages received in batches; those not reported failed are deleted.
* ``S3`` events: new objects (matching the event's filter) are noticed by listing the bucket.
* ``Cognito`` PostConfirmation triggers: a self-signed-up user who is confirmed and in no group yet.
* DynamoDB TTL and S3 lifecycle rules (``infra.local.retention``), applied as each advanced day ends.

Every source is read from ``template.yaml``; nothing here lists functions, tables or queues.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fnmatch import fnmatch
from functools import partial
from typing import Any

from infra.local import events
from infra.local import template as tpl
from infra.local.functions import FunctionPool, InvocationError
from infra.local.retention import LocalRetention
from infra.local.schedule import Cron, Rate, parse
from sanmenxia.clock import SHANGHAI


class VirtualClock:
    """Real time shifted by an offset; dates are Asia/Shanghai dates."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.offset)

    def today(self) -> date:
        return self.now().astimezone(SHANGHAI).date()

    def set_now(self, moment: datetime) -> None:
        self.offset = (moment - datetime.now(UTC)).total_seconds()

    def set_today(self, day: date) -> None:
        local = self.now().astimezone(SHANGHAI)
        self.set_now(datetime.combine(day, local.timetz()).astimezone(UTC))


@dataclass
class ScheduleSource:
    function: str
    event: str
    expression: str
    rule: Cron | Rate
    dead_letter: str | None = None


#: Lambda's defaults for a stream mapping that declares no limits (-1: until the record expires, 24 hours).
DEFAULT_RECORD_AGE = 86_400
#: Local backoff between attempts of a failing stream batch: base seconds, doubled per attempt, capped.
RETRY_BASE_SECONDS = 0.05
RETRY_MAX_SECONDS = 2.0
#: Attempts of an asynchronous invocation (schedule, bucket notification): Lambda's 1 + 2 retries.
ASYNC_ATTEMPTS = 3


@dataclass
class ShardState:
    """Where a shard is read and what is waiting to be delivered from it."""

    iterator: str | None = None
    closed: bool = False
    last_sequence: str | None = None
    pending: list[dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    limit: int = 0
    retry_at: float = 0.0


@dataclass
class StreamSource:
    function: str
    event: str
    stream_arn: str
    batch_size: int
    max_retries: int = -1
    max_age: int = -1
    bisect: bool = False
    on_failure: str | None = None
    filters: list[dict[str, Any]] = field(default_factory=list)  # FilterCriteria patterns: none means every record
    shards: list[str] = field(default_factory=list)
    shards_listed: float = 0.0
    state: dict[str, ShardState] = field(default_factory=dict)


@dataclass
class QueueSource:
    function: str
    event: str
    queue_url: str
    queue_arn: str
    batch_size: int


@dataclass
class BucketSource:
    function: str
    event: str
    bucket: str
    patterns: list[str]
    prefix: str
    suffix: str
    seen: dict[str, str] = field(default_factory=dict)


@dataclass
class UserPoolTrigger:
    function: str
    event: str
    trigger: str
    user_pool_id: str
    seen: set[str] = field(default_factory=set)


class EventPump:
    def __init__(
        self,
        session: Any,
        deployment: Any,
        pool: FunctionPool,
        clock: VirtualClock,
        log: Callable[[str], None],
        alert: Callable[[str], None] | None = None,
    ) -> None:
        self._deployment = deployment
        self._alert = alert
        self._pool = pool
        self.clock = clock
        self._log = log
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.schedules: list[ScheduleSource] = []
        self.streams: list[StreamSource] = []
        self.queues: list[QueueSource] = []
        self.buckets: list[BucketSource] = []
        self.triggers: list[UserPoolTrigger] = []
        self._checked_until = clock.now()
        #: Deliveries that were retried / given up (sent to their on-failure destination, or nowhere).
        self.retried = 0
        self.failed = 0
        self.failures: list[dict[str, Any]] = []
        # Clients are thread-safe, sessions are not: make them here, once, for the polling threads.
        self._clients = {name: session.client(name) for name in ("dynamodb", "dynamodbstreams", "sqs", "s3", "cognito-idp")}
        self._polls = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pump")
        self._configure()
        #: DynamoDB TTL and S3 lifecycle rules, applied by the virtual clock as days are advanced.
        self.retention = LocalRetention(self._clients, self._deployment.physical)

    # -- configuration from the template --------------------------------------------------------------
    def _configure(self) -> None:
        physical = self._deployment.physical
        origin = self.clock.now()
        for source in tpl.event_sources():
            props = source.properties
            if source.kind == "Schedule":
                if props.get("Enabled", True) in (False, "false"):
                    continue
                dead_letter = (props.get("DeadLetterConfig") or {}).get("Arn")
                self.schedules.append(
                    ScheduleSource(
                        source.function,
                        source.event,
                        props["Schedule"],
                        parse(props["Schedule"], origin),
                        physical[tpl.logical_id(dead_letter)] if dead_letter else None,
                    )
                )
            elif source.kind == "DynamoDB":
                table = physical[tpl.logical_id(props["Stream"])]
                arn = self._clients["dynamodb"].describe_table(TableName=table)["Table"]["LatestStreamArn"]
                destination = ((props.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
                self.streams.append(
                    StreamSource(
                        source.function,
                        source.event,
                        arn,
                        int(props.get("BatchSize", 100)),
                        max_retries=int(props.get("MaximumRetryAttempts", -1)),
                        max_age=int(props.get("MaximumRecordAgeInSeconds", -1)),
                        bisect=props.get("BisectBatchOnFunctionError") in (True, "true"),
                        on_failure=physical[tpl.logical_id(destination)] if destination else None,
                        filters=[json.loads(entry["Pattern"]) for entry in (props.get("FilterCriteria") or {}).get("Filters", [])],
                    )
                )
            elif source.kind == "SQS":
                name = tpl.logical_id(props["Queue"])
                url = physical[name]
                arn = self._clients["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self.queues.append(QueueSource(source.function, source.event, url, arn, min(int(props.get("BatchSize", 10)), 10)))
            elif source.kind == "Cognito" and props.get("Trigger") == "PostConfirmation":
                self.triggers.append(UserPoolTrigger(source.function, source.event, "PostConfirmation", physical[tpl.logical_id(props["UserPool"])]))
            elif source.kind == "S3":
                rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules", [])
                found = {rule["Name"].lower(): rule["Value"] for rule in rules}
                wanted = props["Events"] if isinstance(props["Events"], list) else [props["Events"]]
                self.buckets.append(
                    BucketSource(
                        source.function,
                        source.event,
                        physical[tpl.logical_id(props["Bucket"])],
                        wanted,
                        found.get("prefix", ""),
                        found.get("suffix", ""),
                    )
                )

    # -- schedules --------------------------------------------------------------------------------------
    def _due(self, start: datetime, end: datetime) -> list[tuple[datetime, ScheduleSource]]:
        due = [(moment, source) for source in self.schedules for moment in source.rule.between(start, end)]
        return sorted(due, key=lambda pair: (pair[0], pair[1].function, pair[1].event))

    def _fire(self, moment: datetime, source: ScheduleSource) -> dict[str, Any]:
        self.drain()
        event = events.schedule_event(f"{source.function}-{source.event}", moment, self._deployment.region)
        offset = (moment + timedelta(seconds=1) - datetime.now(UTC)).total_seconds()
        entry: dict[str, Any] = {"function": source.function, "event": source.event, "schedule": source.expression, "time": event["time"]}
        started = time.perf_counter()
        error = self._invoke_async(f"schedule {source.function}.{source.event}", source.function, event, source.dead_letter, clock_offset=offset)
        entry.update(ok=error is None, **({"error": error} if error else {}))
        entry["ms"] = round(1000 * (time.perf_counter() - started))
        return entry

    def _invoke_async(self, what: str, function: str, event: dict[str, Any], destination: str | None, clock_offset: float | None = None) -> str | None:
        """An asynchronous invocation as Lambda/EventBridge make it: retried (twice), then described to the
        dead-letter or on-failure ``destination``; returns the last error (None on success)."""
        error = None
        for attempt in range(ASYNC_ATTEMPTS):
            try:
                self._pool.invoke(function, event, clock_offset=clock_offset)
                return None
            except InvocationError as exc:
                error = str(exc)
                self._log(f"{what} failed (attempt {attempt + 1} of {ASYNC_ATTEMPTS}): {exc}")
                if attempt + 1 < ASYNC_ATTEMPTS:
                    self.retried += 1
                    time.sleep(min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**attempt))
        body = {"requestContext": {"condition": "RetriesExhausted", "approximateInvokeCount": ASYNC_ATTEMPTS}, "requestPayload": event, "error": error}
        self._failed(what, 1, "RetriesExhausted", error, destination, body)
        return error

    def advance(self, days: int) -> list[dict[str, Any]]:
        """Move the clock ``days`` days forward, one day at a time, firing what falls due, in order."""
        fired: list[dict[str, Any]] = []
        with self._lock:
            for _ in range(days):
                start = self._checked_until
                end = self.clock.now() + timedelta(days=1)
                for moment, source in self._due(start, end):
                    self.clock.set_now(moment + timedelta(seconds=1))
                    fired.append(self._fire(moment, source))
                self.clock.set_now(end)
                self._checked_until = end
                self._expire()
            self.drain()
        return fired

    def _expire(self) -> None:
        """TTL and lifecycle as of the clock's now (moto applies neither); a failure is logged, never fatal."""
        self.drain()
        try:
            swept = self.retention.sweep(self.clock.now())
        except Exception as exc:
            self._log(f"retention sweep failed: {exc}")
            return
        if swept:
            self._log(f"retention: expired {swept}")

    def set_today(self, day: date) -> None:
        with self._lock:
            self.clock.set_today(day)
            self._checked_until = self.clock.now()

    # -- streams, queues, buckets -----------------------------------------------------------------------
    def _poll_stream(self, source: StreamSource) -> int:
        streams = self._clients["dynamodbstreams"]
        delivered = 0
        if time.monotonic() - source.shards_listed > 5:  # shards change rarely; listing them every poll is waste
            description = streams.describe_stream(StreamArn=source.stream_arn)["StreamDescription"]
            source.shards = [shard["ShardId"] for shard in description["Shards"]]
            source.shards_listed = time.monotonic()
        for shard_id in source.shards:
            shard = source.state.setdefault(shard_id, ShardState(limit=source.batch_size))
            if shard.retry_at > time.monotonic():
                continue  # backing off
            if not shard.pending and not self._read(source, shard_id, shard):
                continue
            delivered += self._deliver_pending(source, shard_id, shard)
        return delivered

    def _read(self, source: StreamSource, shard_id: str, shard: ShardState) -> bool:
        """Fetch the shard's next records into ``pending``; False when there is nothing new."""
        if shard.closed:
            return False
        streams = self._clients["dynamodbstreams"]
        if shard.iterator is None:
            # From the last record fetched: after an expired or refused iterator, reading resumes where it was.
            position = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": shard.last_sequence}
                if shard.last_sequence
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            shard.iterator = streams.get_shard_iterator(StreamArn=source.stream_arn, ShardId=shard_id, **position)["ShardIterator"]
        try:
            page = streams.get_records(ShardIterator=shard.iterator, Limit=source.batch_size)
        except Exception:
            shard.iterator = None  # expired (15 minutes, as in AWS) or unknown: the next poll asks for a new one
            raise
        records = page["Records"]
        # The next iterator is kept when nothing was new, as Lambda's poller does: asking for a new iterator on every
        # idle poll left one behind in moto each time (about 2 MB a minute while the stack sat idle).
        shard.iterator = page.get("NextShardIterator")
        if records:
            shard.pending = [_jsonable(record) for record in records]
            shard.last_sequence = records[-1]["dynamodb"]["SequenceNumber"]
        elif "NextShardIterator" not in page:
            shard.closed = True
        return bool(records)

    def _deliver_pending(self, source: StreamSource, shard_id: str, shard: ShardState) -> int:
        """Deliver the first batch of ``pending``; on failure schedule a retry, or give the batch up."""
        batch = shard.pending[: max(1, shard.limit)]
        failed_from, error = self._deliver_stream(source, batch)
        if failed_from is None:
            shard.pending = shard.pending[len(batch) :]
            shard.attempts, shard.limit, shard.retry_at = 0, source.batch_size, 0.0
            return len(batch)
        done = batch[:failed_from]
        failing = batch[failed_from:]
        shard.pending = shard.pending[failed_from:]
        if error and source.bisect and len(failing) > 1:
            shard.limit = (len(failing) + 1) // 2  # Lambda splits a batch that raised, without counting a retry
            self.retried += 1
            return len(done)
        shard.attempts += 1
        age = time.time() - float(failing[0]["dynamodb"].get("ApproximateCreationDateTime") or time.time())
        max_age = source.max_age if source.max_age >= 0 else DEFAULT_RECORD_AGE
        retries_left = source.max_retries < 0 or shard.attempts <= source.max_retries
        if retries_left and age <= max_age:
            self.retried += 1
            shard.retry_at = time.monotonic() + min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2 ** (shard.attempts - 1))
            shard.limit = len(failing)
            return len(done)
        condition = "RetryAttemptsExhausted" if not retries_left else "RecordAgeExceeded"
        self._give_up_stream(source, shard_id, failing, shard.attempts, condition, error)
        shard.pending = shard.pending[len(failing) :]
        shard.attempts, shard.limit, shard.retry_at = 0, source.batch_size, 0.0
        return len(done)

    def _give_up_stream(self, source: StreamSource, shard_id: str, batch: list[dict[str, Any]], attempts: int, condition: str, error: str | None) -> None:
        """What Lambda sends to a stream mapping's on-failure destination: the batch's shard and range."""
        first, last = batch[0]["dynamodb"], batch[-1]["dynamodb"]
        description = {
            "requestContext": {
                "requestId": f"local-{first['SequenceNumber']}",
                "functionArn": self._deployment.functions.get(source.function, {}).get("arn", source.function),
                "condition": condition,
                "approximateInvokeCount": attempts,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" if error else None},
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": first.get("ApproximateCreationDateTime"),
                "approximateArrivalOfLastRecord": last.get("ApproximateCreationDateTime"),
                "batchSize": len(batch),
                "streamArn": source.stream_arn,
            },
        }
        self._failed(f"stream {source.function}.{source.event}", len(batch), condition, error, source.on_failure, description)

    def _failed(self, what: str, records: int, condition: str, error: str | None, destination: str | None, body: dict[str, Any]) -> None:
        """Record a delivery given up, and send its description to ``destination`` (a queue URL) if any."""
        sent_to = None
        if destination:
            try:
                self._clients["sqs"].send_message(QueueUrl=destination, MessageBody=json.dumps(body, default=str))
                sent_to = destination.rsplit("/", 1)[-1]
            except Exception as exc:  # the destination itself failing must still be reported
                error = f"{error}; on-failure destination: {type(exc).__name__}: {exc}"
        self.failed += records
        entry = {"what": what, "records": records, "condition": condition, "error": (error or "")[:300], "sent_to": sent_to, "at": self.clock.now().isoformat()}
        self.failures = [*self.failures[-99:], entry]
        self._log(f"DELIVERY FAILED {what}: {records} record(s), {condition}, sent to {sent_to or 'NOWHERE (no on-failure destination)'}: {entry['error']}")
        if self._alert:
            self._alert(f"delivery failed: {what}: {records} record(s) ({condition}) → {sent_to or 'no destination'}")

    def _deliver_stream(self, source: StreamSource, batch: list[dict[str, Any]]) -> tuple[int | None, str | None]:
        """Deliver a batch: (index of the first record to retry or None when all succeeded, the error if the
        function raised). Records no filter pattern matches are passed over, as Lambda drops them."""
        wanted = [record for record in batch if not source.filters or any(event_filter_matches(pattern, record) for pattern in source.filters)]
        if not wanted:
            return None, None
        try:
            result = self._pool.invoke(source.function, events.dynamodb_stream_event(source.stream_arn, wanted, self._deployment.region))
        except InvocationError as exc:
            self._log(f"stream {source.function}.{source.event} failed: {exc}")
            return 0, str(exc)
        failures = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failures:
                return index, None
        return None, None

    def pending_retries(self) -> float | None:
        """Seconds until the next stream retry is due (None when nothing waits)."""
        waits = [shard.retry_at - time.monotonic() for source in self.streams for shard in source.state.values() if shard.pending]
        return max(0.0, min(waits)) if waits else None

    def _poll_queue(self, source: QueueSource) -> int:
        sqs = self._clients["sqs"]
        messages = sqs.receive_message(QueueUrl=source.queue_url, MaxNumberOfMessages=source.batch_size, AttributeNames=["All"]).get("Messages", [])
        if not messages:
            return 0
        try:
            result = self._pool.invoke(source.function, events.sqs_event(source.queue_arn, messages, self._deployment.region))
        except InvocationError as exc:
            self._log(f"queue {source.function}.{source.event} failed: {exc}")
            return 0
        failed = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        done = [m for m in messages if m["MessageId"] not in failed]
        if done:
            sqs.delete_message_batch(QueueUrl=source.queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)])
        return len(done)

    def _poll_bucket(self, source: BucketSource) -> int:
        s3 = self._clients["s3"]
        delivered = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=source.bucket, Prefix=source.prefix):
            for obj in page.get("Contents", []):
                key, etag = obj["Key"], obj["ETag"]
                if source.seen.get(key) == etag or not key.endswith(source.suffix):
                    continue
                source.seen[key] = etag
                if not any(fnmatch("s3:ObjectCreated:Put", pattern) for pattern in source.patterns):
                    continue
                event = events.s3_event(source.bucket, key, obj["Size"], etag, self._deployment.region)
                self._invoke_async(f"bucket {source.function}.{source.event}", source.function, event, self._async_destination(source.function))
                delivered += 1
        return delivered

    def _async_destination(self, function: str) -> str | None:
        """The queue of a function's ``EventInvokeConfig`` on-failure destination (asynchronous invocations)."""
        config = (tpl.functions().get(function, {}).get("Properties", {}).get("EventInvokeConfig") or {}).get("DestinationConfig") or {}
        destination = (config.get("OnFailure") or {}).get("Destination")
        return self._deployment.physical.get(tpl.logical_id(destination)) if destination else None

    def _poll_user_pool(self, source: UserPoolTrigger) -> int:
        """Cognito runs PostConfirmation inside ConfirmSignUp; here a confirmed user with no group is one that just signed up."""
        idp = self._clients["cognito-idp"]
        delivered = 0
        for page in idp.get_paginator("list_users").paginate(UserPoolId=source.user_pool_id):
            for user in page["Users"]:
                name = user["Username"]
                if name in source.seen or user["UserStatus"] != "CONFIRMED":
                    continue
                source.seen.add(name)
                if idp.admin_list_groups_for_user(UserPoolId=source.user_pool_id, Username=name)["Groups"]:
                    continue
                attributes = {item["Name"]: item["Value"] for item in user.get("Attributes", [])}
                event = {
                    "version": "1",
                    "triggerSource": "PostConfirmation_ConfirmSignUp",
                    "region": self._deployment.region,
                    "userPoolId": source.user_pool_id,
                    "userName": name,
                    "callerContext": {"awsSdkVersion": "local", "clientId": self._deployment.user_pool_client_id},
                    "request": {"userAttributes": {**attributes, "cognito:user_status": "CONFIRMED"}},
                    "response": {},
                }
                try:
                    self._pool.invoke(source.function, event)
                except InvocationError as exc:
                    self._log(f"trigger {source.function}.{source.event} failed: {exc}")
                delivered += 1
        return delivered

    def poll_once(self) -> int:
        """One pass over every stream, queue and bucket; the number of records delivered."""
        # Sources are independent (each has its own position), so they are polled in parallel, as Lambda's
        # pollers are; deliveries to one function still run one at a time (one worker per function).
        polls: list[Callable[[], int]] = [
            *(partial(self._poll_stream, stream) for stream in self.streams),
            *(partial(self._poll_queue, queue) for queue in self.queues),
            *(partial(self._poll_bucket, bucket) for bucket in self.buckets),
            *(partial(self._poll_user_pool, trigger) for trigger in self.triggers),
        ]
        with self._lock:
            return sum(self._polls.map(lambda poll: poll(), polls))

    def drain(self, max_passes: int = 50) -> int:
        """Deliver until a whole pass finds nothing new (so effects of past requests have landed)."""
        total = 0
        with self._lock:
            for _ in range(max_passes):
                delivered = self.poll_once()
                total += delivered
                if delivered == 0:
                    wait = self.pending_retries()
                    if wait is None:
                        break
                    time.sleep(wait)  # a failing batch backs off; drained means delivered or given up
        return total

    # -- background --------------------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with self._lock:
                    now = self.clock.now()
                    for moment, source in self._due(self._checked_until, now):
                        self._fire(moment, source)
                    self._checked_until = max(self._checked_until, now)
                    delivered = self.poll_once()
            except Exception as exc:  # the pump must survive a bad poll and keep going
                self._log(f"event pump: {type(exc).__name__}: {exc}")
                delivered = 0
            self._stop.wait(0.05 if delivered else 0.5)

    def report(self) -> dict[str, Any]:
        """Deliveries retried and given up, with the most recent failures (for ``/_local/config``)."""
        expired = dict(self.retention.deleted)
        return {"retried": self.retried, "failed": self.failed, "recent_failures": self.failures[-20:], "expired": expired}

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._polls.shutdown(wait=False, cancel_futures=True)


def event_filter_matches(pattern: Any, value: Any) -> bool:
    """Whether ``value`` (a stream record) matches an event filter ``pattern``: nested objects name fields, a list
    holds the accepted values (literals, ``{"prefix": ...}``, ``{"exists": bool}``), as Lambda's event filtering."""
    if isinstance(pattern, list):
        return any(_option_matches(option, value) for option in pattern)
    if not isinstance(pattern, dict):
        return bool(pattern == value)
    if not isinstance(value, dict):
        return False
    for name, wanted in pattern.items():
        exists = [option["exists"] for option in wanted if isinstance(option, dict) and "exists" in option] if isinstance(wanted, list) else []
        if exists:
            if (name in value) not in exists:
                return False
        elif name not in value or not event_filter_matches(wanted, value[name]):
            return False
    return True


def _option_matches(option: Any, value: Any) -> bool:
    if isinstance(option, dict) and "prefix" in option:
        return isinstance(value, str) and value.startswith(option["prefix"])
    return bool(option == value)


def _jsonable(record: dict[str, Any]) -> dict[str, Any]:
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    return {**record, "dynamodb": _plain(dynamodb)}


def _plain(value: Any) -> Any:
    """Stream images as JSON (boto3 returns bytes for B attributes)."""
    import base64

    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, set):
        return [_plain(item) for item in value]
    return value
