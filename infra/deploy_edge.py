"""Before ``sam deploy``: the edge stack (``infra/edge.yaml``, us-east-1) with the web app's WAF web ACL.

Creates or updates ``sanmenxia-edge-<stage>`` and prints the stage's ``parameter_overrides`` from
``samconfig.toml`` with ``WebAclArn=<the ACL's ARN>`` added, for ``sam deploy --parameter-overrides`` (which
replaces, not extends, the config's list). ``python -m infra.deploy_edge --stage dev`` (``make deploy`` runs it).
"""

from __future__ import annotations

import argparse
import tomllib
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
EDGE_TEMPLATE = ROOT / "infra" / "edge.yaml"
EDGE_REGION = "us-east-1"  # CloudFront-scoped web ACLs exist only there


def stage_overrides(stage: str, config: Path = ROOT / "samconfig.toml") -> str:
    """The stage's ``parameter_overrides`` in ``samconfig.toml``."""
    parsed = tomllib.loads(config.read_text())
    return str(parsed[stage]["deploy"]["parameters"].get("parameter_overrides", f"Stage={stage}"))


def deploy(cloudformation: Any, stage: str) -> str:
    """Create or update the edge stack, wait for it, return the web ACL's ARN."""
    name = f"sanmenxia-edge-{stage}"
    args = {"StackName": name, "TemplateBody": EDGE_TEMPLATE.read_text(), "Parameters": [{"ParameterKey": "Stage", "ParameterValue": stage}]}
    try:
        cloudformation.describe_stacks(StackName=name)
        exists = True
    except cloudformation.exceptions.ClientError:
        exists = False
    if not exists:
        cloudformation.create_stack(**args)
        cloudformation.get_waiter("stack_create_complete").wait(StackName=name)
    else:
        try:
            cloudformation.update_stack(**args)
            cloudformation.get_waiter("stack_update_complete").wait(StackName=name)
        except cloudformation.exceptions.ClientError as exc:
            if "No updates are to be performed" not in str(exc):
                raise
    outputs = cloudformation.describe_stacks(StackName=name)["Stacks"][0].get("Outputs", [])
    return next(str(item["OutputValue"]) for item in outputs if item["OutputKey"] == "WebAclArn")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    stage = parser.parse_args().stage
    arn = deploy(boto3.client("cloudformation", region_name=EDGE_REGION), stage)
    print(f"{stage_overrides(stage)} WebAclArn={arn}")
