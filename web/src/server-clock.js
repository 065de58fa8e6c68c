// The server's clock, learnt from every API answer (header X-Server-Time). Forms default their dates from the
// server's today, not the device's: a phone's clock may be wrong, and the local stack's virtual clock moves the
// server's days without moving any device's.
import { reactive } from 'vue'

const state = reactive({ offsetMs: null })
let waiting = []

/** Record the server's time of an answer (ISO 8601); called by api() on every response. */
export function learnServerTime(iso) {
  const at = Date.parse(iso || '')
  if (!Number.isFinite(at)) return
  state.offsetMs = at - Date.now()
  const resolved = waiting
  waiting = []
  for (const resolve of resolved) resolve()
}

/** The server's time now (the device's until an answer has told it). */
export function serverNow() {
  return new Date(Date.now() + (state.offsetMs ?? 0))
}

/** The server's today in Asia/Shanghai plus `days`, as YYYY-MM-DD. */
export function serverDate(days = 0) {
  const at = new Date(serverNow().getTime() + days * 86_400_000)
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at)
}

/** Default `target[key]` to the server's today plus `days`: at once from what is known, and again when the next
 * answer arrives (the screen's own first load), unless the user has changed it meanwhile. */
export function defaultDate(target, key, days = 0) {
  const guess = serverDate(days)
  target[key] = guess
  new Promise((resolve) => waiting.push(resolve)).then(() => {
    if (target[key] === guess) target[key] = serverDate(days)
  })
}
