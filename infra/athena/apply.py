"""Create (or replace) the lake's views in Athena after a deploy: every ``infra/athena/*.sql``, in dependency
order, in the stage's Glue database through its workgroup. Idempotent (``CREATE OR REPLACE VIEW``).

    python -m infra.athena.apply --stage dev [--region ap-east-1]

The dashboard function queries these views by name; QuickSight can use them as data sets. Locally the
DuckDB runner creates the same views from the same files, so nothing here runs on the local stack.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sanmenxia.bigdata.query import AthenaRunner
from sanmenxia.bigdata.sql import load_views

VIEWS_DIR = Path(__file__).resolve().parent


def apply(runner: AthenaRunner, directory: Path = VIEWS_DIR) -> list[str]:
    """Run every view's DDL; returns the view names in the order they were created."""
    created = []
    for view in load_views(directory):
        # The leading comment lines document the view in the repository; the DDL starts at CREATE.
        runner.run(re.sub(r"\A(\s*--[^\n]*\n)+", "", view.sql).strip())
        created.append(view.name)
    return created


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stage", required=True, choices=["dev", "prod"])
    parser.add_argument("--region", default=None)
    args = parser.parse_args(argv)
    session = boto3.session.Session(region_name=args.region)
    runner = AthenaRunner(session.client("athena"), f"sanmenxia-{args.stage}", f"sanmenxia_lake_{args.stage}", timeout_seconds=120)
    for name in apply(runner):
        print(f"view {name} created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
