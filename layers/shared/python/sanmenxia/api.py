"""The HTTP side of every platform function.

``PlatformResolver`` is Powertools' ``APIGatewayRestResolver`` with three additions:

* every route must declare who may call it (``access=allow(Role.X)`` or ``access=PUBLIC``); the declaration
  is enforced by a middleware, recorded in ``resolver.access`` (the route/template consistency test reads it)
  and published in the OpenAPI document as ``x-roles``;
* errors are mapped once: validation errors name the field and the reason, domain errors carry their status,
  anything else is a 500 whose details stay in the log;
* oversized bodies are refused before parsing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.middlewares import BaseMiddlewareHandler, NextMiddleware
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia.auth import Access, Principal, authorize, principal_from_claims
from sanmenxia.errors import DomainError, Unauthorized
from sanmenxia.observability import logger, metrics, tracer

MAX_BODY_BYTES = 64 * 1024


def _json(status: int, body: dict[str, Any]) -> Response[str]:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=json.dumps(body, ensure_ascii=False))


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


def validation_body(errors: list[dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    """Turn pydantic/Powertools errors into ``(status, {"error", "message", "fields"})``."""
    fields = []
    malformed = False
    for error in errors:
        loc = list(error.get("loc", ()))
        kind = error.get("type", "")
        if kind == "json_invalid":
            malformed = True
            fields.append({"field": "body", "location": "body", "reason": f"malformed JSON: {error.get('ctx', {}).get('error', 'decode error')}"})
            continue
        reason = str(error.get("msg") or kind)
        if kind == "extra_forbidden":
            reason = "unknown field"
        elif kind == "missing":
            reason = "field required"
        location = str(loc[0]) if loc else "body"
        fields.append({"field": _field_name(loc), "location": location, "reason": reason.removeprefix("Value error, ")})
    message = "; ".join(f"{item['field']}: {item['reason']}" for item in fields) or "invalid request"
    return (400 if malformed else 422), {
        "error": "malformed_json" if malformed else "invalid_request",
        "message": message,
        "fields": fields,
    }


class PlatformResolver(APIGatewayRestResolver):
    """An API Gateway REST resolver whose routes declare their callers."""

    def __init__(self, *, title: str, **kwargs: Any) -> None:
        super().__init__(enable_validation=True, **kwargs)
        self.title = title
        self.access: dict[tuple[str, str], Access] = {}
        # The role gate runs before request validation, so a caller without the role gets 403, never a 422
        # telling them how to shape a body for a route they may not call.
        self._request_validation_middleware = _RoleGateFirst(self._request_validation_middleware)  # type: ignore[assignment]
        self._register_error_handlers()

    # -- route declaration -------------------------------------------------------------------------------
    def _declared(self, method: str, rule: str, access: Access, kwargs: dict[str, Any]) -> Callable[..., Any]:
        if not isinstance(access, Access):
            raise TypeError(f"{method} {rule}: access must be an Access declaration")
        self.access[(method, rule)] = access
        middlewares = list(kwargs.pop("middlewares", None) or [])
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
        return schema.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[no-any-return]

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
            return _json(exc.status, exc.to_dict())

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


def handler(app: PlatformResolver) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda entry point for an HTTP function: logging with the request id, tracing, metrics."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        return app.resolve(event, context)

    return lambda_handler
