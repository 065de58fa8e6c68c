"""Staff accounts in the Cognito user pool: a group per role, scope in custom attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import regions
from sanmenxia.auth import REQUIRED_SCOPE, SCOPE_ATTRIBUTES, Role
from sanmenxia.errors import Conflict, InvalidInput, NotFound, UpstreamUnavailable

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef


def validate_scope(role: Role, scope: Mapping[str, str]) -> dict[str, str]:
    """Check a role's scope: known attributes, the ones the role needs, known county and community."""
    for name in scope:
        if name not in SCOPE_ATTRIBUTES:
            raise InvalidInput(f"unknown scope attribute {name!r}", field=f"scope.{name}")
    for name in REQUIRED_SCOPE.get(role, ()):
        if not scope.get(name):
            raise InvalidInput(f"role {role.value} needs a {name}", field=f"scope.{name}")
    if scope.get("county_code") and not regions.is_known_county(scope["county_code"]):
        raise InvalidInput("unknown county code", field="scope.county_code")
    if scope.get("community_id") and not regions.is_known_community(scope["community_id"]):
        raise InvalidInput("unknown community id", field="scope.community_id")
    cleaned = {name: value for name, value in scope.items() if value}
    if cleaned.get("community_id") and not cleaned.get("county_code"):
        cleaned["county_code"] = regions.county_of_community(cleaned["community_id"])
    return cleaned


#: The groups a staff account may be in (residents sign up themselves and are never managed here).
STAFF_ROLES: tuple[Role, ...] = tuple(role for role in Role if role.is_staff)


def _scope_of(attributes: list[Any]) -> dict[str, str]:
    found = {item["Name"].removeprefix("custom:"): item["Value"] for item in attributes}
    return {name: found[name] for name in SCOPE_ATTRIBUTES if found.get(name)}


def _account(user: Mapping[str, Any], role: Role) -> dict[str, Any]:
    return {
        "username": user["Username"],
        "role": role.value,
        "scope": _scope_of(user.get("Attributes") or user.get("UserAttributes") or []),
        "enabled": bool(user.get("Enabled", True)),
        "status": user.get("UserStatus", ""),
    }


def refuse_own_account(caller_username: str, username: str) -> None:
    """An admin does not change or disable their own account: another admin does (no one locks themselves out)."""
    if caller_username == username:
        raise Conflict("another admin changes or disables your own account", field="username")


class StaffDirectory:
    """Creates, lists and changes staff accounts. ``idp`` is a boto3 ``cognito-idp`` client.

    A change of role, scope or state signs the account out everywhere (its refresh tokens are revoked), so the
    next token it holds carries the new groups and attributes; an ID token already issued stays valid at API
    Gateway's Cognito authorizer until it expires (``IdTokenValidity``, 60 minutes)."""

    def __init__(self, idp: CognitoIdentityProviderClient, user_pool_id: str) -> None:
        self._idp = idp
        self._pool = user_pool_id

    def create(self, username: str, password: str, role: Role, scope: Mapping[str, str], *, permanent: bool = False) -> dict[str, Any]:
        """Create a user in ``role``'s group; ``permanent`` skips the first-sign-in password change."""
        cleaned = validate_scope(role, scope)
        attributes: list[AttributeTypeTypeDef] = [{"Name": f"custom:{name}", "Value": value} for name, value in cleaned.items()]
        try:
            self._idp.admin_create_user(
                UserPoolId=self._pool,
                Username=username,
                TemporaryPassword=password,
                UserAttributes=attributes,
                MessageAction="SUPPRESS",
            )
            # The group first: a confirmed account without a group would look like a self-registered citizen.
            self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role.value)
            if permanent:
                self._idp.admin_set_user_password(UserPoolId=self._pool, Username=username, Password=password, Permanent=True)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "UsernameExistsException":
                raise Conflict("username already exists", field="username") from exc
            if code == "InvalidPasswordException":
                raise InvalidInput(exc.response["Error"]["Message"], field="password") from exc
            raise UpstreamUnavailable("identity service unavailable") from exc
        return {"username": username, "role": role.value, "scope": cleaned}

    def _failed(self, exc: ClientError, username: str) -> Exception:
        code = exc.response["Error"]["Code"]
        if code == "UserNotFoundException":
            return NotFound(f"no staff account {username!r}", field="username")
        return UpstreamUnavailable("identity service unavailable")

    def accounts(self, role: Role, limit: int, start: Mapping[str, Any] | None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of ``role``'s accounts, and where the next page starts (Cognito's ``NextToken``)."""
        request: dict[str, Any] = {"UserPoolId": self._pool, "GroupName": role.value, "Limit": limit}
        if start and start.get("token"):
            request["NextToken"] = start["token"]
        try:
            response = self._idp.list_users_in_group(**request)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "InvalidParameterException":
                raise InvalidInput("the cursor has expired, start again", field="cursor") from exc
            raise UpstreamUnavailable("identity service unavailable") from exc
        token = response.get("NextToken")
        return [_account(user, role) for user in response.get("Users", [])], ({"token": token} if token else None)

    def get(self, username: str) -> dict[str, Any]:
        """A staff account with its role (404 for a resident's account or none)."""
        try:
            user = self._idp.admin_get_user(UserPoolId=self._pool, Username=username)
            groups = self._idp.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)["Groups"]
        except ClientError as exc:
            raise self._failed(exc, username) from exc
        roles = [role for role in STAFF_ROLES if role.value in {group["GroupName"] for group in groups}]
        if not roles:
            raise NotFound(f"no staff account {username!r}", field="username")
        return _account(user, roles[0])

    def change(self, username: str, role: Role, scope: Mapping[str, str]) -> dict[str, Any]:
        """Give the account ``role`` (its only staff group) and exactly ``scope``; returns the account before."""
        before = self.get(username)
        cleaned = validate_scope(role, scope)
        dropped = [f"custom:{name}" for name in before["scope"] if name not in cleaned]
        try:
            if cleaned:
                self._idp.admin_update_user_attributes(
                    UserPoolId=self._pool, Username=username, UserAttributes=[{"Name": f"custom:{name}", "Value": value} for name, value in cleaned.items()]
                )
            if dropped:
                self._idp.admin_delete_user_attributes(UserPoolId=self._pool, Username=username, UserAttributeNames=dropped)
            # The new group before the old one leaves: never a moment in no group (a citizen's look).
            self._idp.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role.value)
            for old in STAFF_ROLES:
                if old is not role and old.value == before["role"]:
                    self._idp.admin_remove_user_from_group(UserPoolId=self._pool, Username=username, GroupName=old.value)
            self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            raise self._failed(exc, username) from exc
        return before

    def set_enabled(self, username: str, enabled: bool) -> dict[str, Any]:
        """Disable (sign-in refused, refresh tokens revoked) or enable a staff account; returns it as it was."""
        before = self.get(username)
        try:
            if enabled:
                self._idp.admin_enable_user(UserPoolId=self._pool, Username=username)
            else:
                self._idp.admin_disable_user(UserPoolId=self._pool, Username=username)
                self._idp.admin_user_global_sign_out(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            raise self._failed(exc, username) from exc
        return before
