"""The local API Gateway: every ``Api`` event of every function in ``template.yaml``, served as API Gateway
REST (v1) proxy events, behind the Cognito authorizer; plus the web app, the merged OpenAPI document and the
local-only control API (``/_local/...``, never deployed).
"""

from __future__ import annotations

import base64
import json
import mimetypes
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from infra import openapi as api_document
from infra.local import events
from infra.local import template as tpl
from infra.local.authorizer import AuthorizerError, CognitoAuthorizer
from infra.local.functions import FunctionPool, InvocationError

MAX_REQUEST_BYTES = 10 * 1024 * 1024  # API Gateway's payload limit
SWAGGER_DIR = Path(str(__import__("aws_lambda_powertools").__file__)).parent / "event_handler" / "openapi" / "swagger_ui"

ControlRoute = Callable[[dict[str, Any]], tuple[int, Any]]


def _binary_types() -> set[str]:
    api = tpl.of_type("AWS::Serverless::Api")
    types: set[str] = set()
    for res in api.values():
        types.update(item.replace("~1", "/") for item in res["Properties"].get("BinaryMediaTypes", []))
    return types


class Gateway:
    def __init__(
        self,
        pool: FunctionPool,
        authorizer: CognitoAuthorizer,
        web_dir: Path,
        control: dict[tuple[str, str], ControlRoute],
        log: Callable[[str], None],
        stage: str = "local",
        dead: Callable[[], str | None] = lambda: None,
    ) -> None:
        self.dead = dead  # what part of the local stack has died, if any (answers say so instead of a bare 5xx)
        self.pool = pool
        self.authorizer = authorizer
        self.web_dir = web_dir
        self.control = control
        self.log = log
        self.stage = stage
        self.routes = tpl.routes()
        self.binary_types = _binary_types()
        self._openapi: dict[str, Any] | None = None
        self._openapi_lock = threading.Lock()

    # -- API ---------------------------------------------------------------------------------------------
    def find_route(self, method: str, path: str) -> tuple[tpl.Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, path)
            if params is not None:
                return route, params
        return None

    def path_exists(self, path: str) -> bool:
        return any(route.match(route.method, path) is not None for route in self.routes)

    def call_api(
        self, route: tpl.Route, params: dict[str, str], method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        died = self.dead()
        if died:
            return 503, {"Content-Type": "application/json"}, json.dumps({"message": f"the local stack is broken: {died}; restart make run"}).encode()
        claims = None
        if not route.public:
            try:
                claims = self.authorizer.claims(headers.get("Authorization") or headers.get("authorization"))
            except AuthorizerError:
                return 401, {"Content-Type": "application/json"}, b'{"message":"Unauthorized"}'
        content_type = (headers.get("Content-Type") or "").split(";")[0].strip()
        binary = content_type in self.binary_types
        event = events.api_event(
            method,
            path,
            resource=route.path,
            path_parameters=params,
            query=query,
            headers=headers,
            body=body if body else None,
            claims=claims,
            binary=binary,
            stage=self.stage,
        )
        try:
            result = self.pool.invoke(route.function, event)
        except InvocationError as exc:
            self.log(f"{route.function} failed: {exc}")
            died = self.dead()
            if died:  # the function failed because a part of the stack it needs is gone: say which
                return 503, {"Content-Type": "application/json"}, json.dumps({"message": f"the local stack is broken: {died}; restart make run"}).encode()
            return 502, {"Content-Type": "application/json"}, b'{"message":"Internal server error"}'
        payload = result.get("body") or ""
        data = base64.b64decode(payload) if result.get("isBase64Encoded") else payload.encode()
        out_headers = {key: str(value) for key, value in (result.get("headers") or {}).items()}
        for key, values in (result.get("multiValueHeaders") or {}).items():
            out_headers[key] = ", ".join(str(value) for value in values)
        return int(result.get("statusCode", 200)), out_headers, data

    # -- OpenAPI -----------------------------------------------------------------------------------------
    def openapi(self) -> dict[str, Any]:
        with self._openapi_lock:
            if self._openapi is None:
                self._openapi = self._merge_openapi()
            return self._openapi

    def _merge_openapi(self) -> dict[str, Any]:
        functions = sorted({route.function for route in self.routes})
        return api_document.merge({function: self.pool.openapi(function) or {} for function in functions})


class _Handler(BaseHTTPRequestHandler):
    """One HTTP request: control API, docs, API routes (through the authorizer), then web files."""

    gateway: Gateway

    protocol_version = "HTTP/1.1"
    server_version = "sanmenxia-local"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        headers = {"Access-Control-Allow-Origin": "*", **headers}
        for key, value in headers.items():
            if key.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, body: Any) -> None:
        self._send(status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body, ensure_ascii=False).encode())

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_REQUEST_BYTES:
            self._json(413, {"message": "Request Too Long"})
            return None
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        started = time.perf_counter()
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        body = self._body()
        if body is None:
            return
        status = self._dispatch(path, query, body)
        self.gateway.log(f"{self.command} {path} {status} {1000 * (time.perf_counter() - started):.0f}ms")

    def _dispatch(self, path: str, query: str, body: bytes) -> int:
        method = self.command
        if method == "OPTIONS":
            self._send(
                204,
                {
                    "Access-Control-Allow-Methods": "GET,POST,PUT,PATCH,DELETE,OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization,Content-Type,Idempotency-Key",
                },
                b"",
            )
            return 204
        control = self.gateway.control.get((method, path))
        if control is not None:
            return self._control(control, body)
        if path in {"/openapi.json", "/docs"} or path.startswith("/docs/"):
            try:
                return self._docs(path)
            except InvocationError as exc:
                self._json(502, {"message": f"could not build the OpenAPI document: {exc}"})
                return 502
        wants_page = method == "GET" and "text/html" in (self.headers.get("Accept") or "")
        found = self.gateway.find_route(method, path)
        if found:
            route, params = found
            headers = {key: value for key, value in self.headers.items()}
            status, out_headers, data = self.gateway.call_api(route, params, method, path, query, headers, body)
            self._send(status, out_headers, data)
            return status
        if method in {"GET", "HEAD"} and self._static(path, wants_page):
            return 200
        if self.gateway.path_exists(path):
            self._json(403, {"message": f"Missing Authentication Token (no {method} on {path})"})
            return 403
        self._json(404, {"message": "Not Found"})
        return 404

    def _control(self, route: ControlRoute, body: bytes) -> int:
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            self._json(400, {"error": "malformed_json", "message": "body is not JSON"})
            return 400
        try:
            status, result = route(payload if isinstance(payload, dict) else {})
        except Exception as exc:  # a control-API error must reach the caller in words
            status, result = 500, {"error": type(exc).__name__, "message": str(exc)}
        self._json(status, result)
        return status

    def _docs(self, path: str) -> int:
        if path == "/openapi.json":
            self._json(200, self.gateway.openapi())
        elif path == "/docs":
            page = _SWAGGER_PAGE.encode()
            self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page)
        else:
            file = SWAGGER_DIR / path.removeprefix("/docs/")
            if not file.is_file():
                self._json(404, {"message": "Not Found"})
                return 404
            self._send(200, {"Content-Type": mimetypes.guess_type(file.name)[0] or "application/octet-stream"}, file.read_bytes())
        return 200

    def _static(self, path: str, wants_page: bool) -> bool:
        root = self.gateway.web_dir.resolve()
        target = (root / path.lstrip("/")).resolve()
        if root not in target.parents and target != root:
            return False
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            if not wants_page:
                return False
            target = root / "index.html"
            if not target.is_file():
                return False
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        cache = "no-cache" if target.name == "index.html" else "public, max-age=3600"
        self._send(200, {"Content-Type": content_type, "Cache-Control": cache}, target.read_bytes())
        return True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _handle


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"gateway": gateway})


_SWAGGER_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>Online Sanmenxia API</title>
<link rel="stylesheet" href="/docs/swagger-ui.min.css"></head><body><div id="swagger"></div>
<script src="/docs/swagger-ui-bundle.min.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger", persistAuthorization: true});</script>
</body></html>"""


def serve(gateway: Gateway, host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), make_handler(gateway))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="gateway", daemon=True).start()
    return server
