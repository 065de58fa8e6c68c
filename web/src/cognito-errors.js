// Cognito's error types in the user's words. Cognito's own English text is never shown: it would mix languages,
// and on sign-in it tells "no such user" from "wrong password" (both read 账号或密码错误 here).
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
  if (key) return t(key)
  console.warn('cognito error', error && error.type) // for the developer; the user gets words in their language
  return t('cognito.other')
}
