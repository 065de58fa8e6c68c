"""12345 hotline (12345 热线), tip-offs (我要上报疫情) and the portal (线上三门峡 门户).

Pure rules, testable without AWS:

* ``routing``: departments (责任单位), the ten tip-off categories and the table that routes them;
* ``sla``: time limits by work-order type (办理时限), as settings;
* ``orders``: the work-order state machine (received → dispatched → handling → replied → revisited → closed);
* ``duplicates``: which earlier tip-offs a new one probably repeats;
* ``figures``: per-unit figures (response, on-time, resolution and satisfaction rates).

Data access (each class takes a boto3 client): ``store`` (work orders and figures), ``tipoffs``, ``portal``,
``uploads`` (photos through presigned S3 POSTs).
"""
