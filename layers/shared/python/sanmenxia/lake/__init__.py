"""The data lake (疫情大数据): DynamoDB stream records flattened into Parquet on S3, partitioned by table and
day, queried with the same Trino SQL on Athena (AWS) and DuckDB (local). Shared by ``lake_export`` (which
writes it) and ``bigdata`` (which queries it):

* ``catalog``  which items become which lake table, with which columns (the one list);
* ``parquet``  rows → Parquet (pyarrow);
* ``store``    the lake bucket (S3).
"""
