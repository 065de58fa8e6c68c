"""What the lint gates skip is justified in one place, and what a skipped rule would have checked is checked here
(docs/decisions/0004-lint-gates.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from samtranslator.yaml_helper import yaml_parse

from infra.local import template

ROOT = template.ROOT
DECISION = ROOT / "docs" / "decisions" / "0004-lint-gates.md"


def _justified() -> set[str]:
    rows = [line for line in DECISION.read_text().splitlines() if line.startswith("| ") and not line.startswith("| id ")]
    return {found for row in rows for found in re.findall(r"\b(?:CKV2?_AWS_\d+|[EW]S\d{4})\b", row.split("|")[1])}


def test_every_skipped_check_is_justified_and_every_justification_is_used() -> None:
    # Given the ids the two configs skip, Then the decision's table justifies exactly those
    cfn_lint = set(yaml.safe_load((ROOT / ".cfnlintrc.yaml").read_text())["ignore_checks"])
    checkov = set(yaml.safe_load((ROOT / ".checkov.yaml").read_text())["skip-check"])
    assert cfn_lint | checkov == _justified()


def test_every_function_logs_to_the_shared_group_with_retention_and_a_key() -> None:
    # Given the template as deployed (WS1004 is skipped: it knows only per-function groups)
    cfn = template.translate()["Resources"]
    lambdas = {name: res for name, res in cfn.items() if res["Type"] == "AWS::Lambda::Function"}
    # Then every function names the one log group, which keeps logs for LogRetentionDays, encrypted
    assert lambdas
    assert all(res["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": "FunctionLogGroup"} for res in lambdas.values())
    group = cfn["FunctionLogGroup"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    assert group["KmsKeyId"] == {"Fn::GetAtt": ["LogsKey", "Arn"]}


def _refs(node: Any) -> set[str]:
    text = json.dumps(node)
    return set(re.findall(r'"Fn::GetAtt": \["(\w+)", "Arn"\]', text))


def test_every_queue_has_a_dead_letter_queue_or_is_one() -> None:
    # Given the queues (ES6000 is skipped: it misreads the map form of RedrivePolicy)
    resources = template.resources()
    queues = {name: res for name, res in resources.items() if res["Type"] == "AWS::SQS::Queue"}
    dead_letter_targets = set()
    for res in resources.values():
        props = res.get("Properties") or {}
        dead_letter_targets |= _refs(props.get("RedrivePolicy")) | _refs(props.get("EventInvokeConfig"))
        for event in (props.get("Events") or {}).values():
            dead_letter_targets |= _refs((event.get("Properties") or {}).get("DestinationConfig"))
            dead_letter_targets |= _refs((event.get("Properties") or {}).get("DeadLetterConfig"))
    # Then each queue either redrives to a DLQ or is itself one
    assert queues
    assert [name for name, res in queues.items() if "RedrivePolicy" not in res["Properties"] and name not in dead_letter_targets] == []


def test_the_api_and_cloudfront_web_acls_limit_the_rate_per_client() -> None:
    # Given the API's web ACL (template.yaml) and CloudFront's (infra/edge.yaml, us-east-1)
    acls = [template.resources()["ApiWebAcl"], yaml_parse((ROOT / "infra" / "edge.yaml").read_text())["Resources"]["WebAcl"]]
    for acl in acls:
        # Then each blocks a client address over the rate limit
        rules = acl["Properties"]["Rules"]
        assert any("RateBasedStatement" in rule["Statement"] and rule["Action"] == {"Block": {}} for rule in rules)
    assert acls[1]["Properties"]["Scope"] == "CLOUDFRONT"
    distribution = template.resources()["WebDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["WebACLId"] == {"Fn::If": ["HasWebAcl", {"Ref": "WebAclArn"}, {"Ref": "AWS::NoValue"}]}


def test_every_secret_but_the_cursor_key_is_under_the_pii_key() -> None:
    # Given the secrets (CKV_AWS_149 is skipped for the cursor-signing key alone)
    secrets = {name: res["Properties"] for name, res in template.resources().items() if res["Type"] == "AWS::SecretsManager::Secret"}
    # Then each one but CursorSecret is encrypted under PiiKey
    assert "LookupSecret" in secrets
    assert [name for name, props in secrets.items() if name != "CursorSecret" and props.get("KmsKeyId") != {"Ref": "PiiKey"}] == []
