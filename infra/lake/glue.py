"""The Glue tables of the lake, derived from the catalog (``sanmenxia.lake.catalog``).

``python -m infra.lake.glue`` prints the ``AWS::Glue::Table`` resources for ``template.yaml``'s "Big data"
section; ``tests/unit/test_lake_template.py`` checks that the template still says what the catalog says.
Partition projection (``projection.dt.*``) spares Athena a partition list: the day is computed from the
query's ``dt`` predicate, so a new day is queryable the moment its first object lands.
"""

from __future__ import annotations

from typing import Any

from sanmenxia.lake.catalog import PARTITION_COLUMN, TABLES, LakeTable

LAKE_BUCKET_NAME = "sanmenxia-lake-${AWS::AccountId}-${AWS::Region}-${Stage}"
PROJECTION_START = "2020-01-01"


def logical_id(spec: LakeTable) -> str:
    return "Lake" + "".join(part.capitalize() for part in spec.name.split("_")) + "Table"


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


def _flow(mapping: dict[str, Any]) -> str:
    return "{ " + ", ".join(f"{key}: {value}" for key, value in mapping.items()) + " }"


def yaml_section() -> str:
    """The Glue table resources as template YAML (two-space indentation under ``Resources``)."""
    lines: list[str] = []
    for spec in TABLES.values():
        table = table_input(spec)
        storage = table["StorageDescriptor"]
        lines += [
            f"  {logical_id(spec)}:",
            "    Type: AWS::Glue::Table",
            "    Properties:",
            "      CatalogId: !Ref AWS::AccountId",
            "      DatabaseName: !Ref LakeDatabase",
            "      TableInput:",
            f"        Name: {spec.name}",
            f'        Description: "{spec.description}"',
            "        TableType: EXTERNAL_TABLE",
            "        Parameters:",
        ]
        for key, value in table["Parameters"].items():
            rendered = f"!Sub {value}" if "${" in value else f'"{value}"'
            lines.append(f"          {key}: {rendered}")
        lines += [
            f"        PartitionKeys: [{_flow(table['PartitionKeys'][0])}]",
            "        StorageDescriptor:",
            f"          Location: !Sub {storage['Location']}",
            f"          InputFormat: {storage['InputFormat']}",
            f"          OutputFormat: {storage['OutputFormat']}",
            f"          SerdeInfo: {_flow(storage['SerdeInfo'])}",
            "          Columns:",
        ]
        lines += [f"            - {_flow(column)}" for column in storage["Columns"]]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(yaml_section())
