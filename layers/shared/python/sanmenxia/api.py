"""The HTTP side of every platform function.

``PlatformResolver`` is Powertools' ``APIGatewayRestResolver`` with three additions:

* every route must declare who may call it (``access=allow(Role.X)`` or ``access=PUBLIC``); the declaration
  is enforced by a middleware, recorded in ``resolver.access`` (the route/template consistency test reads it)
  and published in the OpenAPI document as ``x-roles``;
* errors are mapped once: validation errors name the field and the reason, domain errors carry their status,
  anything else is a 500 whose details stay in the log;
* oversized bodies are refused before parsing; a body route reads JSON only (any other content type is a 415
  naming ``Content-Type``), and JSON nested deeper than ``MAX_JSON_DEPTH`` is malformed (400), never a
  recursion error.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import OpenAPIRequestValidationMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, Field

from sanmenxia import clock, idempotency, paging, texts
from sanmenxia.auth import Access, Principal, authorize, principal_from_claims
from sanmenxia.errors import DomainError, TooManyRequests, Unauthorized, UnsupportedMediaType
from sanmenxia.observability import logger, metrics, tracer

T = TypeVar("T")
MAX_BODY_BYTES = 64 * 1024
#: Response header with the server's time (ISO 8601, UTC) on every answer of an HTTP function.
SERVER_TIME_HEADER = "X-Server-Time"
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKET = re.compile(r"[\[\]{}]")


class FieldError(BaseModel):
    field: str
    location: str | None = None
    reason: str
    code: str | None = Field(default=None, description="why, as a code (sanmenxia.texts.FieldErrorCode) for validation errors; the app words it")
    params: dict[str, int | float | str] | None = Field(default=None, description="the code's numbers, e.g. max_length")


class ErrorResponse(BaseModel):
    """Every 4xx/5xx body: a machine code, a message for people, and the fields at fault (API Gateway's own 401/403
    carry only ``message``)."""

    error: str | None = None
    message: str
    fields: list[FieldError] | None = None


IDEMPOTENCY_PARAMETER = {
    "name": idempotency.HEADER,
    "in": "header",
    "required": False,
    "schema": {"type": "string", "pattern": idempotency.KEY_PATTERN},
    "description": (
        "Makes the create safe to retry: a repeat with the same key (same caller, same body) within 24 hours returns the first "
        "result instead of creating again; the same key with another body is a 422. Without a key, an identical request "
        "from the same caller within 10 minutes returns the record already made."
    ),
}


def _error_responses(operation: dict[str, Any], *, public: bool) -> dict[str, Any]:
    """The documented error responses of one operation (they replace Powertools' 422 model, which is not what
    the platform answers)."""
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
    statuses = {"400": "Malformed request (bad JSON, a bad parameter or cursor)", "404": "Not found", "422": "A field is invalid (named in fields)"}
    if "requestBody" in operation:
        statuses.update({"413": "Body too large", "415": "The body is not application/json"})
    if not public:
        statuses.update({"401": "Not signed in", "403": "Not allowed for this role or scope"})
    return {status: {"description": text, **ref} for status, text in sorted(statuses.items())}


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body, ensure_ascii=False))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_body(errors: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """Turn pydantic/Powertools errors into ``(status, {"error", "message", "fields"})``."""
    fields: list[dict[str, Any]] = []
    malformed = False
    for error in errors:
        loc = list(error.get("loc", ()))
        kind = error.get("type", "")
        code, params = texts.field_error(kind, error.get("ctx"))
        if kind == "json_invalid":
            malformed = True
            reason = f"malformed JSON: {error.get('ctx', {}).get('error', 'decode error')}"
            fields.append({"field": "body", "location": "body", "reason": reason, "code": code.value, "params": {}})
            continue
        reason = str(error.get("msg") or kind)
        if kind == "extra_forbidden":
            reason = "unknown field"
        elif kind == "missing":
            reason = "field required"
        location = str(loc[0]) if loc else "body"
        fields.append({"field": _field_name(loc), "location": location, "reason": reason.removeprefix("Value error, "), "code": code.value, "params": params})
    message = "; ".join(f"{item['field']}: {item['reason']}" for item in fields) or "invalid request"
    return (400 if malformed else 422), {
        "error": "malformed_json" if malformed else "invalid_request",
        "message": message,
        "fields": fields,
    }


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in ``text`` (strings skipped), without parsing it."""
    depth = deepest = 0
    for match in _JSON_BRACKET.finditer(_JSON_STRING.sub("", text)):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def is_json_media_type(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class JsonBodyValidation(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, reading a body as JSON only: another content type is a 415 (form and
    multipart bodies would otherwise be coerced into the JSON model), and too-deep nesting is malformed JSON."""

    def _get_body(self, app: Any) -> dict[str, Any]:
        content_type = app.current_event.headers.get("content-type", "").strip()
        if content_type and not is_json_media_type(content_type):
            raise UnsupportedMediaType(f"send the body as application/json, not {content_type.split(';', 1)[0]}", field="Content-Type")
        text = app.current_event.decoded_body or ""
        if json_depth(text) > MAX_JSON_DEPTH:
            raise json_too_deep(text)
        return super()._get_body(app)  # type: ignore[no-any-return]


def json_too_deep(text: str) -> Exception:
    return RequestValidationError(
        [{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error", "input": {}, "ctx": {"error": f"nested deeper than {MAX_JSON_DEPTH} levels"}}],
        body=text[:100],
    )


class PlatformResolver(APIGatewayRestResolver):
    """An API Gateway REST resolver whose routes declare their callers."""

    def __init__(self, *, title: str, **kwargs: Any) -> None:
        super().__init__(enable_validation=True, **kwargs)
        # Powertools builds its validation middleware lazily unless the resolver already has one.
        self._request_validation_middleware = JsonBodyValidation()  # type: ignore[no-untyped-call]
        self.title = title
        self.access: dict[tuple[str, str], Access] = {}
        self.creates: set[tuple[str, str]] = set()
        # The role gate runs before request validation, so a caller without the role gets 403, never a 422
        # telling them how to shape a body for a route they may not call.
        self._request_validation_middleware = _RoleGateFirst(self._request_validation_middleware)  # type: ignore[assignment]
        self._register_error_handlers()

    # -- route declaration -------------------------------------------------------------------------------
    def _declared(self, method: str, rule: str, access: Access, kwargs: dict[str, Any]) -> Callable[..., Any]:
        if not isinstance(access, Access):
            raise TypeError(f"{method} {rule}: access must be an Access declaration")
        self.access[(method, rule)] = access
        natural_duplicates = kwargs.pop("natural_duplicates", True)
        middlewares = list(kwargs.pop("middlewares", None) or [])
        if method == "POST" and kwargs.get("status_code") == 201:  # a create: once per Idempotency-Key (else per body, briefly)
            self.creates.add((method, rule))
            middlewares.insert(0, _create_once(natural_duplicates))
        extensions = {"x-roles": "public" if access.public else sorted(role.value for role in access.roles)}
        extensions.update(kwargs.pop("openapi_extensions", None) or {})
        security: list[dict[str, list[str]]] | None = None if access.public else [{"CognitoUserPool": []}]
        return super().route(rule, method, middlewares=middlewares, openapi_extensions=extensions, security=security, **kwargs)

    def get(self, rule: str, *, access: Access, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self._declared("GET", rule, access, kwargs)

    def post(self, rule: str, *, access: Access, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self._declared("POST", rule, access, kwargs)

    def put(self, rule: str, *, access: Access, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self._declared("PUT", rule, access, kwargs)

    def patch(self, rule: str, *, access: Access, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self._declared("PATCH", rule, access, kwargs)

    def delete(self, rule: str, *, access: Access, **kwargs: Any) -> Callable[..., Any]:  # type: ignore[override]
        return self._declared("DELETE", rule, access, kwargs)

    # -- the caller ----------------------------------------------------------------------------------------
    @property
    def caller(self) -> Principal:
        """The signed-in caller of the current request (401 if there is none)."""
        principal = self.context.get("principal")
        if principal is None:
            raise Unauthorized("sign in first")
        return principal  # type: ignore[no-any-return]

    @property
    def caller_or_none(self) -> Principal | None:
        return self.context.get("principal")

    def openapi_document(self) -> dict[str, Any]:
        """This function's part of the platform's OpenAPI document (the local stack merges all parts)."""
        from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn

        scheme = APIKey(name="Authorization", in_=APIKeyIn.header, description="Cognito ID token (Bearer)")  # type: ignore[call-arg]
        schema = self.get_openapi_schema(title=self.title, security_schemes={"CognitoUserPool": scheme})
        document: dict[str, Any] = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        components.update(ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
        components["ErrorResponse"] = {k: v for k, v in ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}").items() if k != "$defs"}
        creates = {(method.lower(), re.sub(r"<(\w+)>", r"{\1}", rule)) for method, rule in self.creates}
        for path, operations in document.get("paths", {}).items():
            for method, operation in operations.items():
                if (method, path) in creates:
                    operation.setdefault("parameters", []).append(IDEMPOTENCY_PARAMETER)
                responses = operation.setdefault("responses", {})
                responses.pop("422", None)
                responses.update(_error_responses(operation, public=operation.get("x-roles") == "public"))
        return document

    # -- paging -------------------------------------------------------------------------------------------
    def _cursor_binding(self) -> str:
        event = self.current_event
        caller = self.caller_or_none
        bound = {**(event.path_parameters or {}), **{f"?{name}": value for name, value in (event.query_string_parameters or {}).items()}}
        bound = {name: value for name, value in bound.items() if name not in {"?cursor", "?limit"}}
        return paging.binding(f"{event.http_method} {event.resource}", caller.sub if caller else "public", caller.scope if caller else {}, bound)

    def page_start(self, cursor: str | None) -> dict[str, Any] | None:
        """Where the page asked for starts: the key sealed in ``cursor`` for this operation, caller and query
        (400 naming ``cursor`` otherwise); ``None`` for the first page."""
        return paging.default_codec().open(cursor, self._cursor_binding())

    def page(self, items: list[T], last_key: Mapping[str, Any] | None) -> paging.Page[T]:
        """The one list response: ``{"items", "next_cursor"}``, the cursor sealed for this operation, caller and query."""
        return paging.Page[T](items=items, next_cursor=paging.default_codec().seal(last_key, self._cursor_binding()))

    # -- resolving ----------------------------------------------------------------------------------------
    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        body = event.get("body") or ""
        if len(body) > MAX_BODY_BYTES * (4 / 3 if event.get("isBase64Encoded") else 1):
            error = {
                "error": "payload_too_large",
                "message": f"body exceeds {MAX_BODY_BYTES} bytes",
                "fields": [{"field": "body", "reason": "too large"}],
            }
            return {
                "statusCode": 413,
                "headers": {"Content-Type": content_types.APPLICATION_JSON},
                "body": json.dumps(error),
                "isBase64Encoded": False,
            }
        return super().resolve(event, context)

    def _register_error_handlers(self) -> None:
        @self.exception_handler(RequestValidationError)  # type: ignore[untyped-decorator]
        def _invalid(exc: RequestValidationError) -> Response[str]:
            status, body = validation_body(list(exc.errors()))
            logger.info("request rejected", extra={"status": status, "fields": [f["field"] for f in body["fields"]]})
            return _json(status, body)

        @self.exception_handler(DomainError)  # type: ignore[untyped-decorator]
        def _domain(exc: DomainError) -> Response[str]:
            logger.info("request refused", extra={"status": exc.status, "error": exc.code})
            response = _json(exc.status, exc.to_dict())
            if isinstance(exc, TooManyRequests):
                response.headers["Retry-After"] = str(exc.retry_after)
            return response

        @self.exception_handler(Exception)  # type: ignore[untyped-decorator]
        def _unexpected(exc: Exception) -> Response[str]:
            logger.exception("unhandled error")
            return _json(500, {"error": "internal_error", "message": "internal error; the request id is in the logs"})


class _RoleGateFirst(BaseMiddlewareHandler):  # type: ignore[type-arg]
    """The first middleware of every route: apply the route's access declaration, then validate the request."""

    def __init__(self, validation: Callable[[Any, NextMiddleware], Response[Any]]) -> None:
        self._validation = validation

    def handler(self, app: PlatformResolver, next_middleware: NextMiddleware) -> Response[Any]:  # type: ignore[override]
        route = app.context.get("_route")
        access = app.access.get((route.method, route.path)) if route is not None else None
        if access is None:  # every route declares its callers (tests/test_routes.py); refuse if one did not
            raise Unauthorized("this route declares no callers")
        claims = app.current_event.request_context.authorizer.claims
        principal = authorize(access, principal_from_claims(claims))
        app.append_context(principal=principal)  # type: ignore[no-untyped-call]
        return self._validation(app, next_middleware)


def _create_once(natural_duplicates: bool) -> Callable[[PlatformResolver, NextMiddleware], Response[Any]]:
    """Run the create behind this middleware once per request identity (``sanmenxia.idempotency``) and replay
    its first response to a repeat."""

    def create_once(app: PlatformResolver, next_middleware: NextMiddleware) -> Response[Any]:
        event = app.current_event
        key = event.headers.get(idempotency.HEADER.lower())
        if key is None and not natural_duplicates:
            return next_middleware(app)
        caller = app.caller_or_none
        query = "&".join(f"{name}={value}" for name, value in sorted((event.query_string_parameters or {}).items()))
        identity = idempotency.request_identity(f"{event.http_method} {event.path}?{query}", caller.sub if caller else "public", key, event.json_body)

        def create() -> dict[str, Any]:
            response = next_middleware(app)
            body = response.body if isinstance(response.body, str | bytes) or response.body is None else app._serializer(response.body)
            return {"status": response.status_code, "content_type": response.headers.get("Content-Type"), "body": body}

        first = idempotency.once(identity, create, lambda_context=app.lambda_context)
        return Response(status_code=int(first["status"]), content_type=first.get("content_type") or content_types.APPLICATION_JSON, body=first["body"])

    return create_once


def handler(app: PlatformResolver) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda entry point for an HTTP function: logging with the request id, tracing, metrics."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        response = app.resolve(event, context)
        # The server's time on every answer: the app defaults its forms' dates from it, not from a device clock
        # that may be wrong (and that the local stack's virtual clock does not move).
        response["headers"] = {**(response.get("headers") or {}), SERVER_TIME_HEADER: clock.iso()}
        return response

    return lambda_handler
