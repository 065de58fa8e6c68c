"""Benchmark: cold-start imports of every function on the packaged layers, beside ``import boto3``.

Lambda's code directories are read-only, so what a cold start imports is what ``make package`` shipped: the layers
are built here the way it builds them (the locked wheels, boto3 from the runtime, bytecode compiled by the
runtime's Python, ``infra.package.compile_bytecode``), for this machine's architecture so they can be imported,
and each function's ``app`` module is imported in a fresh interpreter of the runtime's version with the
environment Lambda gives it (tracing on, as the template sets). Medians of ``--runs`` fresh processes.

Run: ``make bench`` (or ``python -m infra.bench.bench_coldstart``). Prints each function's import beside
``import boto3`` and the ratio; needs a Python of the runtime's version (``$LAMBDA_PYTHON``, ``python3.12``, pyenv).
Exits 1 when a function's import is above ``LIMIT`` times ``import boto3``, or when it could not be measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from infra import lock
from infra import package as pkg
from infra.local import template as tpl

TIMER = "import time, sys; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
LIMIT = 2.0  # a function's import may cost at most this many times `import boto3`


def _boto3_version() -> str:
    for line in (tpl.ROOT / "requirements-dev.lock").read_text().splitlines():
        if line.startswith("boto3=="):
            return line.split("==")[1].split()[0]
    return ""


def build_layers(work: Path, version: str) -> dict[str, Path]:
    """The template's layers (logical id -> python dir) and Lambda's own boto3 (key ``runtime``), for this machine."""
    host = f"{'aarch64' if platform.machine() in ('aarch64', 'arm64') else 'x86_64'}-{lock.LAMBDA_GLIBC}"
    target = lock.LambdaTarget(version, host)
    found: dict[str, Path] = {}
    for name, res in tpl.of_type("AWS::Serverless::LayerVersion").items():
        content = tpl.ROOT / res["Properties"]["ContentUri"]
        locked = content / "requirements.lock"
        python_dir = work / name / "python"
        if locked.exists():
            python_dir.mkdir(parents=True)
            cmd = [
                str(lock.UV),
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--require-hashes",
                *target.uv_args(),
                "--target",
                str(python_dir),
                "-r",
                str(locked),
            ]
            subprocess.run(cmd, check=True)
        else:
            shutil.copytree(content / "python", python_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        found[name] = python_dir
    runtime = work / "runtime"
    subprocess.run([str(lock.UV), "pip", "install", "--quiet", *target.uv_args(), "--target", str(runtime), f"boto3=={_boto3_version()}"], check=True)
    found["runtime"] = runtime
    return found


def _layers_of(name: str, res: dict[str, Any], sam: dict[str, Any]) -> list[str]:
    refs = list(sam.get("Globals", {}).get("Function", {}).get("Layers", [])) + list(res["Properties"].get("Layers", []))
    return [ref["Ref"] if isinstance(ref, dict) else str(ref) for ref in refs]


def lambda_env(paths: list[Path], function: str) -> dict[str, str]:
    """The environment of a Lambda container (tracing active, as the template's Globals say)."""
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG")}
    env.update(
        PYTHONPATH=os.pathsep.join(str(path) for path in paths),
        PYTHONDONTWRITEBYTECODE="1",  # as read-only /var/task: nothing is written, what was shipped is used
        AWS_LAMBDA_FUNCTION_NAME=function,
        AWS_EXECUTION_ENV="AWS_Lambda_python3.12",
        AWS_REGION="ap-east-1",
        AWS_DEFAULT_REGION="ap-east-1",
        _X_AMZN_TRACE_ID="Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=1",
        AWS_XRAY_CONTEXT_MISSING="IGNORE_ERROR",
        POWERTOOLS_SERVICE_NAME=function,
        POWERTOOLS_METRICS_NAMESPACE="bench",
    )
    return env


def timed_import(python: Path, module: str, env: dict[str, str], cwd: Path, runs: int) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run([str(python), "-c", TIMER.format(module=module)], env=env, cwd=cwd, capture_output=True, text=True, check=True)
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="fresh interpreters per figure (median)")
    args = parser.parse_args(argv)
    sam = tpl.load()
    version = lock.lambda_target(sam).python
    python = pkg.runtime_python(version)
    if python is None:
        print(f"no Python {version} here (set LAMBDA_PYTHON): cold starts not measured, so not shown within {LIMIT:.0f}x")
        return 1
    with tempfile.TemporaryDirectory(prefix="coldstart-") as tmp:
        work = Path(tmp)
        layers = build_layers(work, version)
        functions = {}
        for name, res in tpl.functions().items():
            code = work / "functions" / name
            shutil.copytree(tpl.ROOT / res["Properties"]["CodeUri"], code, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            functions[name] = (code, [layers[layer] for layer in _layers_of(name, res, sam) if layer in layers])
        compiled = pkg.compile_bytecode(work, version)
        base_env = lambda_env([layers["runtime"]], "bench")
        boto3 = timed_import(python, "boto3", base_env, work, args.runs)
        print(f"Cold-start imports on the packaged layers (Python {version}, bytecode {'compiled' if compiled else 'absent'}; median of {args.runs}):")
        print(f"  {'import boto3':<28} {1e3 * boto3:7.0f} ms  (baseline)")
        worst = 0.0
        for name, (code, paths) in sorted(functions.items()):
            env = lambda_env([code, *paths, layers["runtime"]], name)
            seconds = timed_import(python, "app", env, code, args.runs)
            ratio = seconds / boto3
            worst = max(worst, ratio)
            print(
                f"  {name:<28} {1e3 * seconds:7.0f} ms  {ratio:4.1f}x import boto3 ({1e3 * boto3:.0f} ms){'  > ' + str(LIMIT) + 'x' if ratio > LIMIT else ''}"
            )
        print(f"  worst: {worst:.1f}x import boto3 (limit {LIMIT:.0f}x)")
    return 1 if worst > LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
