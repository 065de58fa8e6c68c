"""Schema-based fuzzing of the running stack (``tests/e2e/fuzz.py``): every operation of ``/openapi.json``, with no
token and as every role; no response may be a 5xx or differ from the schema declared for its status.

Named to run last in the e2e session: it writes random records through every create. Bounded by
``FUZZ_EXAMPLES`` (requests per mode for each allowed caller, default 1); ``make fuzz`` runs a longer one.
"""

from __future__ import annotations

import os
import time

import pytest

from tests.e2e import fuzz
from tests.e2e.conftest import LocalStack

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1"))
RANDOM = os.environ.get("FUZZ_RANDOM") == "1"


@pytest.mark.e2e
def test_no_input_gives_a_5xx_or_a_response_outside_its_schema(local_stack: LocalStack) -> None:
    # Given the stack's own document and an ID token for every role (the demo accounts)
    tokens = fuzz.sign_in_all(local_stack.sign_in, local_stack.config["demo_accounts"])
    schema = fuzz.load(local_stack.base_url)
    operations = fuzz.operations(schema)
    assert len(operations) >= 100, "the document lost its operations"
    # When every operation is called with generated valid and invalid input by every caller
    run, started = fuzz.Run(), time.monotonic()
    for operation in operations:
        fuzz.fuzz_operation(run, local_stack.base_url, operation, tokens, examples=EXAMPLES, derandomize=not RANDOM)
    elapsed = time.monotonic() - started
    print(f"fuzzing: {run.size()}, {EXAMPLES} example(s) per mode per allowed caller, {elapsed:.0f}s; statuses {dict(sorted(run.statuses.items()))}")
    # Then nothing failed: each finding names the operation, the caller, the status and the request
    assert not run.findings, f"{len(run.findings)} findings:\n" + "\n".join(str(finding) for finding in run.findings[:50])
    assert run.requests >= run.operations * (1 + len(fuzz.ROLES))
