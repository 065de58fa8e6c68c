"""Domain exceptions. Data access raises them (``raise ... from exc``); ``api.make_resolver`` maps each
type to one HTTP status, once, so routes never choose status codes."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the API reports to the caller."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"error": self.code, "message": self.message}
        if self.field:
            body["fields"] = [{"field": self.field, "reason": self.message}]
        return body


class InvalidInput(DomainError):
    status = 400
    code = "invalid_input"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status = 413
    code = "payload_too_large"


class IdempotencyKeyReused(DomainError):
    """An ``Idempotency-Key`` sent again with another request (422, as the IETF idempotency-key draft says)."""

    status = 422
    code = "idempotency_key_reused"


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


class TooManyRequests(DomainError):
    """A per-person limit was reached; ``retry_after`` seconds until it opens again (the ``Retry-After`` header)."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "retry_after": self.retry_after}


class UpstreamUnavailable(DomainError):
    """An AWS dependency failed in a way the caller can retry."""

    status = 503
    code = "service_unavailable"
