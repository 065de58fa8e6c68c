"""The local stack over HTTP: one ``python -m infra.local.stack`` per test session, on free ports.

Notes for e2e tests (and the web app):
- API routes are served at the root of ``local_stack.base_url`` and take precedence over web files; the web app
  is served from ``web/dist`` for every other GET (single-page fallback to ``index.html`` for navigations).
- Sign in through Cognito: ``local_stack.sign_in(username, password)`` → ID token; ``local_stack.call(...)``.
- ``local_stack.advance(days)`` moves the virtual clock and fires due schedules; ``local_stack.drain()`` waits
  until stream, queue and bucket events of past requests have been delivered.
- ``local_stack.new_user(role, scope)`` creates a fresh confirmed user (unique name), so tests do not share state.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Sanmenxia2020"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class HttpResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class LocalStack:
    base_url: str
    state_dir: Path
    process: subprocess.Popen[bytes]
    config: dict[str, Any] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    def request(
        self, method: str, path: str, *, token: str | None = None, body: Any = None, raw: bytes | None = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        data = raw if raw is not None else (None if body is None else json.dumps(body, ensure_ascii=False).encode())
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=300) as response:  # a ceiling for a loaded machine
                return HttpResponse(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            return HttpResponse(error.code, dict(error.headers.items()), error.read())

    def call(self, method: str, path: str, username: str | None = None, body: Any = None) -> HttpResponse:
        return self.request(method, path, token=self.token(username) if username else None, body=body)

    def cognito(self) -> Any:
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.config["aws_endpoint_url"],
            region_name=self.config["region"],
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def sign_in(self, username: str, password: str = PASSWORD) -> str:
        result = self.cognito().initiate_auth(
            ClientId=self.config["user_pool_client_id"], AuthFlow="USER_PASSWORD_AUTH", AuthParameters={"USERNAME": username, "PASSWORD": password}
        )
        return str(result["AuthenticationResult"]["IdToken"])

    def token(self, username: str) -> str:
        if username not in self._tokens:
            self._tokens[username] = self.sign_in(username)
        return self._tokens[username]

    def new_user(self, role: str, scope: dict[str, str] | None = None, prefix: str | None = None) -> str:
        username = f"{prefix or role}-{uuid.uuid4().hex[:8]}"
        response = self.request("POST", "/_local/users", body={"username": username, "password": PASSWORD, "role": role, "scope": scope or {}})
        assert response.status == 201, response.body
        return username

    def today(self) -> str:
        return str(self.request("GET", "/_local/clock").json["today"])

    def advance(self, days: int = 1) -> dict[str, Any]:
        response = self.request("POST", "/_local/clock/advance", body={"days": days})
        assert response.status == 200, response.body
        return response.json  # type: ignore[no-any-return]

    def drain(self) -> None:
        assert self.request("POST", "/_local/drain").status == 200

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted((self.state_dir / "logs").glob("*.log")))


#: How long the local stack may go without a new line of output while starting, and how long its start may take.
STACK_IDLE_SECONDS = 420
STACK_START_SECONDS = 2400


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """``make run``'s stack, with demo data, on free ports; stopped at the end of the session."""
    state_dir = tmp_path_factory.mktemp("local-stack")
    port, moto_port = _free_port(), _free_port()
    env = {**os.environ, "PORT": str(port), "MOTO_PORT": str(moto_port), "STATE_DIR": str(state_dir), "DEMO": os.environ.get("E2E_DEMO", "full")}
    output = (state_dir / "stack.out").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "infra.local.stack"], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    stack = LocalStack(f"http://127.0.0.1:{port}", state_dir, process)
    # Wait while the stack makes progress (a new line in its output: deployed, each demo data set), not for a fixed
    # time: on a loaded machine seeding the demo data alone took more than ten minutes. A stack that says nothing
    # for STACK_IDLE_SECONDS is stuck; STACK_START_SECONDS bounds the whole start.
    started = time.monotonic()
    said, last_news = 0, started
    while time.monotonic() - last_news < STACK_IDLE_SECONDS and time.monotonic() - started < STACK_START_SECONDS:
        size = (state_dir / "stack.out").stat().st_size
        if size != said:
            said, last_news = size, time.monotonic()
        if process.poll() is not None:
            raise RuntimeError("local stack exited:\n" + (state_dir / "stack.out").read_text(errors="replace"))
        try:
            config = stack.request("GET", "/_local/config").json
            if config and config.get("ready"):
                stack.config = config
                break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        process.kill()
        raise RuntimeError("local stack did not become ready:\n" + (state_dir / "stack.out").read_text(errors="replace"))
    yield stack
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
