"""The lake export (``functions/lake_export``): DynamoDB stream records into Parquet on S3.

* ``rules``    stream records → rows, partitions, segments with deterministic object keys (pure);
* ``service``  one stream batch exported;
* ``compact``  a day's small segments merged into one object.
"""
