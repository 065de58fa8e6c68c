"""Benchmark: what a warm request costs in the function, with the real AWS SDK and the template's observability.

Six requests of the rush, each through its function's real handler in a warm container:
- check-in;
- QR scan;
- typed scan;
- my code;
- token;
- verify.

Only HTTP is replaced. botocore builds, signs and sends every call, then parses and retries as in Lambda, but its
``before-send`` event answers from a **recording**: the same requests were first sent to moto (the deployed
``template.yaml``) and each call's HTTP response (status, headers, body) kept in order. moto neither runs nor is
timed while the handlers are timed. No ``Stubber``, no in-memory tables: the responses are the bytes DynamoDB's API
returned for these very requests.

The functions run with the settings ``template.yaml`` gives them:
- logging at ``POWERTOOLS_LOG_LEVEL`` (written to a buffer);
- metrics (EMF to the buffer);
- X-Ray tracing ``Active``: a Lambda facade segment from ``_X_AMZN_TRACE_ID``, with the subsegments sent over UDP
  to the daemon address, as in Lambda.

Printed for each kind:
- p50 and p95 of the handler's CPU time (this thread's, so that other work on a shared machine counts less);
- AWS calls per request;
- p50 against the target of 1.5 ms (the ratio);
- the baseline beside it: the p50 of one bare replayed ``GetItem`` through the same client, which is the SDK's own
  cost of one call.

Exits 1 when a kind's p50 is above the target.

Run: ``make bench`` (or ``python -m infra.bench.bench_warm --requests 40``).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import statistics
import sys
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from datetime import timedelta
from types import ModuleType
from typing import Any

# The X-Ray SDK decides at import whether it runs in Lambda: it must see Lambda's variables before anything
# imports it (the trace header is what the Lambda service sets for a sampled invocation).
os.environ.setdefault("LAMBDA_TASK_ROOT", os.getcwd())
os.environ.setdefault("_X_AMZN_TRACE_ID", "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")

from botocore.awsrequest import AWSResponse, HeadersDict

from infra.bench.bench_capacity import _claims, _stack, given_residents, stratified
from infra.local import events
from infra.local import template as tpl
from sanmenxia import aws, clock, services
from sanmenxia.healthcode import tokens
from sanmenxia.holds import CodeColor

#: The target of every kind: a warm request's p50 in the function.
TARGET_MS = 1.5
KINDS = ("check_in", "qr_scan", "typed_scan", "my_code", "token", "verify")


class Recording:
    """HTTP responses of AWS calls, kept in order per operation and answered again in that order."""

    def __init__(self) -> None:
        self.responses: dict[str, deque[tuple[int, dict[str, str], bytes]]] = defaultdict(deque)
        self.replayed = 0
        self.recording = False

    def attach(self, events_: Any) -> None:
        events_.register("after-call", self._keep)
        events_.register_first("before-send", self._answer)

    def _keep(self, http_response: Any, model: Any, **_: Any) -> None:
        if self.recording:
            name = f"{model.service_model.service_id.hyphenize()}.{model.name}"
            self.responses[name].append((http_response.status_code, dict(http_response.headers), http_response.content))

    def _answer(self, request: Any, event_name: str, **_: Any) -> AWSResponse | None:
        if self.recording:
            return None
        name = event_name.removeprefix("before-send.")
        queue = self.responses.get(name)
        if not queue:
            raise AssertionError(f"no recorded response left for {name}")
        status, headers, body = queue.popleft()
        self.replayed += 1
        # What botocore's own HTTP session returns: the headers in a HeadersDict, the body streamed from ``raw``.
        return AWSResponse(request.url, status, HeadersDict(headers), _Raw(body))  # type: ignore[arg-type]


class _Raw:
    """The raw body botocore streams from (``AWSResponse.content`` reads it whole)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self._body


def _template_env(deployment: Any, function: str) -> dict[str, str]:
    """A function's environment as the template sets it (tracing on, the template's log level and namespace)."""
    env = dict(deployment.functions[function]["env"])
    env.pop("POWERTOOLS_TRACE_DISABLED", None)
    env["AWS_LAMBDA_FUNCTION_NAME"] = function
    return env


def _load(function: str, env: dict[str, str]) -> ModuleType:
    """A fresh import of a function's handler module under its template environment (a new container)."""
    path = tpl.code_dir(function) / "app.py"
    name = f"_warm_{function}_{uuid.uuid4().hex[:6]}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with tpl.environment(env), contextlib.redirect_stdout(io.StringIO()):
        spec.loader.exec_module(module)
    return module


def _requests(key: tokens.SigningKey, residents: list[dict[str, Any]]) -> dict[str, list[tuple[str, str, dict[str, Any], Any]]]:
    """The requests of each kind, one per resident (a check-in once a day each), built before anything is timed."""

    def staff(r: dict[str, Any]) -> dict[str, Any]:
        return _claims(f"sub-{r['checkpoint']}", "checkpoint_staff", checkpoint_id=r["checkpoint"], community_id=r["community"])

    def token(r: dict[str, Any]) -> str:
        return tokens.issue_token(key, r["person_id"], CodeColor.GREEN, now=clock.now(), ttl=timedelta(minutes=30))

    def scan(r: dict[str, Any], body: dict[str, Any]) -> tuple[str, str, dict[str, Any], Any]:
        return "POST", f"/checkpoints/{r['checkpoint']}/scans", staff(r), {"scan_id": uuid.uuid4().hex, "temperature": 36.5, "direction": "in", **body}

    made: dict[str, list[tuple[str, str, dict[str, Any], Any]]] = {kind: [] for kind in KINDS}
    for r in residents:
        resident = _claims(r["sub"], "resident")
        made["check_in"].append(("POST", "/health-codes/me/check-ins", resident, {"temperature": 36.5, "symptoms": []}))
        made["qr_scan"].append(scan(r, {"method": "qr", "token": token(r)}))
        made["typed_scan"].append(scan(r, {"method": "typed", "id_number": r["id_number"]}))
        made["my_code"].append(("GET", "/health-codes/me", resident, None))
        made["token"].append(("GET", "/health-codes/me/token", resident, None))
        made["verify"].append(("POST", "/health-codes/verify", staff(r), {"token": token(r)}))
    return made


