"""Staff accounts in the Cognito user pool: a group per role, scope in custom attributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sanmenxia import regions
from sanmenxia.auth import REQUIRED_SCOPE, SCOPE_ATTRIBUTES, Role
from sanmenxia.errors import Conflict, InvalidInput, UpstreamUnavailable

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


class StaffDirectory:
    """Creates accounts. ``idp`` is a boto3 ``cognito-idp`` client."""

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
