// The health-code token is a compact JWS; its payload says when it was issued and expires. The app only
// reads the lifetime (exp - iat) to schedule the refresh: the server's clock may differ from the phone's
// (and the local stack moves it), so absolute times are not compared with the phone's clock.
export function tokenClaims(token) {
  try {
    const part = String(token).split('.')[1]
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '=')
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))))
  } catch {
    return {}
  }
}

/** Seconds until the token should be replaced: 80% of its lifetime, at least 10 s. */
export function refreshAfterSeconds(response) {
  const claims = tokenClaims(response.token)
  let lifetime = Number(response.expires_in || response.ttl_seconds || 0)
  if (!lifetime && claims.exp && claims.iat) lifetime = claims.exp - claims.iat
  if (!lifetime) lifetime = 300
  return Math.max(10, Math.floor(lifetime * 0.8))
}
