"""Deploy ``template.yaml`` into moto: the same resources AWS would create, on a laptop.

1. Translate SAM → CloudFormation (``template.translate``).
2. Create, through their own APIs and from the template's own properties, what moto's CloudFormation skips:
   the Cognito user pool, its groups and app client (and Glue/Athena when the template has them); their
   ``Ref``/``GetAtt`` are substituted into the CloudFormation before it is deployed.
3. Upload the function and layer code to an artifact bucket and ``create_stack`` the rest into moto.
   API Gateway's Deployment/Stage are dropped (moto ignores the OpenAPI body; the local gateway serves routes
   from the template instead).

Used by the local stack (against moto's server) and by the integration tests (under ``mock_aws``).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local import template as tpl

#: Not created locally: the API's stage (the local gateway serves the routes) and what hangs on it or on the account
#: (the WAF association, API Gateway's account-wide CloudWatch role), and the CloudWatch dashboard (moto's
#: CloudFormation cannot resolve its references to alarms, and nothing local draws it; `make run` reports
#: failed deliveries itself, at /_local/config).
SKIPPED_TYPES = {
    "AWS::ApiGateway::Deployment",
    "AWS::ApiGateway::Stage",
    "AWS::WAFv2::WebACLAssociation",
    "AWS::ApiGateway::Account",
    "AWS::CloudWatch::Dashboard",
}
#: Types moto's CloudFormation skips, created here through their APIs, in this order.
API_CREATED_TYPES = (
    "AWS::Cognito::UserPool",
    "AWS::SecretsManager::Secret",
    "AWS::Cognito::UserPoolGroup",
    "AWS::Cognito::UserPoolClient",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
)


@dataclass
class Deployment:
    """What was created: physical ids by logical id, and each function's resolved configuration."""

    stack_name: str
    region: str
    physical: dict[str, str] = field(default_factory=dict)
    functions: dict[str, dict[str, Any]] = field(default_factory=dict)  # logical id → {name, env, handler}
    user_pool_id: str = ""
    user_pool_client_id: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "stack_name": self.stack_name,
            "region": self.region,
            "physical": self.physical,
            "functions": self.functions,
            "user_pool_id": self.user_pool_id,
            "user_pool_client_id": self.user_pool_client_id,
        }


def _zip_dir(path: Path, prefix: str = "") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts:
                    archive.write(file, prefix + str(file.relative_to(path)))
        else:
            archive.writestr("README", "placeholder")
    return buffer.getvalue()


def _substitute(node: Any, values: dict[tuple[str, str], Any]) -> Any:
    """Replace ``Ref``/``GetAtt`` of resources created outside CloudFormation by their values."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and (node["Ref"], "Ref") in values:
            return values[(node["Ref"], "Ref")]
        if set(node) == {"Fn::GetAtt"}:
            target = node["Fn::GetAtt"]
            name, attr = target if isinstance(target, list) else target.split(".", 1)
            if (name, attr) in values:
                return values[(name, attr)]
        if set(node) == {"Fn::Sub"} and isinstance(node["Fn::Sub"], str):
            text = node["Fn::Sub"]
            for (name, attr), value in values.items():
                token = "${" + name + "}" if attr == "Ref" else "${" + name + "." + attr + "}"
                if isinstance(value, str):
                    text = text.replace(token, value)
            return {"Fn::Sub": text}
        return {key: _substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(item, values) for item in node]
    return node


def _resolve_simple(value: Any, parameters: dict[str, str]) -> Any:
    """Resolve the few intrinsics that Cognito properties use (Ref to a parameter, Sub of parameters)."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in parameters:
            return parameters[value["Ref"]]
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            text = value["Fn::Sub"]
            for name, param in parameters.items():
                text = text.replace("${" + name + "}", str(param))
            return text
        return {key: _resolve_simple(item, parameters) for key, item in value.items()}
    if isinstance(value, list):
        return [_resolve_simple(item, parameters) for item in value]
    return value