def _event(method: str, path: str, claims: dict[str, Any], body: Any) -> tuple[str, dict[str, Any]]:
    route = next(r for r in tpl.routes() if r.match(method, path) is not None)
    params = route.match(method, path) or {}
    return route.function, events.api_event(method, path, resource=route.path, path_parameters=params, body=body, claims=claims)


def _handler(deployment: Any, function: str, module: ModuleType) -> Any:
    return getattr(module, deployment.functions[function]["handler"].split(".", 1)[1])


def measure(count: int) -> tuple[dict[str, list[float]], dict[str, float], float]:
    """Per kind: wall times (ms) of its warm requests, AWS calls per request; and the bare call's p50 (ms)."""
    recording = Recording()
    with _stack() as stack:
        key, residents, _ = given_residents(stack, stratified(count)[:count])
        made = _requests(key, residents)
        deployment = stack.deployment
        table = stack.table("HealthCodeTable")
        recording.recording = True
        # Recorded on moto, in the order they are replayed: per kind a fresh container, then its requests.
        for kind in KINDS:
            services.reset()  # forgets the session too (``aws.reset``): the recording attaches to the new one
            recording.attach(aws._session().events)
            stack.modules.clear()
            for method, path, claims, body in made[kind]:
                with contextlib.redirect_stdout(io.StringIO()):
                    response = stack.request(method, path, claims=claims, body=body)
                assert response.status < 300, (kind, response.status, response.body[:300])
        services.reset()
        recording.attach(aws._session().events)
        for _ in range(200):
            aws.client("dynamodb").get_item(TableName=table, Key={"person_id": {"S": "nobody"}, "sk": {"S": "code"}})
        recorded = sum(len(queue) for queue in recording.responses.values())
        recording.recording = False
        rush_offset = clock.offset_seconds()
    saved_offset = clock.offset_seconds()
    clock.set_offset(rush_offset)  # the replay runs at the recording's hour (tokens, today's day)
    try:
        return _replay(recording, recorded, made, deployment, table)
    finally:
        clock.set_offset(saved_offset)


def _replay(
    recording: Recording, recorded: int, made: dict[str, list[tuple[str, str, dict[str, Any], Any]]], deployment: Any, table: str
) -> tuple[dict[str, list[float]], dict[str, float], float]:
    from tests.support.stack import FakeContext

    # Replayed without moto: only the recording answers.
    times: dict[str, list[float]] = {}
    calls: dict[str, float] = {}
    context = FakeContext()
    for kind in KINDS:
        services.reset()
        recording.attach(aws._session().events)
        modules: dict[str, ModuleType] = {}
        spent: list[float] = []
        replayed_before = recording.replayed
        first = True
        for method, path, claims, body in made[kind]:
            function, event = _event(method, path, claims, body)
            env = _template_env(deployment, function)
            if function not in modules:
                modules[function] = _load(function, env)
            handler = _handler(deployment, function, modules[function])
            with tpl.environment(env), contextlib.redirect_stdout(io.StringIO()):
                started = time.thread_time()
                response = handler(event, context)
                elapsed = time.thread_time() - started
            assert response["statusCode"] < 300, (kind, response["statusCode"], str(response.get("body"))[:300])
            if first:  # the cold container's first request pays for what it caches
                first, replayed_before = False, recording.replayed
                continue
            spent.append(elapsed * 1000)
        times[kind] = spent
        calls[kind] = (recording.replayed - replayed_before) / max(1, len(spent))
    bare: list[float] = []
    services.reset()
    recording.attach(aws._session().events)
    client = aws.client("dynamodb")
    for _ in range(200):
        started = time.thread_time()
        client.get_item(TableName=table, Key={"person_id": {"S": "nobody"}, "sk": {"S": "code"}})
        bare.append((time.thread_time() - started) * 1000)
    assert recording.replayed == recorded, f"replayed {recording.replayed} of {recorded} recorded responses"
    return times, calls, statistics.median(bare)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=60, help="requests of each kind (the first, cold, is not counted)")
    args = parser.parse_args(argv)
    times, calls, bare = measure(max(args.requests, 10))
    print("Warm requests in the function: real botocore, HTTP answered from a recording of moto; template logging, metrics, X-Ray active")
    print(f"  target: p50 ≤ {TARGET_MS} ms for each kind")
    print(f"  baseline: one bare replayed DynamoDB GetItem through the same client, p50 {bare:.3f} ms")
    failed = []
    for kind in KINDS:
        spent = sorted(times[kind])
        p50, p95 = statistics.median(spent), spent[int(0.95 * (len(spent) - 1))]
        print(
            f"  {kind:<11} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  {calls[kind]:4.1f} AWS calls/request  "
            f"p50/target {p50 / TARGET_MS:5.2f}x  (p50 = {p50 / bare:4.1f} bare calls)  n={len(spent)}"
        )
        if p50 > TARGET_MS:
            failed.append(kind)
    if failed:
        print(f"  above the target: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
