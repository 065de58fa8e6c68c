"""Benchmark: each function module's cold import time, and the registry routes' warm per-request time with AWS
calls stubbed (in-memory fakes), so what is measured is the platform's own code: routing, validation,
ID-number checks, HMAC, AES-GCM sealing, masking.

Run: ``make bench`` (or ``python -m infra.bench.bench_registry``). Times vary on a shared machine; compare
ratios within one run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from datetime import date
from typing import Any

from infra.bench.fakes import FakeDynamoDB, FakeKms, FakeSecrets
from infra.local import events
from infra.local import template as tpl
from sanmenxia import aws, services
from sanmenxia.idnumber import make_id_number

IMPORT_PROBE = """
import os, sys, time
sys.path[:0] = [{code!r}, {layer!r}]
os.environ.update({env!r})
started = time.perf_counter()
import app
print(time.perf_counter() - started)
"""


def cold_imports() -> None:
    print("Cold import of each function module (fresh interpreter, median of 3):")
    layer = str(tpl.ROOT / "layers/shared/python")
    for name in sorted(tpl.functions()):
        env = {key: value if isinstance(value, str) else "placeholder" for key, value in tpl.function_env(name).items()}
        env["POWERTOOLS_TRACE_DISABLED"] = "true"
        probe = IMPORT_PROBE.format(code=str(tpl.code_dir(name)), layer=layer, env=env)
        samples: list[float] = []
        for _ in range(3):
            out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
            if out.returncode != 0:
                samples = []
                print(f"  {name:<28} import failed: {out.stderr.strip().splitlines()[-1] if out.stderr else '?'}")
                break
            samples.append(float(out.stdout.strip().splitlines()[-1]))
        if samples:
            print(f"  {name:<28} {1000 * statistics.median(samples):7.1f} ms")


def _load_registry() -> Any:
    spec = importlib.util.spec_from_file_location("_bench_registry", tpl.code_dir("RegistryFunction") / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["_bench_registry"] = module
    spec.loader.exec_module(module)
    return module


def warm_requests(iterations: int = 2000) -> None:
    os.environ.update(
        PEOPLE_TABLE="People",
        AUDIT_TABLE="Audit",
        PII_KEY_ID="key",
        LOOKUP_SECRET_ARN="secret",
        USER_POOL_ID="pool",
        NOTIFICATIONS_TABLE="Notes",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        POWERTOOLS_METRICS_NAMESPACE="bench",
        POWERTOOLS_SERVICE_NAME="registry",
    )
    dynamodb = FakeDynamoDB(
        {"People": ("pk",), "Audit": ("target", "sk"), "Notes": ("person_id", "sk")},
        {"People": {"household-index": ("household_id", "pk"), "community-index": ("community_id", "pk")}},
    )
    kms = FakeKms()
    fakes = {"dynamodb": dynamodb, "kms": kms, "secretsmanager": FakeSecrets()}
    services.reset()
    aws.client = lambda service: fakes[service]  # type: ignore[assignment]
    module = _load_registry()
    handler = module.lambda_handler

    class Context:
        function_name, memory_limit_in_mb, aws_request_id = "bench", 512, "bench"
        invoked_function_arn = "arn:aws:lambda:ap-east-1:123456789012:function:bench"

    def run(label: str, make_event: Any, expected: int, count: int = iterations) -> None:
        samples = []
        with contextlib.redirect_stdout(io.StringIO()):  # EMF metric lines
            for index in range(count):
                event = make_event(index)
                started = time.perf_counter()
                result = handler(event, Context())
                samples.append(time.perf_counter() - started)
                assert result["statusCode"] == expected, result
        samples.sort()
        mean = statistics.fmean(samples)
        p50, p95 = samples[len(samples) // 2], samples[int(len(samples) * 0.95)]
        print(f"  {label:<34} mean {1e6 * mean:7.0f} µs  p50 {1e6 * p50:7.0f} µs  p95 {1e6 * p95:7.0f} µs  ({1 / mean:,.0f}/s)")

    def register(index: int) -> dict[str, Any]:
        body = {
            "name": "张三",
            "id_number": make_id_number("411202", date(1980, 1, 1 + index % 28), index),
            "phone": "13812345678",
            "county_code": "411202",
            "community_id": "411202-001",
            "address": "前进路1号",
        }
        claims = {"sub": f"sub-{index}", "cognito:groups": "resident"}
        return events.api_event("POST", "/residents", body=json.dumps(body), headers={"Content-Type": "application/json"}, claims=claims)

    print(f"Warm per-request time, registry routes, AWS calls stubbed ({iterations} requests each):")
    n = min(iterations, 1000)  # distinct valid ID numbers available to the generator
    run("POST /residents (validate, seal x4)", register, 201, n)
    run(
        "GET /residents/me (read, open x4)",
        lambda i: events.api_event("GET", "/residents/me", claims={"sub": f"sub-{i % n}", "cognito:groups": "resident"}),
        200,
    )
    run("GET /regions (public)", lambda i: events.api_event("GET", "/regions"), 200)
    run(
        "POST /residents bad ID (422)",
        lambda i: events.api_event("POST", "/residents", body='{"id_number": "123"}', claims={"sub": "x", "cognito:groups": "resident"}),
        422,
    )
    print(f"  KMS calls for all of the above: {kms.calls} (data keys cached per container)")


if __name__ == "__main__":
    warnings.filterwarnings("ignore", message="No application metrics")
    cold_imports()
    warm_requests()
