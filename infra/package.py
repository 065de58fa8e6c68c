"""``make package``: deployable artifacts in ``.build/`` without Docker.

* each function's code folder and the shared layer are copied as they are (pure Python);
* the deps layer is cross-installed for Lambda's platform from wheels only
  (``pip install --platform manylinux2014_<arch> --python-version 3.12 --only-binary=:all:``), so no
  compiler and no container is needed; boto3/botocore are left out (Lambda ships them);
* ``.build/template.json`` is the template as deployed (``infra.local.template.load``: the lake's Glue tables and
  stream events generated from the catalog), code locations pointing at those folders, for ``sam deploy``.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from infra.local import template as tpl

BUILD = tpl.ROOT / ".build"
ARCH = {"arm64": "aarch64", "x86_64": "x86_64"}


def _copy(source: Path, target: Path) -> None:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "requirements.txt"), dirs_exist_ok=True)


def packaged_template(sam: dict[str, Any]) -> dict[str, Any]:
    """The template as deployed, code paths relative to ``.build/``; the layers are prebuilt, so no BuildMethod."""
    packaged = copy.deepcopy(sam)
    for res in tpl.of_type("AWS::Serverless::LayerVersion", packaged).values():
        metadata = res.pop("Metadata", {})
        metadata = {key: value for key, value in metadata.items() if key not in {"BuildMethod", "BuildArchitecture"}}
        if metadata:
            res["Metadata"] = metadata
    return packaged


def build(skip_deps: bool = False) -> Path:
    sam = tpl.load()
    arch = sam.get("Globals", {}).get("Function", {}).get("Architectures", ["x86_64"])[0]
    runtime = sam.get("Globals", {}).get("Function", {}).get("Runtime", "python3.12").removeprefix("python")
    if BUILD.exists():
        shutil.rmtree(BUILD)
    for res in tpl.functions().values():
        code = res["Properties"]["CodeUri"]
        _copy(tpl.ROOT / code, BUILD / code)
    for name, res in tpl.of_type("AWS::Serverless::LayerVersion").items():
        content = res["Properties"]["ContentUri"]
        requirements = tpl.ROOT / content / "requirements.txt"
        if requirements.exists():
            target = BUILD / content / "python"
            target.mkdir(parents=True, exist_ok=True)
            if not skip_deps:
                subprocess.run(
                    [
                        sys.executable, "-m", "pip", "install", "--quiet", "--no-compile",
                        "--platform", f"manylinux2014_{ARCH[arch]}", "--implementation", "cp",
                        "--python-version", runtime, "--only-binary=:all:",
                        "--no-warn-conflicts", "--target", str(target), "-r", str(requirements),
                    ],
                    check=True,
                )  # fmt: skip
                for bundled in ("boto3", "botocore", "s3transfer"):
                    for path in target.glob(f"{bundled}*"):
                        shutil.rmtree(path, ignore_errors=True)
        else:
            _copy(tpl.ROOT / content, BUILD / content)
        print(f"layer {name}: {content}")
    tpl.write_expanded(BUILD / "template.json", packaged_template(sam))
    size = sum(path.stat().st_size for path in BUILD.rglob("*") if path.is_file())
    print(f"built {len(tpl.functions())} functions and the layers in {BUILD} ({size / 1e6:.1f} MB); deploy with `make deploy STAGE=dev`")
    return BUILD


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-deps", action="store_true", help="do not cross-install the deps layer (offline check)")
    build(parser.parse_args().skip_deps)
