"""Import a function's handler module outside a deployment (its settings filled with placeholders), to read
what it declares: routes, access, OpenAPI. Nothing AWS is touched: settings and clients are built lazily."""

from __future__ import annotations

import functools
import importlib.util
import os
import sys
from types import ModuleType

from infra.local import template


@functools.cache
def declared_module(function: str) -> ModuleType:
    env = {key: value if isinstance(value, str) else "placeholder" for key, value in template.function_env(function).items()}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        name = f"_declared_{function}"
        spec = importlib.util.spec_from_file_location(name, template.code_dir(function) / "app.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
