"""Demo accounts and the client that ``infra/demo/*.py`` seed modules use.

``DemoClient`` talks to the running local stack: it signs demo users in through Cognito (real
``InitiateAuth``) and calls the API over HTTP as them, so demo data takes the same path as a phone would.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from sanmenxia.regions import COUNTIES

DEMO_PASSWORD = "Sanmenxia2020"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    scope: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"username": self.username, "password": self.password, "role": self.role, "scope": self.scope}


def _default_accounts() -> list[DemoAccount]:
    hubin = COUNTIES[0]
    first, second = hubin.communities[0].id, hubin.communities[1].id
    return [
        DemoAccount("resident1", DEMO_PASSWORD, "resident", {}),
        DemoAccount("resident2", DEMO_PASSWORD, "resident", {}),
        DemoAccount("checkpoint1", DEMO_PASSWORD, "checkpoint_staff", {"checkpoint_id": "cp-demo-1", "community_id": first}),
        DemoAccount("head1", DEMO_PASSWORD, "community_head", {"community_id": first, "county_code": hubin.code}),
        DemoAccount("head2", DEMO_PASSWORD, "community_head", {"community_id": second, "county_code": hubin.code}),
        DemoAccount("operator1", DEMO_PASSWORD, "hotline_operator", {}),
        DemoAccount("handler1", DEMO_PASSWORD, "department_handler", {"department": "public_security"}),
        DemoAccount("enterprise1", DEMO_PASSWORD, "enterprise_admin", {"enterprise_id": "ent-demo-1", "county_code": hubin.code}),
        DemoAccount("supplies1", DEMO_PASSWORD, "supplies_officer", {}),
        DemoAccount("commander1", DEMO_PASSWORD, "commander", {}),
        DemoAccount("commander_hubin", DEMO_PASSWORD, "commander", {"county_code": hubin.code}),
        DemoAccount("admin1", DEMO_PASSWORD, "admin", {}),
        DemoAccount("lab1", DEMO_PASSWORD, "lab", {"lab_id": "lab-hubin-1"}),
    ]


DEMO_ACCOUNTS: list[DemoAccount] = _default_accounts()


@dataclass
class DemoClient:
    """What a seed module gets: accounts, the AWS session (moto) and HTTP calls as a user."""

    api_url: str
    session: Any  # boto3 session pointed at moto
    deployment: Any  # infra.local.deploy.Deployment
    accounts: dict[str, DemoAccount]
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str) -> str:
        if username not in self._tokens:
            account = self.accounts[username]
            result = self.session.client("cognito-idp").initiate_auth(
                ClientId=self.deployment.user_pool_client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": account.username, "PASSWORD": account.password},
            )
            self._tokens[username] = result["AuthenticationResult"]["IdToken"]
        return self._tokens[username]

    def create_user(self, username: str, role: str, scope: dict[str, str] | None = None, password: str = DEMO_PASSWORD) -> DemoAccount:
        from infra.local.accounts import create_user

        account = DemoAccount(username, password, role, scope or {})
        create_user(self.session, self.deployment.user_pool_id, account)
        self.accounts[username] = account
        return account

    def call(self, username: str | None, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the API as ``username`` (``None``: anonymous); returns (status, parsed JSON or None)."""
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        request = urllib.request.Request(self.api_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if username:
            request.add_header("Authorization", f"Bearer {self.token(username)}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, None


def seed_modules() -> list[Any]:
    import infra.demo as package

    modules = [importlib.import_module(f"infra.demo.{info.name}") for info in pkgutil.iter_modules(package.__path__)]
    return sorted((module for module in modules if hasattr(module, "seed")), key=lambda module: getattr(module, "ORDER", 100))
