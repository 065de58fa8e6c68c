"""Local accounts: confirmed Cognito users in moto, for ``POST /_local/users`` and the demo accounts."""

from __future__ import annotations

from typing import Any

from sanmenxia.auth import Role
from sanmenxia.staff import StaffDirectory


def create_user(session: Any, user_pool_id: str, account: Any) -> dict[str, Any]:
    """Create a confirmed user with a permanent password in ``account.role``'s group, with its scope."""
    directory = StaffDirectory(session.client("cognito-idp"), user_pool_id)
    return directory.create(account.username, account.password, Role(account.role), dict(account.scope), permanent=True)
