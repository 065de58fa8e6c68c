"""12345 hotline (12345 热线): work orders from calls, tip-offs and the portal, their routing and time limits.

Pure rules, testable without AWS:

* ``rules``: the work-order state machine (received → dispatched → handling → replied → revisited → closed);
* ``routing``: departments (责任单位), the ten tip-off categories and the table that routes them;
* ``sla``: time limits by work-order type (办理时限), as settings;
* ``figures``: per-unit figures (response, on-time, resolution and satisfaction rates);
* ``access``: which work orders a caller may see, handle or oversee.

Use cases: ``service``. Data access (each class takes a boto3 client): ``store`` (work orders and figures),
``uploads`` (photos through presigned S3 POSTs). Tip-offs are ``sanmenxia.tipoffs``, the portal ``sanmenxia.portal``.
"""
