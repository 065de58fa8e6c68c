"""``make run``: the whole platform on 127.0.0.1, with nothing to sign up for.

moto's server is the AWS endpoint; every resource of ``template.yaml`` is created in it; the local gateway
serves the API, the web app and the control API; the event pump fires schedules and delivers stream, queue and
bucket events; demo accounts and data are seeded; a summary is printed. Ctrl-C stops everything.

Environment: ``PORT`` (3000) for API + web, ``MOTO_PORT`` (4566), ``DEMO`` (``full`` | ``accounts`` | ``none``),
``STATE_DIR`` (``.local``) for logs and the stack description.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REGION = "ap-east-1"


def _say(message: str) -> None:
    print(f"[local] {message}", flush=True)


def _start_moto(port: int, log_dir: Path) -> subprocess.Popen[bytes]:
    log = (log_dir / "moto.log").open("ab")
    env = {**os.environ, "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled", "MOTO_ALLOW_NONEXISTENT_REGION": "true"}
    # moto's server with the local fixes (table objects kept on a cancelled transaction, bounded buffers).
    process = subprocess.Popen([sys.executable, "-m", "infra.local.motoserver", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"moto server exited (see {log_dir / 'moto.log'})")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/moto-api/", timeout=2).read()
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("moto server did not start")


def _rss_mb(pid: int) -> float | None:
    """A process's resident memory in MB (Linux ``/proc``), None when unknown."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        return None
    return None


