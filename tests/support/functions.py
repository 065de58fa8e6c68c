"""Import a function's handler module outside a deployment, to read what it declares: routes, access, OpenAPI
(the import itself lives in ``infra.openapi``, which ``make openapi`` uses too)."""

from __future__ import annotations

from infra.openapi import declared_module

__all__ = ["declared_module"]
