// What a gate device needs to decide and to keep scans without the network, fetched while it is online:
// the health code's public keys (JWKS, Ed25519), the revocation list published next to them, and the
// checkpoints' sealing key (P-256) that waiting ID numbers are sealed to. All three are public documents, so
// they may sit in localStorage; nothing here is personal data. WebCrypto does the work (Ed25519 verify;
// ECDH-ES + HKDF-SHA256 + AES-256-GCM to seal), matching sanmenxia/healthcode/tokens.py and
// sanmenxia/checkpoints/sealing.py.
import { ref } from 'vue'
import { api } from './api'
import { learnServerTime } from './scan-queue'
import { tokenClaims } from './token'

const STORAGE_KEY = 'sanmenxia.gateTrust'
const LEEWAY_SECONDS = 30 // as DEFAULT_LEEWAY in tokens.py
const FEVER_THRESHOLD = 37.3 // as GateRules.fever_threshold
const ISSUER = 'sanmenxia-hc'

function read() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || 'null')
  } catch {
    return null
  }
}

/** The cached documents and when they were fetched: { jwks, revocations, sealing, fetchedAt } or null. */
export const trust = ref(read())

/** Fetch the key set, the revocation list and the sealing key again; keeps the old copy if offline. */
export async function refreshTrust() {
  const quiet = { quiet: true }
  try {
    const [jwks, revocations, sealing] = await Promise.all([
      api('GET', '/.well-known/jwks.json', undefined, quiet),
      api('GET', '/health-codes/revocations', undefined, quiet),
      api('GET', '/checkpoints/sealing-key', undefined, quiet),
    ])
    // the list is stamped in the server's clock: offline verdicts and queued scans use the server's time, not a
    // device clock that may be wrong (or, locally, the virtual clock's day)
    if (revocations && revocations.generated_at) learnServerTime(revocations.generated_at)
    const value = { jwks, revocations, sealing, fetchedAt: new Date().toISOString() }
    localStorage.setItem(STORAGE_KEY, JSON.stringify(value))
    trust.value = value
    return true
  } catch {
    return false
  }
}

const encoder = new TextEncoder()

function unb64(text) {
  const base64 = String(text).replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
}

function b64(bytes) {
  let text = ''
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte)
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

async function sha256Hex(text) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** Why the cached revocation list refuses this token at `nowSeconds` ('revoked'), or ''. */
async function revocationOf(header, claims, nowSeconds) {
  const list = (trust.value && trust.value.revocations) || {}
  if ((list.keys || []).some((entry) => entry.kid === header.kid && nowSeconds >= entry.revoked_at)) return 'revoked'
  const tokens = list.tokens || []
  if (!tokens.length) return ''
  const hash = await sha256Hex(claims.sub)
  const hit = tokens.some((entry) => entry.person_hash === hash && claims.iat <= entry.issued_before && nowSeconds >= entry.revoked_at)
  return hit ? 'revoked' : ''
}

/**
 * Verify a scanned token against the cached key set, as the gate would: returns
 * { valid, reason, color, personId } — reason is one of tokens.py's (malformed, unsupported algorithm,
 * unknown key, bad signature, expired, not yet valid), 'revoked', or 'no keys' when never fetched.
 */
export async function verifyOffline(token, nowSeconds) {
  const invalid = (reason) => ({ valid: false, reason, color: null, personId: null })
  const keys = (trust.value && trust.value.jwks && trust.value.jwks.keys) || []
  if (!keys.length) return invalid('no keys')
  const parts = String(token || '').trim().split('.')
  if (parts.length !== 3 || token.length > 1024) return invalid('malformed')
  let header
  try {
    header = JSON.parse(new TextDecoder().decode(unb64(parts[0])))
  } catch {
    return invalid('malformed')
  }
  if (header.alg !== 'EdDSA') return invalid('unsupported algorithm')
  const jwk = keys.find((entry) => entry.kid === header.kid && entry.kty === 'OKP' && entry.crv === 'Ed25519')
  if (!jwk) return invalid('unknown key')
  let good = false
  try {
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify'])
    good = await crypto.subtle.verify({ name: 'Ed25519' }, key, unb64(parts[2]), encoder.encode(`${parts[0]}.${parts[1]}`))
  } catch {
    good = false
  }
  if (!good) return invalid('bad signature')
  const claims = tokenClaims(token)
  if (claims.iss !== ISSUER || !claims.sub || !Number.isInteger(claims.iat) || !Number.isInteger(claims.exp) || claims.exp <= claims.iat) {
    return invalid('malformed')
  }
  if (!['green', 'yellow', 'red'].includes(claims.col)) return invalid('malformed')
  if (nowSeconds >= claims.exp + LEEWAY_SECONDS) return invalid('expired')
  if (nowSeconds + LEEWAY_SECONDS < claims.iat) return invalid('not yet valid')
  const revoked = await revocationOf(header, claims, nowSeconds)
  if (revoked) return invalid(revoked)
  return { valid: true, reason: '', color: claims.col, personId: claims.sub }
}

/** Pass or stop from the signed colour and the temperature (as rules.decide). */
export function offlineDecision(color, temperature) {
  const reasons = []
  if (Number(temperature) >= FEVER_THRESHOLD) reasons.push('fever')
  if (color === 'red') reasons.push('red_code')
  else if (color === 'yellow') reasons.push('yellow_code')
  else if (!color) reasons.push('no_health_code')
  return { decision: reasons.length ? 'stop' : 'pass', reasons }
}

/** Whether a sealing key is cached (without one an ID number cannot be kept offline). */
export function canSeal() {
  const keys = (trust.value && trust.value.sealing && trust.value.sealing.keys) || []
  return keys.length > 0
}

/**
 * Seal an ID number for one scan to the checkpoints' public key: `<kid>.<ephemeral point>.<iv>.<ciphertext>`.
 * The ephemeral private key is not extractable and is dropped at once; only the server opens the result.
 */
export async function sealIdNumber(idNumber, scanId) {
  const jwk = ((trust.value && trust.value.sealing && trust.value.sealing.keys) || [])[0]
  if (!jwk) throw new Error('no sealing key')
  const curve = { name: 'ECDH', namedCurve: 'P-256' }
  const server = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, curve, false, [])
  const ephemeral = await crypto.subtle.generateKey(curve, false, ['deriveBits'])
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: server }, ephemeral.privateKey, 256)
  const hkdf = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey'])
  const aes = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('sanmenxia scan id v1') },
    hkdf,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  )
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: encoder.encode(scanId) }, aes, encoder.encode(idNumber))
  const point = await crypto.subtle.exportKey('raw', ephemeral.publicKey)
  return [jwk.kid, b64(point), b64(iv), b64(sealed)].join('.')
}
