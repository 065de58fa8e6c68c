"""What a staff screen really calls, against what ``web/src/screens.json`` declares for it.

``ScreenCalls(phone)`` records every API request the page makes with the hash route shown at that moment; ``check()``
returns the staff-route calls made on a staff screen that the screen does not declare (tests assert it is empty),
so the declarations that ``tests/test_screens.py`` checks against the route table are the screens' real calls.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from infra.local import template
from tests.e2e.conftest import ROOT

SCREENS = json.loads((ROOT / "web" / "src" / "screens.json").read_text())["screens"]


def _pattern(path: str, marker: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(marker, "[^/]+", re.escape(path).replace(r"\{", "{").replace(r"\}", "}")) + "$")


#: Signed-in routes (public ones, such as the region list, are no question of who may call them).
ROUTES = [(route.method, route.path, _pattern(route.path, r"\{[^}]+\}")) for route in template.routes() if not route.public]
SCREEN_PATHS = [(name, re.compile("^" + re.sub(r":[a-z]+", "[^/]+", screen["path"]) + "$")) for name, screen in SCREENS.items()]


class ScreenCalls:
    def __init__(self, phone: Any) -> None:
        self.phone = phone
        self.calls: list[tuple[str, str, str]] = []  # (hash route, method, template path)
        phone.page.on("request", self._seen)

    def _seen(self, request: Any) -> None:
        url = urlsplit(request.url)
        if not request.url.startswith(self.phone.stack.base_url):
            return
        hit = next((path for method, path, pattern in ROUTES if method == request.method and pattern.match(url.path)), None)
        if hit is None:
            return
        route = urlsplit(self.phone.page.url).fragment.split("?")[0] or "/"
        self.calls.append((route, request.method, hit))

    def screens_seen(self) -> set[str]:
        return {name for route, _, _ in self.calls for name, pattern in SCREEN_PATHS if pattern.match(route)}

    def undeclared(self) -> list[str]:
        wrong = []
        for route, method, path in self.calls:
            screen = next((name for name, pattern in SCREEN_PATHS if pattern.match(route)), None)
            if screen is None:
                continue
            if f"{method} {path}" not in SCREENS[screen]["calls"]:
                wrong.append(f"{screen}: {method} {path}")
        return sorted(set(wrong))
