"""After ``sam deploy``: publish the web app to its bucket behind CloudFront.

Uploads ``web/dist`` (long cache for hashed assets, no cache for the entry files), writes ``config.json`` from the
stack's outputs (API URL, region, user pool and client; no demo accounts), and invalidates CloudFront's copy of
the entry files. ``python -m infra.deploy_web --stage dev`` (``make deploy`` runs it).
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import time
from pathlib import Path
from typing import Any

import boto3

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "web" / "dist"
ENTRY_FILES = {"index.html", "config.json", "sw.js", "manifest.webmanifest"}


def _outputs(cloudformation: Any, stack: str) -> dict[str, str]:
    described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
    return {item["OutputKey"]: item["OutputValue"] for item in described.get("Outputs", [])}


def publish(stack: str, region: str | None = None) -> str:
    if not (DIST / "index.html").is_file():
        raise SystemExit("web/dist is missing: run `make web` first")
    session = boto3.session.Session(region_name=region)
    outputs = _outputs(session.client("cloudformation"), stack)
    s3 = session.client("s3")
    bucket = outputs["WebBucketName"]
    for path in sorted(p for p in DIST.rglob("*") if p.is_file()):
        key = str(path.relative_to(DIST))
        cache = "no-cache" if path.name in ENTRY_FILES else "public, max-age=31536000, immutable"
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        s3.upload_file(str(path), bucket, key, ExtraArgs={"ContentType": content_type, "CacheControl": cache})
    config = {
        "api_url": outputs["ApiUrl"].rstrip("/"),
        "region": session.region_name,
        "user_pool_id": outputs["UserPoolId"],
        "user_pool_client_id": outputs["UserPoolClientId"],
    }
    s3.put_object(Bucket=bucket, Key="config.json", Body=json.dumps(config).encode(), ContentType="application/json", CacheControl="no-cache")
    session.client("cloudfront").create_invalidation(
        DistributionId=outputs["WebDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    return outputs["WebUrl"]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    parser.add_argument("--region", default=None)
    arguments = parser.parse_args()
    print("web app published at", publish(f"sanmenxia-{arguments.stage}", arguments.region))
