"""A bounded load test of the local stack (``tests/e2e/load.py``): concurrent registrations, check-ins, scans
and tip-offs, some cancelled or repeated on purpose; once the pump has drained, the community list, the lake and
the audit table hold exactly what DynamoDB holds, and DynamoDB exactly what the clients were told.

``LOAD_PER_KIND`` requests of each kind from ``LOAD_CLIENTS`` clients (a small slice by default; ``make load``
runs 500 of each from 20 clients). Named to run before the fuzzer, which writes random records everywhere.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e import load
from tests.e2e.conftest import LocalStack

PER_KIND = int(os.environ.get("LOAD_PER_KIND", "24"))
CLIENTS = int(os.environ.get("LOAD_CLIENTS", "4"))


@pytest.mark.e2e
def test_concurrent_load_reconciles_exactly(local_stack: LocalStack) -> None:
    # Given clients registering, checking in, scanning and reporting at once, some on purpose twice or refused
    report = load.run(local_stack, PER_KIND, CLIENTS)
    print(report.summary())
    # Then every request got the answer it should have (no 5xx, no refusal other than those made on purpose)
    assert not report.unexpected, f"{len(report.unexpected)} unexpected answers:\n" + "\n".join(report.unexpected[:20])
    assert all(report.cancelled_on_purpose[kind] > 0 for kind in ("registration", "scan", "tipoff")), report.cancelled_on_purpose
    # And nothing was dropped between DynamoDB and the community list, the lake and the audit table
    assert report.failed_deliveries == 0, report.summary()
    assert not report.mismatches, report.summary()
    assert report.dropped == 0
    assert all(report.counts[what]["made now"] == PER_KIND for what in ("registrations", "scans", "tip-offs")), report.summary()
