"""The "Big data" section of template.yaml says what the lake catalog says: Glue tables, stream sources,
personal-record expiry."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from infra.lake import glue
from infra.local import template
from sanmenxia.lake import catalog

RESOURCES = template.resources()
EXPORT = RESOURCES["LakeExportFunction"]["Properties"]


def _sub_text(value: Any) -> str:
    return value["Fn::Sub"] if isinstance(value, dict) else str(value)


@pytest.mark.parametrize("spec", catalog.TABLES.values(), ids=lambda spec: spec.name)
def test_each_lake_table_has_its_glue_table(spec: catalog.LakeTable) -> None:
    # Given the catalog's table, Then the template has a Glue table with the same columns and projection
    resource = RESOURCES[glue.logical_id(spec)]
    assert resource["Type"] == "AWS::Glue::Table"
    declared = resource["Properties"]["TableInput"]
    expected = glue.table_input(spec)
    assert declared["Name"] == spec.name
    assert declared["StorageDescriptor"]["Columns"] == expected["StorageDescriptor"]["Columns"]
    assert declared["PartitionKeys"] == expected["PartitionKeys"]
    parameters = {key: _sub_text(value) for key, value in declared["Parameters"].items()}
    assert parameters == expected["Parameters"]


def test_no_glue_table_without_a_catalog_table() -> None:
    glue_tables = {res["Properties"]["TableInput"]["Name"] for res in template.of_type("AWS::Glue::Table").values()}
    assert glue_tables == set(catalog.TABLES)


def test_personal_lake_tables_expire_after_the_personal_record_days() -> None:
    rules = RESOURCES["LakeBucket"]["Properties"]["LifecycleConfiguration"]["Rules"]
    expiring = {rule["Prefix"].rstrip("/") for rule in rules if rule.get("ExpirationInDays") == {"Ref": "PersonalRecordDays"}}
    assert expiring == {spec.name for spec in catalog.TABLES.values() if spec.personal}


@pytest.mark.parametrize("source", catalog.sources())
def test_every_source_table_streams_into_the_export_function(source: str) -> None:
    # Given a DynamoDB table the catalog reads, Then it streams new images to the export function
    table = RESOURCES[source]
    assert table["Properties"]["StreamSpecification"]["StreamViewType"] in {"NEW_IMAGE", "NEW_AND_OLD_IMAGES"}
    events = [event for event in EXPORT["Events"].values() if event["Type"] == "DynamoDB"]
    mapping = next(event["Properties"] for event in events if event["Properties"]["Stream"] == {"Fn::GetAtt": [source, "StreamArn"]})
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["StartingPosition"] in {"TRIM_HORIZON", "LATEST"}
    assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == {"Fn::GetAtt": ["LakeExportDLQ", "Arn"]}
    # And LAKE_SOURCES maps the table's physical name (a ${Ref}) to its logical id
    sources = json.loads(re.sub(r"\$\{(\w+)\}", r"<\1>", _sub_text(EXPORT["Environment"]["Variables"]["LAKE_SOURCES"])))
    assert sources[f"<{source}>"] == source


def test_every_streamed_platform_table_feeds_the_lake() -> None:
    streamed = {name for name, res in template.of_type("AWS::DynamoDB::Table").items() if res["Properties"].get("StreamSpecification")}
    assert streamed == set(catalog.sources())
