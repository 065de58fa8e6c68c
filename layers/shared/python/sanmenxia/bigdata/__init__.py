"""The big-data dashboard (疫情大数据, ``functions/bigdata``) over the lake:

* ``service``  the dashboard's figures (one query per figure, bounded to the caller's area);
* ``sql``      Trino views and their DuckDB translation (sqlglot);
* ``query``    the query runner interface: ``AthenaRunner`` and ``DuckDBRunner``;
* ``cache``    answers kept for a short while, so a dashboard reload does not run its queries again.
"""