def _create_user_pool(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    idp = session.client("cognito-idp")
    schema = [{**attr, "Mutable": bool(attr.get("Mutable", True))} for attr in props.get("Schema", [])]
    pool = idp.create_user_pool(
        PoolName=props["UserPoolName"],
        Policies=props.get("Policies", {}),
        Schema=schema,
        AutoVerifiedAttributes=props.get("AutoVerifiedAttributes", []),
        AliasAttributes=props.get("AliasAttributes", []),
        UsernameConfiguration=props.get("UsernameConfiguration", {"CaseSensitive": False}),
    )["UserPool"]
    values[(name, "Ref")] = pool["Id"]
    values[(name, "Arn")] = pool["Arn"]
    values[(name, "ProviderName")] = f"cognito-idp.{deployment.region}.amazonaws.com/{pool['Id']}"
    deployment.physical[name] = pool["Id"]
    deployment.user_pool_id = deployment.user_pool_id or pool["Id"]


def _create_group(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    session.client("cognito-idp").create_group(
        UserPoolId=props["UserPoolId"],
        GroupName=props["GroupName"],
        Description=props.get("Description", ""),
        Precedence=int(props.get("Precedence", 0)),
    )
    deployment.physical[name] = props["GroupName"]


def _create_client(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    client = session.client("cognito-idp").create_user_pool_client(
        UserPoolId=props["UserPoolId"],
        ClientName=props["ClientName"],
        GenerateSecret=bool(props.get("GenerateSecret", False)),
        ExplicitAuthFlows=props.get("ExplicitAuthFlows", []),
        ReadAttributes=props.get("ReadAttributes", []),
        PreventUserExistenceErrors=props.get("PreventUserExistenceErrors", "LEGACY"),
    )["UserPoolClient"]
    values[(name, "Ref")] = client["ClientId"]
    deployment.physical[name] = client["ClientId"]
    deployment.user_pool_client_id = deployment.user_pool_client_id or client["ClientId"]


def _create_secret(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    import secrets as _secrets

    spec = props.get("GenerateSecretString") or {}
    value = props.get("SecretString") or _secrets.token_urlsafe(int(spec.get("PasswordLength", 32)))[: int(spec.get("PasswordLength", 32))]
    arn = session.client("secretsmanager").create_secret(Name=props.get("Name") or f"{deployment.stack_name}-{name}", SecretString=value)["ARN"]
    values[(name, "Ref")] = arn
    values[(name, "Id")] = arn
    deployment.physical[name] = arn


def _with_account(session: Any, node: Any) -> Any:
    """Resolve what ``_resolve_simple`` leaves in Glue/Athena properties: the account id, ``${!literal}``."""
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] == "AWS::AccountId":
            return session.client("sts").get_caller_identity()["Account"]
        return {key: _with_account(session, value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_account(session, item) for item in node]
    if isinstance(node, str) and "${" in node:
        if "${AWS::AccountId}" in node:
            node = node.replace("${AWS::AccountId}", session.client("sts").get_caller_identity()["Account"])
        return node.replace("${!", "${")
    return node


def _create_glue_database(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    props = _with_account(session, props)
    database = props["DatabaseInput"]
    session.client("glue").create_database(DatabaseInput=database)
    values[(name, "Ref")] = database["Name"]
    deployment.physical[name] = database["Name"]


def _create_glue_table(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    props = _with_account(session, props)
    session.client("glue").create_table(DatabaseName=props["DatabaseName"], TableInput=props["TableInput"])
    values[(name, "Ref")] = props["TableInput"]["Name"]
    deployment.physical[name] = props["TableInput"]["Name"]


def _create_athena_workgroup(session: Any, name: str, props: dict[str, Any], values: dict[tuple[str, str], Any], deployment: Deployment) -> None:
    props = _with_account(session, props)
    config = {key: value for key, value in (props.get("WorkGroupConfiguration") or {}).items() if key != "AdditionalConfiguration"}
    if "BytesScannedCutoffPerQuery" in config:
        config["BytesScannedCutoffPerQuery"] = int(config["BytesScannedCutoffPerQuery"])
    session.client("athena").create_work_group(Name=props["Name"], Description=props.get("Description", ""), Configuration=config)
    values[(name, "Ref")] = props["Name"]
    deployment.physical[name] = props["Name"]


_CREATORS = {
    "AWS::Cognito::UserPool": _create_user_pool,
    "AWS::SecretsManager::Secret": _create_secret,
    "AWS::Cognito::UserPoolGroup": _create_group,
    "AWS::Cognito::UserPoolClient": _create_client,
    "AWS::Glue::Database": _create_glue_database,
    "AWS::Glue::Table": _create_glue_table,
    "AWS::Athena::WorkGroup": _create_athena_workgroup,
}


def _create_skipped(session: Any, cfn: dict[str, Any], parameters: dict[str, str], deployment: Deployment) -> dict[tuple[str, str], Any]:
    values: dict[tuple[str, str], Any] = {}
    for kind in API_CREATED_TYPES:
        for name, res in cfn["Resources"].items():
            if res["Type"] == kind:
                props = _substitute(_resolve_simple(res.get("Properties", {}), parameters), values)
                _CREATORS[kind](session, name, props, values, deployment)
    return values


def _without_moto_delivery(resources: dict[str, Any]) -> dict[str, Any]:
    """Leave out what would make moto deliver events itself.

    moto hands SQS messages and DynamoDB stream records to mapped functions through Docker (absent here): it
    receives (and, on "success", deletes) the messages and drops the stream records, and it tries to invoke a
    function for every S3 object created. The local event pump delivers all of these from the template's own
    event sources instead, so the event source mappings and S3's Lambda notifications are not created in moto.
    """
    kept = {name: res for name, res in resources.items() if res["Type"] != "AWS::Lambda::EventSourceMapping"}
    for res in kept.values():
        notifications = res.get("Properties", {}).get("NotificationConfiguration") if res["Type"] == "AWS::S3::Bucket" else None
        if notifications:
            notifications.pop("LambdaConfigurations", None)
            if not notifications:
                res["Properties"].pop("NotificationConfiguration")
    return kept


def deploy(session: Any, *, stack_name: str = "sanmenxia-local", stage: str = "local", upload_code: bool = True) -> Deployment:
    """Create every resource of the template in the AWS that ``session`` talks to (moto)."""
    region = session.region_name
    deployment = Deployment(stack_name=stack_name, region=region)
    cfn = tpl.translate(region=region)
    parameters = {name: str(spec.get("Default", "")) for name, spec in cfn.get("Parameters", {}).items()}
    parameters["Stage"] = stage
    parameters["AWS::Region"] = region

    values = _create_skipped(session, cfn, parameters, deployment)
    kept = {name: res for name, res in cfn["Resources"].items() if res["Type"] not in SKIPPED_TYPES.union(API_CREATED_TYPES)}
    kept = _without_moto_delivery(kept)
    cfn["Resources"] = _substitute(kept, values)
    cfn["Outputs"] = {}

    s3 = session.client("s3")
    s3.create_bucket(Bucket=tpl.ARTIFACT_BUCKET, CreateBucketConfiguration={"LocationConstraint": region})
    template = tpl.load()
    for name, res in template["Resources"].items():
        if res["Type"] == "AWS::Serverless::Function":
            body = _zip_dir(tpl.ROOT / res["Properties"]["CodeUri"]) if upload_code else _zip_dir(Path("/nonexistent"))
        elif res["Type"] == "AWS::Serverless::LayerVersion":
            body = _zip_dir(tpl.ROOT / res["Properties"]["ContentUri"]) if upload_code else _zip_dir(Path("/nonexistent"))
        else:
            continue
        s3.put_object(Bucket=tpl.ARTIFACT_BUCKET, Key=f"{name}.zip", Body=body)

    cloudformation = session.client("cloudformation")
    cloudformation.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(cfn),
        Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    for summary in cloudformation.describe_stack_resources(StackName=stack_name)["StackResources"]:
        if summary.get("PhysicalResourceId"):
            deployment.physical[summary["LogicalResourceId"]] = summary["PhysicalResourceId"]

    lam = session.client("lambda")
    for name in tpl.functions(template):
        physical = deployment.physical[name]
        config = lam.get_function_configuration(FunctionName=physical)
        deployment.functions[name] = {
            "name": config["FunctionName"],
            "handler": config["Handler"],
            "env": {key: str(value) for key, value in config.get("Environment", {}).get("Variables", {}).items()},
            "timeout": config.get("Timeout", 15),
        }
    return deployment
