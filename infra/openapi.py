"""The platform's OpenAPI document: every HTTP function's own document, merged into one.

``merge`` refuses two functions that publish different schemas under one name (a merged document would silently
keep one of them and describe the other function's route wrongly). ``python -m infra.openapi`` writes the
committed ``openapi.json`` from the code (``make openapi``); ``--check`` fails when the two differ. The local
gateway serves the same merge, built from the running functions.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from infra.local import template

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "openapi.json"


class SchemaConflict(ValueError):
    """Two functions publish different schemas under the same component name."""


def skeleton() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Online Sanmenxia API 线上三门峡", "version": "1.0.0", "description": "Merged from every function's routes; roles in x-roles."},
        "servers": [{"url": "/"}],
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {"CognitoUserPool": {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Cognito ID token (Bearer)"}},
        },
    }


def merge(parts: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Merge per-function documents (``{function: document}``); a schema-name conflict or a doubly served
    operation raises ``SchemaConflict`` naming both functions."""
    document = skeleton()
    schema_owner: dict[str, str] = {}
    operation_owner: dict[tuple[str, str], str] = {}
    schemas: dict[str, Any] = document["components"]["schemas"]
    for function in sorted(parts):
        part = parts[function]
        for path, operations in part.get("paths", {}).items():
            for method, operation in operations.items():
                owner = operation_owner.setdefault((path, method), function)
                if owner != function:
                    raise SchemaConflict(f"{method.upper()} {path} is published by both {owner} and {function}")
                document["paths"].setdefault(path, {})[method] = operation
        for name, schema in part.get("components", {}).get("schemas", {}).items():
            owner = schema_owner.setdefault(name, function)
            if owner != function and schemas[name] != schema:
                raise SchemaConflict(f"schema {name!r} differs between {owner} and {function}: rename one of the models")
            schemas[name] = schema
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["schemas"] = dict(sorted(schemas.items()))
    return document


@functools.cache
def declared_module(function: str) -> ModuleType:
    """Import a function's handler module outside a deployment (its settings filled with placeholders), to read
    what it declares: routes, access, OpenAPI. Nothing AWS is touched: settings and clients are built lazily."""
    env = {key: value if isinstance(value, str) else "placeholder" for key, value in template.function_env(function).items()}
    with template.environment(env):
        name = f"_declared_{function}"
        spec = importlib.util.spec_from_file_location(name, template.code_dir(function) / "app.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module


def http_functions() -> list[str]:
    return sorted({route.function for route in template.routes()})


def from_code() -> dict[str, Any]:
    """The merged document of every HTTP function of the template, built from the handlers' declarations."""
    return merge({function: declared_module(function).app.openapi_document() for function in http_functions()})


def render(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the committed openapi.json differs from the code")
    args = parser.parse_args(argv)
    text = render(from_code())
    if args.check:
        if not COMMITTED.exists() or COMMITTED.read_text(encoding="utf-8") != text:
            print("openapi.json differs from the code: run `make openapi` and commit it", file=sys.stderr)
            return 1
        return 0
    COMMITTED.write_text(text, encoding="utf-8")
    print(f"wrote {COMMITTED.relative_to(ROOT)}: {sum(len(ops) for ops in json.loads(text)['paths'].values())} operations")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
