"""Schema-based fuzzing of the local stack from its own ``/openapi.json`` (schemathesis on hypothesis).

Every operation is called with no token and as every role (the demo accounts' ID tokens); the roles the operation
declares in ``x-roles`` get ``examples`` generated requests each in positive and negative mode, the other callers
one each (they are refused before anything runs). A response fails when it is a 5xx or does not match the schema
the operation declares for its status. Failures are collected, not raised inside hypothesis, so a run is bounded
(no shrinking) and reports every (operation, caller, status) at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core import NOT_SET
from schemathesis.specs.openapi.checks import response_schema_conformance

from sanmenxia.auth import Role

ROLES = tuple(role.value for role in Role)
NO_TOKEN = "no token"
CHECKS = [not_a_server_error, response_schema_conformance]


@dataclass
class Finding:
    operation: str
    caller: str
    status: int
    problem: str
    request: str

    def __str__(self) -> str:
        return f"{self.operation} as {self.caller}: {self.status} — {self.problem}\n    request: {self.request}"


@dataclass
class Run:
    operations: int = 0
    requests: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)

    def size(self) -> str:
        return f"{self.operations} operations × {1 + len(ROLES)} callers, {self.requests} requests"


def load(base_url: str) -> Any:
    """The stack's own merged document (the first request builds it from every function: allow it time)."""
    response = requests.get(f"{base_url}/openapi.json", timeout=300)
    response.raise_for_status()
    return schemathesis.openapi.from_dict(response.json())


def operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def label(operation: Any) -> str:
    return f"{operation.method.upper()} {operation.path}"


def _callers(operation: Any) -> list[str]:
    return [NO_TOKEN, *ROLES]


def _allowed(operation: Any, caller: str) -> bool:
    roles = operation.definition.raw.get("x-roles", "public")
    return roles == "public" or caller in roles


def _describe(case: Any) -> str:
    parts = [f"{case.method} {case.formatted_path}"]
    if case.query:
        parts.append(f"query={json.dumps(case.query, ensure_ascii=False, default=str)[:200]}")
    if case.body is not NOT_SET:
        parts.append(f"body={json.dumps(case.body, ensure_ascii=False, default=str)[:300]}")
    return " ".join(parts)


def fuzz_operation(
    run: Run,
    base_url: str,
    operation: Any,
    tokens: dict[str, str],
    *,
    examples: int,
    derandomize: bool = True,
    session: requests.Session | None = None,
) -> None:
    """Fuzz one operation for every caller; findings go into ``run``."""
    session = session or requests.Session()
    run.operations += 1
    for caller in _callers(operation):
        headers = {} if caller == NO_TOKEN else {"Authorization": f"Bearer {tokens[caller]}"}
        allowed = _allowed(operation, caller)
        count = examples if allowed else 1
        modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE] if allowed else [schemathesis.GenerationMode.POSITIVE]
        for mode in modes:
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception as exc:  # a spec schemathesis cannot turn into requests is a finding (the spec is wrong)
                run.findings.append(Finding(label(operation), caller, 0, f"no {mode.value} requests: {type(exc).__name__}: {str(exc)[:300]}", ""))
                continue
            _run_cases(run, base_url, operation, caller, headers, strategy, count, derandomize, session)


TRIES = 3  # attempts per request before a missing answer is a finding


def _run_cases(
    run: Run, base_url: str, operation: Any, caller: str, headers: dict[str, str], strategy: Any, count: int, derandomize: bool, session: requests.Session
) -> None:
    def call(case: Any) -> None:
        # A request that gets no answer (timeout, reset) on a loaded machine is tried again; one that never gets an answer
        # is a finding. Raising inside hypothesis instead made it re-run the example, which then passed: "Flaky".
        for attempt in range(TRIES):
            try:
                response = case.call(base_url=base_url, session=session, headers=headers, timeout=60)
                break
            except requests.RequestException as exc:
                if attempt == TRIES - 1:
                    problem = f"no answer after {TRIES} tries: {type(exc).__name__}: {str(exc)[:300]}"
                    run.findings.append(Finding(label(operation), caller, 0, problem, _describe(case)))
                    return
        run.requests += 1
        run.statuses[response.status_code] = run.statuses.get(response.status_code, 0) + 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except Exception as exc:  # every check failure is a finding; keep going
            run.findings.append(Finding(label(operation), caller, response.status_code, _problem(exc), _describe(case)))

    @settings(
        max_examples=count,
        phases=[Phase.explicit, Phase.generate],
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def one(case: Any) -> None:
        call(case)

    try:
        one()
    except Unsatisfiable:  # an operation without inputs: there is exactly one request to make
        call(operation.Case())
    except Exception as exc:  # generation itself failed for this schema: a finding too (the spec is wrong)
        run.findings.append(Finding(label(operation), caller, 0, f"could not generate requests: {type(exc).__name__}: {str(exc)[:300]}", ""))


def _problem(exc: BaseException) -> str:
    failures: Iterable[BaseException] = getattr(exc, "exceptions", None) or [exc]
    return "; ".join(f"{getattr(item, 'title', type(item).__name__)}: {str(item).strip()[:400]}" for item in failures)


def sign_in_all(sign_in: Callable[[str, str], str], accounts: list[dict[str, Any]]) -> dict[str, str]:
    """One ID token per role, from the first demo account of that role."""
    tokens: dict[str, str] = {}
    for account in accounts:
        if account["role"] in ROLES and account["role"] not in tokens:
            tokens[account["role"]] = sign_in(account["username"], account["password"])
    missing = set(ROLES) - set(tokens)
    assert not missing, f"no demo account for {sorted(missing)}"
    return tokens
