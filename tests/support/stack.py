"""Integration-test support: the template deployed into moto (``mock_aws``) and handlers called in-process
with the events AWS would send them. Tables, keys and the user pool come from ``template.yaml``."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3
from moto import mock_aws

from infra.local import events, template
from infra.local.deploy import Deployment, deploy
from sanmenxia import services

REGION = "ap-east-1"


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakeContext:
    function_name: str = "local"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{events.ACCOUNT}:function:local"
    aws_request_id: str = "test-request"
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def claims_for(sub: str, role: str | list[str], username: str | None = None, **scope: str) -> dict[str, Any]:
    """Claims as the Cognito authorizer passes them (groups, custom scope attributes)."""
    roles = [role] if isinstance(role, str) else role
    claims: dict[str, Any] = {"sub": sub, "cognito:username": username or sub, "cognito:groups": roles, "token_use": "id"}
    claims.update({f"custom:{name}": value for name, value in scope.items()})
    return claims


@dataclass
class Stack:
    """The template deployed in moto, with helpers to call functions like API Gateway would."""

    deployment: Deployment
    session: boto3.session.Session
    modules: dict[str, ModuleType] = field(default_factory=dict)

    def client(self, service: str) -> Any:
        return self.session.client(service)  # type: ignore[call-overload]  # any service, by name

    def table(self, logical_id: str) -> str:
        return self.deployment.physical[logical_id]

    @contextmanager
    def function_env(self, function: str) -> Iterator[None]:
        env = self.deployment.functions[function]["env"]
        with template.environment({**env, "POWERTOOLS_TRACE_DISABLED": "true", "POWERTOOLS_METRICS_NAMESPACE": "test"}):
            yield

    def module(self, function: str) -> ModuleType:
        """Import a function's handler module (``<CodeUri>/app.py``) under a name of its own."""
        if function not in self.modules:
            path = template.code_dir(function) / "app.py"
            name = f"_fn_{function}"
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec and spec.loader
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            with self.function_env(function):
                spec.loader.exec_module(module)
            self.modules[function] = module
        return self.modules[function]

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        module = self.module(function)
        handler_name = self.deployment.functions[function]["handler"].split(".", 1)[1]
        with self.function_env(function):
            return getattr(module, handler_name)(event, FakeContext(function_name=function))

    def request(
        self,
        method: str,
        path: str,
        *,
        claims: Mapping[str, Any] | None = None,
        body: Any = None,
        query: str | Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Route ``method path`` through the template's ``Api`` events to the function that serves it."""
        for route in template.routes():
            params = route.match(method, path)
            if params is None:
                continue
            if not route.public and claims is None:
                return Response(401, {}, b'{"message":"Unauthorized"}')
            event = events.api_event(method, path, resource=route.path, path_parameters=params, query=query, headers=headers, body=body, claims=claims)
            raw = self.invoke(route.function, event)
            payload = raw.get("body") or ""
            data = base64.b64decode(payload) if raw.get("isBase64Encoded") else payload.encode()
            headers = {k.lower(): str(v) for k, v in (raw.get("headers") or {}).items()}
            headers.update({k.lower(): ", ".join(map(str, v)) for k, v in (raw.get("multiValueHeaders") or {}).items()})
            return Response(raw["statusCode"], headers, data)
        return Response(404, {}, b'{"message":"Missing Authentication Token"}')


def reset_data(session: boto3.session.Session, deployment: Deployment) -> None:
    """Empty what tests write (items, objects, messages, users) while keeping every resource of the template,
    so one deployment serves a whole session: a test starts from the deployed, empty state."""
    dynamodb = session.client("dynamodb")
    for table in dynamodb.list_tables()["TableNames"]:
        keys = [key["AttributeName"] for key in dynamodb.describe_table(TableName=table)["Table"]["KeySchema"]]
        names = {f"#k{i}": key for i, key in enumerate(keys)}
        for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names):
            for start in range(0, len(page["Items"]), 25):
                batch: list[Any] = [{"DeleteRequest": {"Key": item}} for item in page["Items"][start : start + 25]]
                dynamodb.batch_write_item(RequestItems={table: batch})
    s3 = session.client("s3")
    for bucket in s3.list_buckets()["Buckets"]:
        if bucket["Name"] == template.ARTIFACT_BUCKET:
            continue
        for versions in s3.get_paginator("list_object_versions").paginate(Bucket=bucket["Name"]):
            found: list[Any] = [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])]
            objects: list[Any] = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in found]
            if objects:
                s3.delete_objects(Bucket=bucket["Name"], Delete={"Objects": objects})
    sqs = session.client("sqs")
    for url in sqs.list_queues().get("QueueUrls", []):
        # Purge, not receive-and-delete: a message an earlier test received is in flight (invisible) and would
        # come back into the next test once its visibility timeout passes, which a slow machine reaches.
        sqs.purge_queue(QueueUrl=url)
    idp = session.client("cognito-idp")
    for users in idp.get_paginator("list_users").paginate(UserPoolId=deployment.user_pool_id):
        for user in users["Users"]:
            idp.admin_delete_user(UserPoolId=deployment.user_pool_id, Username=user["Username"])


@contextmanager
def deployed_stack() -> Iterator[Stack]:
    """Everything in ``template.yaml`` created in a fresh moto, torn down afterwards."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        # reset_data purges every queue before each test, more often than AWS's once a minute
        MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR="false",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        services.reset()
        session = boto3.session.Session(region_name=REGION)
        yield Stack(deploy(session, upload_code=False), session)
        services.reset()
