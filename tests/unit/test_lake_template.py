"""The "Big data" section of the template says what the lake catalog says: Glue tables, stream sources,
personal-record expiry. The Glue tables and the stream events are generated from the catalog
(``infra.lake.glue``); these tests check the template as read and as packaged, and that nobody lists them twice."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from infra import package
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


def test_template_yaml_leaves_the_generated_parts_to_the_catalog() -> None:
    # Given template.yaml as written, Then it lists no Glue table, no lake stream event and no LAKE_SOURCES by hand
    written = yaml_parse(template.TEMPLATE.read_text())["Resources"]
    assert not [name for name, res in written.items() if res["Type"] == "AWS::Glue::Table"]
    export = written["LakeExportFunction"]
    assert not [event for event in (export["Properties"].get("Events") or {}).values() if event["Type"] == "DynamoDB"]
    assert "LAKE_SOURCES" not in export["Properties"]["Environment"]["Variables"]
    # And it marks where the generator adds them
    assert export["Metadata"][glue.STREAMS_MARKER]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert written["LakeDatabase"]["Metadata"][glue.TABLES_MARKER] == "infra.lake.glue"


def test_the_packaged_template_deploys_the_generated_parts() -> None:
    # Given the template `make package` hands to `sam deploy`
    packaged = package.packaged_template(template.load())["Resources"]
    # Then it has every catalog table and stream event, and no generator marker is left
    assert {glue.logical_id(spec) for spec in catalog.TABLES.values()} <= set(packaged)
    events = packaged["LakeExportFunction"]["Properties"]["Events"]
    assert {glue.stream_event_name(source) for source in catalog.sources()} <= set(events)
    assert all(glue.STREAMS_MARKER not in (res.get("Metadata") or {}) and glue.TABLES_MARKER not in (res.get("Metadata") or {}) for res in packaged.values())
    assert all("BuildMethod" not in (res.get("Metadata") or {}) for res in packaged.values())


def test_a_hand_written_copy_of_a_generated_table_is_refused() -> None:
    # Given a template that also lists a generated Glue table by hand, When it is expanded, Then it fails loudly
    written = yaml_parse(template.TEMPLATE.read_text())
    spec = next(iter(catalog.TABLES.values()))
    written["Resources"][glue.logical_id(spec)] = {"Type": "AWS::Glue::Table", "Properties": {}}
    with pytest.raises(ValueError, match="by hand"):
        glue.expand(written)
