from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stack import Stack, deployed_stack


@pytest.fixture
def stack() -> Iterator[Stack]:
    """A fresh deployment of ``template.yaml`` in moto for one test."""
    with deployed_stack() as deployed:
        yield deployed