class LocalStack:
    def __init__(self, port: int, moto_port: int, state_dir: Path, demo: str) -> None:
        self.port = port
        self.moto_port = moto_port
        self.state_dir = state_dir
        self.demo_mode = demo
        self.endpoint = f"http://127.0.0.1:{moto_port}"
        self.api_url = f"http://127.0.0.1:{port}"
        self.ready = False
        self._stopping = threading.Event()

    def _log(self, message: str) -> None:
        with (self.state_dir / "logs" / "stack.log").open("a", encoding="utf-8") as log:
            log.write(f"{time.strftime('%H:%M:%S')} {message}\n")

    def start(self) -> None:
        logs = self.state_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        os.environ.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",
            AWS_DEFAULT_REGION=REGION,
            AWS_REGION=REGION,
            AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        )
        import boto3

        from infra.local.authorizer import CognitoAuthorizer
        from infra.local.deploy import deploy
        from infra.local.functions import FunctionPool, base_environment
        from infra.local.gateway import Gateway, serve
        from infra.local.outbox import SmsOutbox
        from infra.local.pump import EventPump, VirtualClock

        _say(f"starting moto (AWS) on {self.endpoint}")
        self.moto = _start_moto(self.moto_port, logs)
        self.session = boto3.session.Session(region_name=REGION)
        started = time.perf_counter()
        self.deployment = deploy(self.session, stage="local")
        resources, functions = len(self.deployment.physical), len(self.deployment.functions)
        _say(f"deployed template.yaml into moto: {resources} resources, {functions} functions ({time.perf_counter() - started:.1f}s)")
        self.clock = VirtualClock()
        self.pool = FunctionPool(self.deployment, base_environment(self.endpoint, REGION), logs, lambda: self.clock.offset)
        self.pump = EventPump(self.session, self.deployment, self.pool, self.clock, self._log, alert=lambda message: _say(message))
        self.sms = SmsOutbox(self.session, self.deployment.physical["CallerSmsTopic"])
        self.sms.start()
        authorizer = CognitoAuthorizer(self.endpoint, REGION, self.deployment.user_pool_id, self.deployment.user_pool_client_id)
        web_dir = ROOT / "web" / "dist" if (ROOT / "web" / "dist" / "index.html").is_file() else ROOT / "web"
        self.gateway = Gateway(self.pool, authorizer, web_dir, self._control_routes(), self._log, dead=self.dead)
        self.server = serve(self.gateway, "127.0.0.1", self.port)
        self.pump.start()
        threading.Thread(target=self._watch, name="watchdog", daemon=True).start()
        _say(f"API and web on {self.api_url} (web from {web_dir.relative_to(ROOT)})")
        self._seed()
        self.ready = True
        (self.state_dir / "stack.json").write_text(json.dumps(self.config(), indent=2, ensure_ascii=False))
        self._summary()

    # -- health ---------------------------------------------------------------------------------------------
    def dead(self) -> str | None:
        """The part of the stack that has died (moto is the one everything needs), or None."""
        moto = getattr(self, "moto", None)
        if moto is not None and moto.poll() is not None:
            return f"moto (the local AWS) exited with code {moto.returncode}; see {self.state_dir / 'logs' / 'moto.log'}"
        pump = getattr(getattr(self, "pump", None), "_thread", None)
        if pump is not None and not pump.is_alive() and not self._stopping.is_set():
            return f"the event pump stopped: no schedule, stream, queue or bucket event is delivered; see {self.state_dir / 'logs' / 'stack.log'}"
        return None

    def _watch(self) -> None:
        """Say once, loudly, when moto dies (every API answer says so from then on)."""
        said = False
        while not self._stopping.wait(5):
            died = self.dead()
            if died and not said:
                _say(f"BROKEN: {died}")
                said = True

    def moto_rss_mb(self) -> float | None:
        """moto's resident memory in MB (Linux ``/proc``), None when unknown."""
        moto = getattr(self, "moto", None)
        return _rss_mb(moto.pid) if moto is not None else None

    # -- demo ---------------------------------------------------------------------------------------------
    def _seed(self) -> None:
        from infra.local.accounts import create_user
        from infra.local.demo import DEMO_ACCOUNTS, DemoClient, seed_modules

        self.accounts = {account.username: account for account in DEMO_ACCOUNTS} if self.demo_mode != "none" else {}
        for account in self.accounts.values():
            create_user(self.session, self.deployment.user_pool_id, account)
        if self.demo_mode != "full":
            return
        client = DemoClient(self.api_url, self.session, self.deployment, self.accounts)
        for module in seed_modules():
            started = time.perf_counter()
            try:
                module.seed(client)
                self.pump.drain()
                _say(f"demo data: {module.__name__.rsplit('.', 1)[1]} ({time.perf_counter() - started:.1f}s)")
            except Exception as exc:  # one platform's demo data must not keep the others from starting
                _say(f"demo data: {module.__name__} FAILED: {type(exc).__name__}: {exc}")

    # -- control API (local only) ---------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        return {
            "api_url": self.api_url,
            "aws_endpoint_url": self.endpoint,
            "region": REGION,
            "user_pool_id": self.deployment.user_pool_id,
            "user_pool_client_id": self.deployment.user_pool_client_id,
            "demo_accounts": [account.to_json() for account in getattr(self, "accounts", {}).values()],
            "ready": self.ready,
            "today": self.clock.today().isoformat(),
            "health": {"dead": self.dead(), "moto_rss_mb": self.moto_rss_mb(), "stack_rss_mb": _rss_mb(os.getpid())},
            "deliveries": self.pump.report() if hasattr(self, "pump") else None,
        }

    def _control_routes(self) -> dict[tuple[str, str], Any]:
        return {
            ("GET", "/_local/config"): lambda _: (200, self.config()),
            ("POST", "/_local/users"): self._create_user,
            ("GET", "/_local/clock"): lambda _: (200, {"today": self.clock.today().isoformat(), "now": self.clock.now().isoformat()}),
            ("POST", "/_local/clock"): self._set_clock,
            ("POST", "/_local/clock/advance"): self._advance,
            ("POST", "/_local/drain"): lambda _: (200, {"delivered": self.pump.drain()}),
            ("GET", "/_local/sms"): lambda _: (200, self.sms.view()),
        }

    def _create_user(self, body: dict[str, Any]) -> tuple[int, Any]:
        from infra.local.accounts import create_user
        from infra.local.demo import DemoAccount
        from sanmenxia.errors import DomainError

        missing = [name for name in ("username", "password", "role") if not isinstance(body.get(name), str)]
        if missing:
            return 422, {
                "error": "invalid_request",
                "message": f"{missing[0]}: field required",
                "fields": [{"field": m, "reason": "field required"} for m in missing],
            }
        scope = body.get("scope") or {}
        if not isinstance(scope, dict):
            return 422, {"error": "invalid_request", "message": "scope: must be an object", "fields": [{"field": "scope", "reason": "must be an object"}]}
        try:
            created = create_user(self.session, self.deployment.user_pool_id, DemoAccount(body["username"], body["password"], body["role"], scope))
        except ValueError:
            return 422, {"error": "invalid_request", "message": "role: unknown role", "fields": [{"field": "role", "reason": "unknown role"}]}
        except DomainError as exc:
            return exc.status, exc.to_dict()
        return 201, created

    def _set_clock(self, body: dict[str, Any]) -> tuple[int, Any]:
        try:
            day = date.fromisoformat(str(body.get("today")))
        except ValueError:
            return 422, {"error": "invalid_request", "message": "today: expected YYYY-MM-DD", "fields": [{"field": "today", "reason": "expected YYYY-MM-DD"}]}
        self.pump.set_today(day)
        return 200, {"today": self.clock.today().isoformat()}

    def _advance(self, body: dict[str, Any]) -> tuple[int, Any]:
        days = body.get("days", 1)
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 366:
            return 422, {
                "error": "invalid_request",
                "message": "days: an integer from 1 to 366",
                "fields": [{"field": "days", "reason": "an integer from 1 to 366"}],
            }
        fired = self.pump.advance(days)
        return 200, {"today": self.clock.today().isoformat(), "fired": fired}

    # -- lifecycle ----------------------------------------------------------------------------------------------
    def _summary(self) -> None:
        lines = [
            "",
            "  线上三门峡 Online Sanmenxia is running",
            f"  Web app       {self.api_url}/",
            f"  API           {self.api_url}   (OpenAPI {self.api_url}/openapi.json, Swagger UI {self.api_url}/docs)",
            f"  Local AWS     {self.endpoint}   (moto; region {REGION})",
            f"  Control       {self.api_url}/_local/config  /_local/clock  /_local/clock/advance  /_local/sms",
            f"  Today         {self.clock.today().isoformat()} (Asia/Shanghai, virtual clock)",
            f"  Logs          {self.state_dir / 'logs'}",
            "  Demo accounts (password " + (next(iter(self.accounts.values())).password if self.accounts else "-") + "):",
        ]
        lines += [f"    {a.username:<16} {a.role:<18} {json.dumps(a.scope, ensure_ascii=False)}" for a in self.accounts.values()]
        lines += ["  Ctrl-C stops everything.", "READY", ""]
        print("\n".join(lines), flush=True)

    def stop(self) -> None:
        if self._stopping.is_set():
            return
        self._stopping.set()
        _say("stopping")
        steps: tuple[Callable[[], object], ...] = (lambda: self.server.shutdown(), lambda: self.pump.stop(), lambda: self.pool.stop())
        for step in steps:
            with contextlib.suppress(AttributeError):
                step()
        moto = getattr(self, "moto", None)
        if moto and moto.poll() is None:
            moto.terminate()
            try:
                moto.wait(timeout=5)
            except subprocess.TimeoutExpired:
                moto.kill()


def main() -> None:
    stack = LocalStack(
        port=int(os.environ.get("PORT", "3000")),
        moto_port=int(os.environ.get("MOTO_PORT", "4566")),
        state_dir=Path(os.environ.get("STATE_DIR", ROOT / ".local")),
        demo=os.environ.get("DEMO", "full"),
    )
    done = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.start()
        done.wait()
    finally:
        stack.stop()
        _say("stopped")


if __name__ == "__main__":
    main()
