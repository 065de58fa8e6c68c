"""The local event pump: what EventBridge, Lambda's event source mappings and S3 notifications do in AWS.

* ``Schedule`` events fire by a virtual clock (``VirtualClock``): in real time as it passes, and day by day
  when ``/_local/clock/advance`` moves the clock, every schedule that falls due, in order.
* ``DynamoDB`` events: stream records polled with ``GetRecords`` and delivered in batches; partial batch
  failures (``batchItemFailures``) are retried from the first failed record.
* ``SQS`` events: messages received in batches; those not reported failed are deleted.
* ``S3`` events: new objects (matching the event's filter) are noticed by listing the bucket.
* ``Cognito`` PostConfirmation triggers: a self-signed-up user who is confirmed and in no group yet.

Every source is read from ``template.yaml``; nothing here lists functions, tables or queues.
"""

from __future__ import annotations

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


def _logical(ref: Any) -> str:
    """The logical id in ``!Ref X``, ``!GetAtt X.Attr`` or ``"X.Attr"``."""
    if isinstance(ref, dict):
        if "Ref" in ref:
            return str(ref["Ref"])
        target = ref["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return str(ref).split(".")[0]


@dataclass
class ScheduleSource:
    function: str
    event: str
    expression: str
    rule: Cron | Rate


@dataclass
class StreamSource:
    function: str
    event: str
    stream_arn: str
    batch_size: int
    iterators: dict[str, str | None] = field(default_factory=dict)
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    shards: list[str] = field(default_factory=list)
    shards_listed: float = 0.0


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
    def __init__(self, session: Any, deployment: Any, pool: FunctionPool, clock: VirtualClock, log: Callable[[str], None]) -> None:
        self._deployment = deployment
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
        # Clients are thread-safe, sessions are not: make them here, once, for the polling threads.
        self._clients = {name: session.client(name) for name in ("dynamodb", "dynamodbstreams", "sqs", "s3", "cognito-idp")}
        self._polls = ThreadPoolExecutor(max_workers=8, thread_name_prefix="pump")
        self._configure()

    # -- configuration from the template --------------------------------------------------------------
    def _configure(self) -> None:
        physical = self._deployment.physical
        origin = self.clock.now()
        for source in tpl.event_sources():
            props = source.properties
            if source.kind == "Schedule":
                if props.get("Enabled", True) in (False, "false"):
                    continue
                self.schedules.append(ScheduleSource(source.function, source.event, props["Schedule"], parse(props["Schedule"], origin)))
            elif source.kind == "DynamoDB":
                table = physical[_logical(props["Stream"])]
                arn = self._clients["dynamodb"].describe_table(TableName=table)["Table"]["LatestStreamArn"]
                self.streams.append(StreamSource(source.function, source.event, arn, int(props.get("BatchSize", 100))))
            elif source.kind == "SQS":
                name = _logical(props["Queue"])
                url = physical[name]
                arn = self._clients["sqs"].get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
                self.queues.append(QueueSource(source.function, source.event, url, arn, min(int(props.get("BatchSize", 10)), 10)))
            elif source.kind == "Cognito" and props.get("Trigger") == "PostConfirmation":
                self.triggers.append(UserPoolTrigger(source.function, source.event, "PostConfirmation", physical[_logical(props["UserPool"])]))
            elif source.kind == "S3":
                rules = ((props.get("Filter") or {}).get("S3Key") or {}).get("Rules", [])
                found = {rule["Name"].lower(): rule["Value"] for rule in rules}
                wanted = props["Events"] if isinstance(props["Events"], list) else [props["Events"]]
                self.buckets.append(
                    BucketSource(
                        source.function,
                        source.event,
                        physical[_logical(props["Bucket"])],
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
        try:
            self._pool.invoke(source.function, event, clock_offset=offset)
            entry["ok"] = True
        except InvocationError as exc:
            entry.update(ok=False, error=str(exc))
            self._log(f"schedule {source.function}.{source.event} failed: {exc}")
        entry["ms"] = round(1000 * (time.perf_counter() - started))
        return entry

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
            self.drain()
        return fired

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
            records = source.pending.get(shard_id, [])
            if not records:
                iterator = source.iterators.get(shard_id)
                if iterator is None and shard_id in source.iterators:
                    continue  # closed shard, fully read
                if iterator is None:
                    iterator = streams.get_shard_iterator(StreamArn=source.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
                page = streams.get_records(ShardIterator=iterator, Limit=source.batch_size)
                source.iterators[shard_id] = page.get("NextShardIterator")
                records = page["Records"]
            if not records:
                continue
            batch = [_jsonable(record) for record in records[: source.batch_size]]
            rest = records[source.batch_size :]
            failed_from = self._deliver_stream(source, batch)
            retry = batch[failed_from:] if failed_from is not None else []
            if retry and source.attempts.get(shard_id, 0) < 3:
                source.attempts[shard_id] = source.attempts.get(shard_id, 0) + 1
            elif retry:
                self._log(f"stream {source.function}.{source.event}: dropping {len(retry)} records after retries")
                retry = []
            if not retry:
                source.attempts.pop(shard_id, None)
            source.pending[shard_id] = retry + rest
            delivered += len(batch) - len(retry)
        return delivered

    def _deliver_stream(self, source: StreamSource, batch: list[dict[str, Any]]) -> int | None:
        """Deliver a batch; the index of the first record to retry, or None when all succeeded."""
        try:
            result = self._pool.invoke(source.function, events.dynamodb_stream_event(source.stream_arn, batch, self._deployment.region))
        except InvocationError as exc:
            self._log(f"stream {source.function}.{source.event} failed: {exc}")
            return 0
        failures = {item["itemIdentifier"] for item in (result or {}).get("batchItemFailures", [])}
        for index, record in enumerate(batch):
            if record["dynamodb"]["SequenceNumber"] in failures:
                return index
        return None

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
                try:
                    self._pool.invoke(source.function, event)
                except InvocationError as exc:
                    self._log(f"bucket {source.function}.{source.event} failed: {exc}")
                delivered += 1
        return delivered

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
                    break
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

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-pump", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=10)
        self._polls.shutdown(wait=False, cancel_futures=True)


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
