"""Cognito PostConfirmation trigger: a citizen who signed up and confirmed their phone becomes a resident.

Staff accounts are created by admins (``POST /staff``) directly in their role's group; self sign-up only
ever yields the ``resident`` role.
"""

from __future__ import annotations

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from sanmenxia import aws
from sanmenxia.auth import Role
from sanmenxia.observability import logger


@functools.cache
def _idp() -> Any:
    return aws.client("cognito-idp")


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if event.get("triggerSource") == "PostConfirmation_ConfirmSignUp":
        _idp().admin_add_user_to_group(UserPoolId=event["userPoolId"], Username=event["userName"], GroupName=Role.RESIDENT.value)
        logger.info("resident signed up", extra={"sub": event["request"]["userAttributes"].get("sub")})
    return event
