// Cognito's error types in the user's words.
const KNOWN = {
  NotAuthorizedException: 'cognito.notAuthorized',
  UserNotFoundException: 'cognito.notAuthorized',
  UserNotConfirmedException: 'cognito.notConfirmed',
  UsernameExistsException: 'cognito.exists',
  InvalidPasswordException: 'cognito.invalidPassword',
  InvalidParameterException: 'cognito.invalidParameter',
  CodeMismatchException: 'cognito.codeMismatch',
  ExpiredCodeException: 'cognito.codeExpired',
  TooManyRequestsException: 'cognito.tooMany',
  LimitExceededException: 'cognito.tooMany',
  PasswordResetRequiredException: 'cognito.resetRequired',
  NEW_PASSWORD_REQUIRED: 'cognito.newPassword',
  NetworkError: 'errors.network',
}

export function cognitoMessage(error, t) {
  const key = KNOWN[error && error.type]
  const detail = error && error.message && error.message !== error.type ? error.message : ''
  if (key) return detail && key !== 'errors.network' ? `${t(key)} (${detail})` : t(key)
  return t('cognito.other', { detail: detail || (error && error.type) || String(error) })
}
