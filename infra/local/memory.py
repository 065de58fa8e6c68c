"""How much memory a running local stack holds through use and advanced days (``make run`` must stay bounded).

``python -m infra.local.memory [--url http://127.0.0.1:3000] [--load 100] [--clients 10] [--days 60] [--every 10]``
prints the resident memory of moto and of the stack process (``/_local/config``'s ``health``) before, after a
bounded load (``tests/e2e/load.py``: registrations, check-ins, scans and tip-offs, which also checks that nothing
was dropped) and every ``--every`` days while the clock is advanced ``--days`` days one at a time; then MB per
advanced day. Nothing is changed in the stack but its data and its clock.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from typing import Any


def _call(url: str, method: str = "GET", body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=900) as response:
        return json.loads(response.read())


def _figures(url: str) -> tuple[float, float, str | None]:
    health = _call(f"{url}/_local/config")["health"]
    return float(health["moto_rss_mb"] or 0), float(health.get("stack_rss_mb") or 0), health.get("dead")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:3000")
    parser.add_argument("--load", type=int, default=100, help="requests of each kind for the day of use (0: none)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--every", type=int, default=10)
    args = parser.parse_args()
    started = time.monotonic()

    def say(label: str) -> tuple[float, float]:
        moto, stack, dead = _figures(args.url)
        print(f"{label:<28} moto {moto:8.1f} MB   stack {stack:7.1f} MB   ({time.monotonic() - started:6.0f}s){'   DEAD: ' + dead if dead else ''}", flush=True)
        return moto, stack

    say("before")
    if args.load:
        from pathlib import Path

        from tests.e2e import load
        from tests.e2e.conftest import LocalStack

        stack = LocalStack(args.url, Path("."), None)  # type: ignore[arg-type]
        stack.config = _call(f"{args.url}/_local/config")
        report = load.run(stack, args.load, args.clients)
        print(report.summary(), flush=True)
    after_use = say(f"after a day of use ({args.load})")
    for day in range(1, args.days + 1):
        _call(f"{args.url}/_local/clock/advance", "POST", {"days": 1})
        if day % args.every == 0 or day == args.days:
            now = say(f"after {day} advanced days")
    if args.days:
        print(f"moto: {(now[0] - after_use[0]) / args.days:+.2f} MB per advanced day; stack: {(now[1] - after_use[1]) / args.days:+.2f} MB per advanced day")


if __name__ == "__main__":
    main()
