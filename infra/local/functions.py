"""The local Lambda service: one warm worker process per function, started on first use.

Each worker runs the function's handler with the function's own environment (as moto resolved it from the
template), so functions are isolated from each other as Lambda containers are. Invocations of one function are
serialised (one container); different functions run in parallel.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from infra.local import template as tpl

WORKER = Path(__file__).with_name("worker.py")


class InvocationError(RuntimeError):
    def __init__(self, function: str, error: dict[str, Any]) -> None:
        super().__init__(f"{function}: {error.get('errorType')}: {error.get('errorMessage')}")
        self.error = error


@dataclass
class _Worker:
    process: subprocess.Popen[str]
    lock: threading.Lock = field(default_factory=threading.Lock)


class FunctionPool:
    def __init__(self, deployment: Any, base_env: dict[str, str], log_dir: Path, clock_offset: Any) -> None:
        self._deployment = deployment
        self._base_env = base_env
        self._log_dir = log_dir
        self._clock_offset = clock_offset  # callable → seconds
        self._workers: dict[str, _Worker] = {}
        self._guard = threading.Lock()
        self._logs: dict[str, TextIO] = {}
        log_dir.mkdir(parents=True, exist_ok=True)

    def _start(self, function: str) -> _Worker:
        config = self._deployment.functions[function]
        env = {
            **self._base_env,
            **config["env"],
            "AWS_LAMBDA_FUNCTION_NAME": config["name"],
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(config.get("timeout", 15)),
            "POWERTOOLS_TRACE_DISABLED": "true",
            "PYTHONUNBUFFERED": "1",
        }
        log = self._logs.setdefault(function, (self._log_dir / f"{function}.log").open("a", encoding="utf-8"))
        layers = [str(path) for path in tpl.layer_dirs()]
        process = subprocess.Popen(
            [sys.executable, str(WORKER), str(tpl.code_dir(function)), config["handler"], *layers],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            encoding="utf-8",
            env=env,
            cwd=str(tpl.code_dir(function)),
        )
        return _Worker(process)

    def _worker(self, function: str) -> _Worker:
        with self._guard:
            worker = self._workers.get(function)
            if worker is None or worker.process.poll() is not None:
                worker = self._workers[function] = self._start(function)
            return worker

    def _call(self, function: str, message: dict[str, Any], clock_offset: float | None = None) -> Any:
        worker = self._worker(function)
        timeout = float(self._deployment.functions[function].get("timeout", 15)) + 30
        with worker.lock:
            message["clock_offset"] = self._clock_offset() if clock_offset is None else clock_offset
            assert worker.process.stdin and worker.process.stdout
            worker.process.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
            worker.process.stdin.flush()
            line = _readline(worker.process.stdout, timeout)
        if not line:
            worker.process.kill()
            raise InvocationError(function, {"errorType": "Runtime.ExitError", "errorMessage": "worker ended or timed out"})
        reply = json.loads(line)
        if "error" in reply:
            raise InvocationError(function, reply["error"])
        return reply["ok"]

    def invoke(self, function: str, event: dict[str, Any], *, clock_offset: float | None = None) -> Any:
        """Invoke ``function`` (logical id) with ``event``; raise ``InvocationError`` on an unhandled error."""
        return self._call(function, {"event": event}, clock_offset)

    def openapi(self, function: str) -> dict[str, Any] | None:
        return self._call(function, {"openapi": True})  # type: ignore[no-any-return]

    def stop(self) -> None:
        with self._guard:
            for worker in self._workers.values():
                if worker.process.poll() is None:
                    worker.process.terminate()
            for worker in self._workers.values():
                try:
                    worker.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    worker.process.kill()
            self._workers.clear()
        for log in self._logs.values():
            log.close()


def _readline(stream: IO[str], timeout: float) -> str:
    """The worker's one-line answer, or "" if none comes within ``timeout`` (the worker answers whole lines)."""
    ready, _, _ = select.select([stream], [], [], timeout)
    return stream.readline() if ready else ""


def base_environment(endpoint: str, region: str) -> dict[str, str]:
    """What every local function sees besides its template variables."""
    keep = {key: value for key, value in os.environ.items() if key in {"PATH", "HOME", "LANG", "TZ", "VIRTUAL_ENV"}}
    return {
        **keep,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
