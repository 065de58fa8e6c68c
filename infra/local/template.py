"""Reading ``template.yaml``: the one list of resources, routes, schedules and event sources.

The local stack and the tests use this module to find what the template declares; nothing else keeps a
second list. ``translate`` turns the SAM template into plain CloudFormation with ``aws-sam-translator``.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"
ARTIFACT_BUCKET = "sanmenxia-local-artifacts"


def load(path: Path = TEMPLATE) -> dict[str, Any]:
    """The SAM template as deployed: parsed, with what ``infra.lake.glue`` generates from the lake catalog
    (Glue tables, the lake export's stream events) added; cached while the file is unchanged."""
    return _parse(path, path.stat().st_mtime_ns)


@functools.cache
def _parse(path: Path, _mtime: int) -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    from infra.lake import glue

    return glue.expand(yaml_parse(path.read_text()))


def function_env(function: str, template: dict[str, Any] | None = None) -> dict[str, Any]:
    """A function's environment variables as SAM merges them: ``Globals`` first, the function's own on top."""
    template = template or load()
    shared = ((template.get("Globals") or {}).get("Function") or {}).get("Environment", {}).get("Variables", {})
    own = (functions(template)[function]["Properties"].get("Environment") or {}).get("Variables", {})
    return {**shared, **own}


def logical_id(ref: Any) -> str:
    """The logical id in ``!Ref X``, ``!GetAtt X.Attr`` or ``"X.Attr"``."""
    if isinstance(ref, dict):
        if "Ref" in ref:
            return str(ref["Ref"])
        target = ref["Fn::GetAtt"]
        return str(target[0] if isinstance(target, list) else target.split(".")[0])
    return str(ref).split(".")[0]


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``env`` applied for the block, as it was afterwards (a function's settings)."""
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def resources(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    return (template or load())["Resources"]  # type: ignore[no-any-return]


def of_type(kind: str, template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    return {name: res for name, res in resources(template).items() if res["Type"] == kind}


@dataclass(frozen=True)
class Route:
    function: str  # logical id
    event: str
    method: str  # upper case
    path: str  # API Gateway form: /residents/{person_id}
    public: bool

    @property
    def powertools_rule(self) -> str:
        """The same path in Powertools' form: /residents/<person_id>."""
        return re.sub(r"\{([^}+]+)\+?\}", r"<\1>", self.path)

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if method.upper() != self.method and self.method != "ANY":
            return None
        found = _path_pattern(self.path).match(path)
        return found.groupdict() if found else None


@functools.cache
def _path_pattern(path: str) -> re.Pattern[str]:
    """``/a/{id}/{rest+}`` as a regex with named groups (compiled once per route, not per request)."""
    pattern = "^" + re.sub(r"\\\{([^}]+?)\\\+\\\}", r"(?P<\1>.+)", re.escape(path))
    return re.compile(re.sub(r"\\\{([^}]+?)\\\}", r"(?P<\1>[^/]+)", pattern) + "$")


@dataclass(frozen=True)
class EventSource:
    function: str
    event: str
    kind: str  # Schedule | DynamoDB | S3 | SQS | Cognito
    properties: dict[str, Any] = field(hash=False, compare=False)


def functions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    return of_type("AWS::Serverless::Function", template)


def routes(template: dict[str, Any] | None = None) -> list[Route]:
    """Every ``Api`` event of every function; static paths sort before parameterised ones."""
    template = template or load()
    default_auth = template["Resources"].get("Api", {}).get("Properties", {}).get("Auth", {}).get("DefaultAuthorizer")
    found = []
    for name, res in functions(template).items():
        for event_name, event in (res["Properties"].get("Events") or {}).items():
            if event["Type"] != "Api":
                continue
            props = event["Properties"]
            authorizer = (props.get("Auth") or {}).get("Authorizer", default_auth)
            found.append(Route(name, event_name, props["Method"].upper(), props["Path"], authorizer in (None, "NONE")))
    return sorted(found, key=lambda r: (r.path.count("{"), r.path, r.method))


def event_sources(template: dict[str, Any] | None = None) -> list[EventSource]:
    found = []
    for name, res in functions(template).items():
        for event_name, event in (res["Properties"].get("Events") or {}).items():
            if event["Type"] in {"Schedule", "DynamoDB", "S3", "SQS", "Cognito"}:
                found.append(EventSource(name, event_name, event["Type"], event["Properties"]))
    return found


def code_dir(function: str, template: dict[str, Any] | None = None) -> Path:
    return ROOT / str(functions(template)[function]["Properties"]["CodeUri"])


def layer_dirs(template: dict[str, Any] | None = None) -> list[Path]:
    """Source folders of the layers whose content is ours (``python/`` inside each)."""
    dirs = []
    for res in of_type("AWS::Serverless::LayerVersion", template).values():
        path = ROOT / res["Properties"]["ContentUri"] / "python"
        if path.is_dir():
            dirs.append(path)
    return dirs


def translate(template: dict[str, Any] | None = None, region: str = "ap-east-1") -> dict[str, Any]:
    """SAM → CloudFormation, offline: local CodeUris become ``s3://`` artifact URIs first.

    The translation of ``template.yaml`` itself is cached on disk by the template's hash (it takes seconds).
    """
    if template is None:
        import json

        return copy.deepcopy(_translate_cached(json.dumps(load(), sort_keys=True).encode(), region))
    return _translate(template, region)


@functools.cache
def _translate_cached(source: bytes, region: str) -> dict[str, Any]:
    import hashlib
    import json

    cache = ROOT / ".local" / "cache" / f"cfn-{hashlib.sha256(source + region.encode()).hexdigest()[:16]}.json"
    if cache.exists():
        return json.loads(cache.read_text())  # type: ignore[no-any-return]
    result = _translate(load(), region)
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps(result))
    temporary.replace(cache)
    return result


def _translate(template: dict[str, Any], region: str) -> dict[str, Any]:
    import boto3
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    sam = copy.deepcopy(template)
    for name, res in sam["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Serverless::Function":
            props["CodeUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"
        elif res["Type"] == "AWS::Serverless::LayerVersion":
            props["ContentUri"] = f"s3://{ARTIFACT_BUCKET}/{name}.zip"

    session = boto3.session.Session(region_name=region, aws_access_key_id="local", aws_secret_access_key="local")
    translator = Translator({}, Parser(), boto_session=session)
    return translator.translate(sam, parameter_values={}, get_managed_policy_map=dict)  # type: ignore[no-any-return]


def write_expanded(target: Path, template: dict[str, Any] | None = None) -> Path:
    """The template as deployed (``load``), as JSON (which is YAML too), for cfn-lint, checkov and ``sam deploy``."""
    import json

    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(template or load(), indent=1, ensure_ascii=False) + "\n")
    return target


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Write template.yaml as deployed (generated parts added) as JSON.")
    parser.add_argument("target", type=Path)
    print(write_expanded(parser.parse_args().target))
