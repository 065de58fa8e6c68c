from __future__ import annotations

import os
from collections.abc import Iterator

# Powertools reads these when its objects are created, which may be while test modules are collected.
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "test")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "test")

import pytest
from hypothesis import HealthCheck, settings

from sanmenxia import clock, services
from tests.support.stack import Stack, deployed_stack, reset_data

# Property tests run on shared, loaded machines: a slow example is not a failure (hypothesis's default 200 ms deadline
# turns a loaded moment into DeadlineExceeded or Flaky). Tests that set their own settings keep them.
settings.register_profile("sanmenxia", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "sanmenxia"))


@pytest.fixture(scope="session")
def _deployment() -> Iterator[Stack]:
    """``template.yaml`` deployed once per test session into moto (deploying takes seconds)."""
    with deployed_stack() as deployed:
        yield deployed


@pytest.fixture
def stack(_deployment: Stack) -> Iterator[Stack]:
    """The deployed template with no data in it, and fresh function modules and service caches.

    The clock is put back after the test (not before: autouse fixtures that set a day run first)."""
    reset_data(_deployment.session, _deployment.deployment)
    services.reset()
    yield Stack(_deployment.deployment, _deployment.session)
    clock.set_offset(0)
    services.reset()
