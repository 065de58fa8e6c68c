"""``make lock``: every lock file from its ``requirements*.txt``, pinned with hashes (``uv pip compile``).

Order matters, so that what ships is what is tested:

1. ``requirements-dev.lock``: the dev/test environment (the local stack, the tests, the linters), resolved
   universally (any OS, Python >= 3.11: laptops and CI) — ``make venv`` installs it with ``--require-hashes``;
2. each layer's ``requirements.lock`` (``layers/*/requirements.txt``), resolved for the Lambda target that the
   template names (``Globals.Function`` ``Runtime`` and ``Architectures``) and *constrained to the dev lock*, so
   a layer ships exactly the versions the tests ran; boto3, botocore and s3transfer are left out (Lambda ships
   them) — ``make package`` installs it with ``--require-hashes``;
3. ``requirements-lint.lock`` (checkov, ``.venv-lint``) and ``requirements-sam.lock`` (SAM CLI, ``.venv-sam``):
   tools whose own pins fight the dev environment's, each in its virtualenv.

``tests/unit/test_locks.py`` checks that the layer locks and the dev lock agree and that the locks are current.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.local import template as tpl

ROOT = tpl.ROOT
UV = Path(sys.executable).parent / "uv"
DEV = (ROOT / "requirements-dev.txt", ROOT / "requirements-dev.lock")
TOOLS = [(ROOT / "requirements-lint.txt", ROOT / "requirements-lint.lock"), (ROOT / "requirements-sam.txt", ROOT / "requirements-sam.lock")]
DEV_PYTHON = "3.11"  # the oldest Python the code runs on locally (pyproject requires-python)
LAMBDA_PROVIDED = ("boto3", "botocore", "s3transfer")
#: Lambda's python3.12 and later runtimes run on Amazon Linux 2023 (glibc 2.34), so manylinux_2_28 wheels load
#: there. Resolving for manylinux2014 only would hold pyarrow at 20 (its last manylinux2014 aarch64 wheel) while
#: the tests run 26: the layer would not ship what was tested.
LAMBDA_GLIBC = "manylinux_2_28"
ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}


@dataclass(frozen=True)
class LambdaTarget:
    python: str  # "3.12"
    platform: str  # uv's name: "aarch64-manylinux_2_28"

    def uv_args(self) -> list[str]:
        return ["--python-version", self.python, "--python-platform", self.platform, "--only-binary", ":all:"]


def lambda_target(template: dict[str, Any] | None = None) -> LambdaTarget:
    """The runtime and architecture every function runs on, as the template's Globals declare them."""
    function = (template or tpl.load()).get("Globals", {}).get("Function", {})
    runtime = str(function.get("Runtime", "python3.12")).removeprefix("python")
    arch = ARCH[function.get("Architectures", ["x86_64"])[0]]
    return LambdaTarget(runtime, f"{arch}-{LAMBDA_GLIBC}")


def layer_requirements() -> list[tuple[Path, Path]]:
    """``(requirements.txt, requirements.lock)`` of every layer of third-party packages."""
    pairs = []
    for res in tpl.of_type("AWS::Serverless::LayerVersion").values():
        folder = ROOT / res["Properties"]["ContentUri"]
        if (folder / "requirements.txt").exists():
            pairs.append((folder / "requirements.txt", folder / "requirements.lock"))
    return sorted(pairs)


def _compile(source: Path, target: Path, *args: str) -> None:
    relative = [str(path.relative_to(ROOT)) for path in (source, target)]
    command = [str(UV), "pip", "compile", relative[0], "--generate-hashes", "--quiet", "--output-file", relative[1], *args]
    print("lock:", " ".join(command[1:]))
    subprocess.run(command, cwd=ROOT, check=True)


def lock() -> None:
    _compile(*DEV, "--universal", "--python-version", DEV_PYTHON)
    target = lambda_target()
    dev_lock = str(DEV[1].relative_to(ROOT))
    omitted = [arg for name in LAMBDA_PROVIDED for arg in ("--no-emit-package", name)]
    for source, locked in layer_requirements():
        _compile(source, locked, *target.uv_args(), "--constraint", dev_lock, *omitted)
    for source, locked in TOOLS:
        _compile(source, locked, "--universal", "--python-version", DEV_PYTHON)


if __name__ == "__main__":
    lock()
