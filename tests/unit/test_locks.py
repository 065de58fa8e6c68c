"""The lock files: each layer ships the versions the tests run on, for the Lambda target the template names,
and every lock is current with its requirements (``make lock``, ``infra/lock.py``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from infra import lock

#: Packages a layer may ship at another version than the dev environment, and why. None today: resolving for
#: manylinux_2_28 (Lambda's Amazon Linux 2023) lets pyarrow ship the version the tests run (infra/lock.py).
EXCEPTIONS: dict[str, str] = {}

LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """``name → version`` of a uv lock file (every pin is followed by its hashes)."""
    text = path.read_text()
    assert "--hash=sha256:" in text, f"{path.name} has no hashes"
    return {_normal(found[1]): found[2] for line in text.splitlines() if (found := LINE.match(line))}


def requested(path: Path) -> set[str]:
    """Top-level names a requirements file asks for (its ``-r`` includes followed)."""
    names: set[str] = set()
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("-r "):
            names |= requested(path.parent / line[3:].strip())
        elif line:
            names.add(_normal(re.split(r"[\[<>=!~; ]", line, maxsplit=1)[0]))
    return names


LAYERS = lock.layer_requirements()


def test_every_layer_of_third_party_packages_has_a_lock() -> None:
    assert LAYERS
    assert all(locked.exists() for _, locked in LAYERS)


@pytest.mark.parametrize(("source", "locked"), LAYERS, ids=lambda path: path.parent.name)
def test_a_layer_ships_the_versions_the_tests_run_on(source: Path, locked: Path) -> None:
    # Given a layer's lock and the dev/test lock
    layer, dev = pins(locked), pins(lock.DEV[1])
    # Then every package the layer ships is installed for the tests at the same version (or is a documented exception)
    differing = {name: (version, dev.get(name)) for name, version in layer.items() if dev.get(name) != version and name not in EXCEPTIONS}
    assert differing == {}
    # And what Lambda itself ships is not in the layer
    assert not set(layer) & set(lock.LAMBDA_PROVIDED)


@pytest.mark.parametrize(("source", "locked"), LAYERS, ids=lambda path: path.parent.name)
def test_a_layer_lock_is_resolved_for_the_templates_lambda_target(source: Path, locked: Path) -> None:
    # Given the runtime and architecture of the template's Globals, Then the lock was compiled for them
    target = lock.lambda_target()
    header = locked.read_text().split("\n\n", 1)[0]
    assert f"--python-version {target.python}" in header
    assert f"--python-platform {target.platform}" in header
    assert "--only-binary :all:" in header
    assert f"--constraint {lock.DEV[1].name}" in header


@pytest.mark.parametrize(("source", "locked"), [lock.DEV, *LAYERS, *lock.TOOLS], ids=lambda path: str(path.relative_to(lock.ROOT)))
def test_every_lock_is_current_with_its_requirements(source: Path, locked: Path) -> None:
    # Given a requirements file, Then its lock pins every package it asks for (else: `make lock`)
    missing = requested(source) - set(pins(locked)) - set(lock.LAMBDA_PROVIDED)
    assert missing == set()


def test_the_sam_cli_is_pinned() -> None:
    assert re.search(r"^aws-sam-cli==\d", lock.TOOLS[1][0].read_text(), re.MULTILINE)
    assert "aws-sam-cli" in pins(lock.TOOLS[1][1])
