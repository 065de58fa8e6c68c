"""The data lake (疫情大数据): DynamoDB stream records flattened into Parquet on S3, partitioned by table and
day, queried with the same Trino SQL on Athena (AWS) and DuckDB (local).

* ``catalog``  which items become which lake table, with which columns (the one list);
* ``records``  stream records → rows, partitions, segments with deterministic object keys (pure);
* ``parquet``  rows → Parquet (pyarrow);
* ``store``    the lake bucket (S3);
* ``sql``      Trino views and their DuckDB translation (sqlglot);
* ``query``    the query runner interface: ``AthenaRunner`` and ``DuckDBRunner``.
"""
