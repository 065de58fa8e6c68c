"""One warm "Lambda container" of the local stack: imports a function's handler once and serves
invocations read from stdin, one JSON line each, answering on fd 3.

Run by ``infra.local.functions.FunctionPool`` with the function's environment (the template's variables as
moto resolved them, ``AWS_ENDPOINT_URL`` pointing at moto). The function's own stdout (Powertools logs,
EMF metrics) goes to stderr, which the pool writes to the function's log file.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import time
import traceback
import uuid
from typing import Any


class LambdaContext:
    def __init__(self, function_name: str, timeout: float, memory: int) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = memory
        region = os.environ.get("AWS_REGION", "ap-east-1")
        self.invoked_function_arn = f"arn:aws:lambda:{region}:123456789012:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self._deadline = time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def main() -> None:
    code_dir, handler_path, *layer_dirs = sys.argv[1:]
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [code_dir, *layer_dirs] + [p for p in sys.path if os.path.abspath(p or ".") != here]
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    module_name, function_name = handler_path.rsplit(".", 1)
    from sanmenxia import clock

    handler = getattr(importlib.import_module(module_name), function_name)
    name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    timeout = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "15"))
    memory = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
    for line in sys.stdin:
        message = json.loads(line)
        clock.set_offset(float(message.get("clock_offset", 0)))
        reply: dict[str, Any]
        try:
            if message.get("openapi"):
                app = getattr(sys.modules[module_name], "app", None)
                reply = {"ok": app.openapi_document() if app is not None and hasattr(app, "openapi_document") else None}
            else:
                reply = {"ok": handler(message["event"], LambdaContext(name, timeout, memory))}
        except Exception as exc:  # an unhandled error is the invocation's result, as in Lambda
            traceback.print_exc()
            reply = {"error": {"errorType": type(exc).__name__, "errorMessage": str(exc)}}
        protocol.write(json.dumps(reply, default=str) + "\n")


if __name__ == "__main__":
    main()
