"""The lake's part of the template, derived from the catalog (``sanmenxia.lake.catalog``).

``template.yaml`` does not list what the catalog already says. ``expand`` adds it whenever the template is read
(``infra.local.template.load``: the local stack, the tests, cfn-lint) or packaged (``make package``):

* one ``AWS::Glue::Table`` per lake table, next to the Glue database whose ``Metadata`` says
  ``GlueTables: infra.lake.glue``;
* on the function whose ``Metadata`` holds ``LakeStreamEvents`` (the lake export), one ``DynamoDB`` event with
  those properties per table the catalog reads, and ``LAKE_SOURCES`` (physical table name → logical id).

Partition projection (``projection.dt.*``) spares Athena a partition list: the day is computed from the
query's ``dt`` predicate, so a new day is queryable the moment its first object lands.
``python -m infra.lake.glue`` prints the generated resources as JSON.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES, LakeTable, sources

LAKE_BUCKET_NAME = "sanmenxia-lake-${AWS::AccountId}-${AWS::Region}-${Stage}"
PROJECTION_START = "2020-01-01"
TABLES_MARKER = "GlueTables"
STREAMS_MARKER = "LakeStreamEvents"


def logical_id(spec: LakeTable) -> str:
    return "Lake" + "".join(part.capitalize() for part in spec.name.split("_")) + "Table"


def stream_event_name(source: str) -> str:
    """``PeopleTable`` → ``PeopleStream``."""
    return source.removesuffix("Table") + "Stream"


def table_input(spec: LakeTable) -> dict[str, Any]:
    """The ``TableInput`` of a lake table (bucket name left as a ``Fn::Sub`` string)."""
    location = f"s3://{LAKE_BUCKET_NAME}/{spec.name}/"
    return {
        "Name": spec.name,
        "Description": spec.description,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "parquet.compression": "SNAPPY",
            "projection.enabled": "true",
            f"projection.{PARTITION_COLUMN}.type": "date",
            f"projection.{PARTITION_COLUMN}.format": "yyyy-MM-dd",
            f"projection.{PARTITION_COLUMN}.range": f"{PROJECTION_START},NOW",
            f"projection.{PARTITION_COLUMN}.interval": "1",
            f"projection.{PARTITION_COLUMN}.interval.unit": "DAYS",
            "storage.location.template": location + PARTITION_COLUMN + "=${!" + PARTITION_COLUMN + "}/",
        },
        "PartitionKeys": [{"Name": PARTITION_COLUMN, "Type": "string"}],
        "StorageDescriptor": {
            "Location": location,
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {"SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
            "Columns": [{"Name": column.name, "Type": column.type.value} for column in spec.all_columns],
        },
    }


def _with_subs(node: Any) -> Any:
    """Strings that name ``${...}`` become ``Fn::Sub``, as ``!Sub`` in the template would."""
    if isinstance(node, dict):
        return {key: _with_subs(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_subs(item) for item in node]
    return {"Fn::Sub": node} if isinstance(node, str) and "${" in node else node


def glue_tables(database: str) -> dict[str, dict[str, Any]]:
    """One ``AWS::Glue::Table`` resource per catalog table, in the database with logical id ``database``."""
    return {
        logical_id(spec): {
            "Type": "AWS::Glue::Table",
            "Properties": {
                "CatalogId": {"Ref": "AWS::AccountId"},
                "DatabaseName": {"Ref": database},
                "TableInput": _with_subs(table_input(spec)),
            },
        }
        for spec in TABLES.values()
    }


def stream_events(properties: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """One ``DynamoDB`` event per table the catalog reads, each with ``properties`` and its table's stream."""
    return {
        stream_event_name(source): {"Type": "DynamoDB", "Properties": {"Stream": {"Fn::GetAtt": [source, "StreamArn"]}, **copy.deepcopy(properties)}}
        for source in sources()
    }


def lake_sources() -> dict[str, str]:
    """``LAKE_SOURCES``: the physical name of each source table (a ``${Ref}``) → its logical id."""
    return {"Fn::Sub": json.dumps({"${" + source + "}": source for source in sources()})}


def expand(template: dict[str, Any]) -> dict[str, Any]:
    """The template with the catalog's resources, events and variables added (a copy; markers removed)."""
    expanded = copy.deepcopy(template)
    resources = expanded["Resources"]
    for name, res in list(resources.items()):
        metadata = res.get("Metadata") or {}
        if metadata.pop(TABLES_MARKER, None):
            clash = set(resources) & set(glue_tables(name))
            if clash:
                raise ValueError(f"template.yaml declares generated Glue tables by hand: {sorted(clash)}")
            resources.update(glue_tables(name))
        if (properties := metadata.pop(STREAMS_MARKER, None)) is not None:
            props = res["Properties"]
            events = props.setdefault("Events", {})
            clash = set(events) & set(stream_events(properties))
            if clash:
                raise ValueError(f"{name} declares generated stream events by hand: {sorted(clash)}")
            events.update(stream_events(properties))
            props.setdefault("Environment", {}).setdefault("Variables", {})["LAKE_SOURCES"] = lake_sources()
        if not metadata:
            res.pop("Metadata", None)
    return expanded


if __name__ == "__main__":
    print(json.dumps({**glue_tables("LakeDatabase"), "LAKE_SOURCES": lake_sources()}, indent=2, ensure_ascii=False))
