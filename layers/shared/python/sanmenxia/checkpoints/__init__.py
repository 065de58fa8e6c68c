"""Checkpoints (检测点管理): the registry of checkpoints, gate scans and their decisions, live statistics.

* ``rules``  pure decision rules: pass or stop from code colour and body temperature, scan-time checks, plates.
* ``stats``  pure counter arithmetic: which counter and marker items a scan touches, and how to sum them.
* ``store``  data access (DynamoDB): checkpoints and staff assignments, the scan ledger with its counters.
* ``service`` the scan itself (the gate): identify the person, read or verify the code, decide, record, follow up.
"""
