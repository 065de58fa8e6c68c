// Scans that could not reach the server (no network at the gate) wait here with their client-generated id and
// original time; the server counts an id once, so sending one twice after a flaky connection is harmless.
// A waiting typed or read ID number is sealed to the checkpoints' public key (gate-trust.js) before it is
// queued: the queue holds no ID number in clear.
import { ref } from 'vue'
import { api, ApiError } from './api'

const STORAGE_KEY = 'sanmenxia.pendingScans'

function read() {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]')
  } catch {
    return []
  }
}

export const pending = ref(read())

function write(list) {
  pending.value = list
  localStorage.setItem(STORAGE_KEY, JSON.stringify(list))
}

const OFFSET_KEY = 'sanmenxia.serverOffsetMs'

/** Server time minus phone time, learnt from each recorded scan: a phone with a wrong clock still books
 * offline scans at the right instant (the server refuses times in its future or more than 3 days late). */
export function learnServerTime(serverIso) {
  const measured = Date.parse(serverIso || '') - Date.now()
  if (!Number.isNaN(measured)) localStorage.setItem(OFFSET_KEY, String(Math.round(measured)))
}

/** The instant of a scan in the server's clock, for a scan that may be sent late. */
export function scanInstant() {
  const offset = Number(localStorage.getItem(OFFSET_KEY) || 0)
  return new Date(Date.now() + (Number.isFinite(offset) ? offset : 0)).toISOString()
}

export function newScanId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID()
  return `scan-${Date.now()}-${Math.random().toString(16).slice(2, 10)}`
}

export function enqueue(checkpointId, body) {
  write([...pending.value, { checkpointId, body }])
}

let running = null

/** Send waiting scans; returns { sent, rejected }. Rejected ones (4xx) leave the queue with their reason.
 * One send at a time: the `online` event, the periodic retry and a tap never post the same scan twice. */
export function flush() {
  if (running) return running.then(() => ({ sent: [], rejected: [] }))
  running = send().finally(() => {
    running = null
  })
  return running
}

async function send() {
  const sent = []
  const rejected = []
  const done = new Set()
  for (const item of [...pending.value]) {
    try {
      sent.push(await api('POST', `/checkpoints/${item.checkpointId}/scans`, item.body, { quiet: true }))
      done.add(item.body.scan_id)
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        rejected.push(error.message)
        done.add(item.body.scan_id)
      } else {
        break // the network is still down (or the server failing): the rest waits for the next try
      }
    }
  }
  // Scans queued while this send ran stay in the queue.
  write(pending.value.filter((item) => !done.has(item.body.scan_id)))
  return { sent, rejected }
}

/** Send the queue by itself when the network returns (the `online` event) and every `everyMs` while
 * anything waits; `onSent(result)` hears about each send. Returns the function that stops it. */
export function startAutoSend(onSent, everyMs = 15_000) {
  const attempt = async () => {
    if (!pending.value.length || !navigator.onLine) return
    onSent(await flush())
  }
  window.addEventListener('online', attempt)
  const timer = window.setInterval(attempt, everyMs)
  return () => {
    window.removeEventListener('online', attempt)
    window.clearInterval(timer)
  }
}
