"""``make package``: deployable artifacts in ``.build/`` without Docker.

* each function's code folder and the shared layer are copied as they are (pure Python);
* each layer of third-party packages is cross-installed from its lock file (``requirements.lock``, hashes
  required, ``make lock``) for the Lambda target the template names, from wheels only
  (``uv pip install --python-platform aarch64-manylinux_2_28 --python-version 3.12 --only-binary :all:``), so no
  compiler and no container is needed; boto3/botocore are not in the locks (Lambda ships them);
* everything in ``.build/`` is compiled to bytecode **by the runtime's own Python** (``python3.12 -m compileall``,
  unchecked-hash ``.pyc``: no source timestamps to check): Lambda's code directories are read-only, so source
  without matching bytecode is compiled again on every cold start. Bytecode is version-specific, so it is made by
  an interpreter of the template's runtime (``$LAMBDA_PYTHON``, ``python3.12`` on the PATH, or a pyenv or uv
  install); when none is found the build says so and ships source only (correct, slower to start);
* ``.build/template.json`` is the template as deployed (``infra.local.template.load``: the lake's Glue tables and
  stream events generated from the catalog), code locations pointing at those folders, for ``sam deploy``.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from infra import lock
from infra.local import template as tpl

BUILD = tpl.ROOT / ".build"


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt", "requirements.lock"), dirs_exist_ok=True)


def packaged_template(sam: dict[str, Any]) -> dict[str, Any]:
    """The template as deployed, code paths relative to ``.build/``; the layers are prebuilt, so no BuildMethod."""
    packaged = copy.deepcopy(sam)
    for res in tpl.of_type("AWS::Serverless::LayerVersion", packaged).values():
        metadata = res.pop("Metadata", {})
        metadata = {key: value for key, value in metadata.items() if key not in {"BuildMethod", "BuildArchitecture"}}
        if metadata:
            res["Metadata"] = metadata
    return packaged


def runtime_python(version: str) -> Path | None:
    """An interpreter of the Lambda runtime's version (bytecode is specific to it), or None."""
    candidates = [os.environ.get("LAMBDA_PYTHON"), shutil.which(f"python{version}")]
    candidates += sorted(str(path) for path in Path.home().glob(f".pyenv/versions/{version}*/bin/python{version}"))
    candidates += sorted(str(path) for path in Path.home().glob(f".local/share/uv/python/cpython-{version}*/bin/python{version}"))
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        found = subprocess.run([candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], capture_output=True, text=True, check=False)
        if found.stdout.strip() == version:
            return Path(candidate)
    return None


def compile_bytecode(build_dir: Path, version: str) -> bool:
    """Compile every module under ``build_dir`` with the runtime's Python; False when no such Python is here."""
    python = runtime_python(version)
    if python is None:
        print(f"warning: no Python {version} found (set LAMBDA_PYTHON): shipping source without bytecode; cold starts compile it")
        return False
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash", str(build_dir)], check=True)
    print(f"compiled bytecode with {python}")
    return True


def build(skip_deps: bool = False) -> Path:
    sam = tpl.load()
    target = lock.lambda_target(sam)
    if BUILD.exists():
        shutil.rmtree(BUILD)
    for res in tpl.functions().values():
        code = res["Properties"]["CodeUri"]
        _copy(tpl.ROOT / code, BUILD / code)
    for name, res in tpl.of_type("AWS::Serverless::LayerVersion").items():
        content = res["Properties"]["ContentUri"]
        locked = tpl.ROOT / content / "requirements.lock"
        if locked.exists():
            target_dir = BUILD / content / "python"
            target_dir.mkdir(parents=True, exist_ok=True)
            if not skip_deps:
                subprocess.run(
                    [str(lock.UV), "pip", "install", "--quiet", "--no-deps", "--require-hashes", *target.uv_args(),
                     "--target", str(target_dir), "-r", str(locked)],
                    check=True,
                )  # fmt: skip
        else:
            _copy(tpl.ROOT / content, BUILD / content)
        print(f"layer {name}: {content}")
    compile_bytecode(BUILD, target.python)
    tpl.write_expanded(BUILD / "template.json", packaged_template(sam))
    size = sum(path.stat().st_size for path in BUILD.rglob("*") if path.is_file())
    print(f"built {len(tpl.functions())} functions and the layers in {BUILD} ({size / 1e6:.1f} MB); deploy with `make deploy STAGE=dev`")
    return BUILD


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-deps", action="store_true", help="do not cross-install the deps layer (offline check)")
    build(parser.parse_args().skip_deps)
