// Sign-in with Cognito's own API (InitiateAuth USER_PASSWORD_AUTH, SignUp, ConfirmSignUp) over fetch: no SDK,
// the same calls work against AWS and against the local stack's moto endpoint. The API takes the ID token.
import { reactive } from 'vue'
import { loadConfig } from './config'

const STORAGE_KEY = 'sanmenxia.session'

export const STAFF_ROLES = [
  'checkpoint_staff',
  'community_head',
  'hotline_operator',
  'department_handler',
  'enterprise_admin',
  'supplies_officer',
  'commander',
  'admin',
  'lab',
]

// The scope each staff role carries (sanmenxia.auth.REQUIRED_SCOPE, and the county of a county commander).
export const STAFF_SCOPES = {
  checkpoint_staff: ['checkpoint_id', 'community_id'],
  community_head: ['community_id'],
  hotline_operator: [],
  department_handler: ['department'],
  enterprise_admin: ['enterprise_id', 'county_code'],
  supplies_officer: [],
  commander: ['county_code'],
  admin: [],
  lab: ['lab_id'],
}

export class CognitoError extends Error {
  constructor(type, message) {
    super(message || type)
    this.type = type
  }
}

function decodeJwt(token) {
  const part = token.split('.')[1] || ''
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  return JSON.parse(new TextDecoder().decode(bytes))
}

function groupsOf(claims) {
  const raw = claims['cognito:groups']
  if (Array.isArray(raw)) return raw
  if (typeof raw === 'string') return raw.replace(/[[\]]/g, '').split(/[\s,]+/).filter(Boolean)
  return []
}

function restore() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null')
    return saved && saved.idToken ? saved : null
  } catch {
    return null
  }
}

export const session = reactive({ current: restore() })

function save(current) {
  session.current = current
  if (current) localStorage.setItem(STORAGE_KEY, JSON.stringify(current))
  else localStorage.removeItem(STORAGE_KEY)
}

function fromResult(result, previousRefresh) {
  const claims = decodeJwt(result.IdToken)
  const scope = {}
  for (const name of ['county_code', 'community_id', 'checkpoint_id', 'department', 'enterprise_id']) {
    if (claims[`custom:${name}`]) scope[name] = claims[`custom:${name}`]
  }
  return {
    idToken: result.IdToken,
    refreshToken: result.RefreshToken || previousRefresh || null,
    // local time of expiry, from the token's lifetime (the server clock may be moved in the local stack)
    expiresAt: Date.now() + (result.ExpiresIn || 3600) * 1000,
    username: claims['cognito:username'] || claims.username || claims.sub,
    sub: claims.sub,
    roles: groupsOf(claims),
    scope,
  }
}

async function cognito(action, body) {
  const config = await loadConfig()
  let response
  try {
    response = await fetch(config.cognito_url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify({ ClientId: config.user_pool_client_id, ...body }),
    })
  } catch {
    throw new CognitoError('NetworkError')
  }
  const text = await response.text()
  let data = {}
  try {
    data = text ? JSON.parse(text) : {}
  } catch {
    data = { message: text }
  }
  if (!response.ok) {
    const type = String(data.__type || data.code || 'CognitoError').split('#').pop()
    throw new CognitoError(type, data.message || data.Message)
  }
  return data
}

/**
 * What to send as Cognito's USERNAME: a mainland mobile number (11 digits from 1, with or without +86, spaces or
 * dashes) becomes +86…, the pool's phone alias (the account's verified number); anything else is a user name.
 */
export function signInName(entered) {
  const text = String(entered || '').trim()
  const digits = text.replace(/[\s-]/g, '')
  const mobile = digits.match(/^(?:\+?86)?(1\d{10})$/)
  return mobile ? `+86${mobile[1]}` : text
}

async function passwordAuth(name, password) {
  return cognito('InitiateAuth', { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: name, PASSWORD: password } })
}

export async function signIn(username, password) {
  const alias = signInName(username)
  let data
  try {
    data = await passwordAuth(alias, password)
  } catch (error) {
    // eleven digits may also be a user name (an account whose number is not its verified phone): try it as typed
    if (alias === String(username).trim() || !['NotAuthorizedException', 'UserNotFoundException'].includes(error.type)) throw error
    data = await passwordAuth(String(username).trim(), password)
  }
  if (!data.AuthenticationResult) {
    const error = new CognitoError(data.ChallengeName || 'ChallengeRequired')
    error.session = data.Session // NEW_PASSWORD_REQUIRED: an account made by an admin sets its own password first
    error.username = (data.ChallengeParameters && data.ChallengeParameters.USERNAME) || username // the account's own name
    throw error
  }
  save(fromResult(data.AuthenticationResult))
  return session.current
}

/** First sign-in of an account created with a temporary password: Cognito's NEW_PASSWORD_REQUIRED challenge. */
export async function setNewPassword(username, challengeSession, newPassword) {
  const data = await cognito('RespondToAuthChallenge', {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: challengeSession,
    ChallengeResponses: { USERNAME: username, NEW_PASSWORD: newPassword },
  })
  if (!data.AuthenticationResult) throw new CognitoError(data.ChallengeName || 'ChallengeRequired')
  save(fromResult(data.AuthenticationResult))
  return session.current
}

/** Forgotten password: Cognito sends a code to the account's verified phone (or e-mail). */
export async function forgotPassword(username) {
  return cognito('ForgotPassword', { Username: signInName(username) })
}

export async function confirmForgotPassword(username, code, newPassword) {
  return cognito('ConfirmForgotPassword', { Username: signInName(username), ConfirmationCode: code, Password: newPassword })
}

export async function signUp({ username, password, phone }) {
  const attributes = phone ? [{ Name: 'phone_number', Value: `+86${phone}` }] : []
  return cognito('SignUp', { Username: username, Password: password, UserAttributes: attributes })
}

export async function confirmSignUp(username, code) {
  return cognito('ConfirmSignUp', { Username: username, ConfirmationCode: code })
}

let refreshing = null

/** A valid ID token: refreshed through REFRESH_TOKEN_AUTH a minute before it expires. */
export async function idToken() {
  const current = session.current
  if (!current) return null
  if (current.expiresAt - Date.now() > 60_000) return current.idToken
  if (!current.refreshToken) return current.idToken
  if (!refreshing) {
    refreshing = cognito('InitiateAuth', {
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: current.refreshToken },
    })
      .then((data) => save(fromResult(data.AuthenticationResult, current.refreshToken)))
      .catch(() => save(null))
      .finally(() => {
        refreshing = null
      })
  }
  await refreshing
  return session.current ? session.current.idToken : null
}

export function signOut() {
  save(null)
}

export function hasRole(...roles) {
  const current = session.current
  return Boolean(current && current.roles.some((role) => roles.includes(role)))
}

export function isStaff() {
  return hasRole(...STAFF_ROLES)
}
