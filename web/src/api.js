// Every call to the platform API goes through `api()`: it adds the ID token, parses JSON, and turns every
// failure (network, 4xx with the server's field reasons, 5xx) into an ApiError whose message is shown to the
// user in words (a Vant toast or dialog). Screens never swallow an error: they either let `api()` show it
// (the default) or pass `{ quiet: true }` and show it themselves.
import { showDialog, showFailToast } from 'vant'
import { idToken, signOut } from './auth'
import { loadConfig } from './config'
import { i18n } from './i18n'
import { router } from './router'
import { learnServerTime } from './server-clock'
import { fieldErrorText } from './texts'

export class ApiError extends Error {
  constructor(status, body, message) {
    super(message)
    this.status = status
    this.body = body || {}
    this.fields = Array.isArray(this.body.fields) ? this.body.fields : []
  }

  /** The reason given for one field, or undefined. */
  fieldReason(name) {
    const hit = this.fields.find((item) => item.field === name || String(item.field).endsWith(`.${name}`))
    return hit ? fieldErrorText(t, hit) : undefined
  }
}

const t = (key, values) => i18n.global.t(key, values)

export function describeError(status, body) {
  const prefix = t(`errors.status.${status}`) !== `errors.status.${status}` ? t(`errors.status.${status}`) : t('errors.status.other', { status })
  const fields = Array.isArray(body && body.fields) ? body.fields : []
  let detail = ''
  if (fields.length) {
    detail = fields.map((item) => `${t(`fields.${item.field}`, item.field)}: ${fieldErrorText(t, item)}`).join('; ')
  } else if (body && body.message) {
    detail = body.message
  }
  return detail ? `${prefix}: ${detail}` : prefix
}

/** Show an error in words: short ones as a toast, long ones as a dialog the user dismisses. */
export function showError(error) {
  if (error instanceof ApiError) error.shown = true
  const message = error instanceof Error ? error.message : String(error)
  if (message.length > 40) {
    showDialog({ title: t('errors.title'), message, className: 'error-dialog' })
  } else {
    showFailToast({ message, duration: 3500, className: 'error-toast' })
  }
}

export async function api(method, path, body, options = {}) {
  const { quiet = false, as = 'json', query } = options
  try {
    return await request(method, path, body, as, query)
  } catch (error) {
    if (!quiet) showError(error)
    throw error
  }
}

async function request(method, path, body, as, query) {
  let config
  try {
    config = await loadConfig()
  } catch {
    throw new ApiError(0, null, t('errors.config'))
  }
  const headers = { Accept: as === 'json' ? 'application/json' : '*/*' }
  const token = await idToken()
  if (token) headers.Authorization = `Bearer ${token}`
  let payload
  if (body !== undefined && body !== null) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let url = config.api_url + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== null && value !== '') params.append(key, value)
    }
    const text = params.toString()
    if (text) url += (url.includes('?') ? '&' : '?') + text
  }
  let response
  try {
    response = await fetch(url, { method, headers, body: payload })
  } catch {
    throw new ApiError(0, null, t('errors.network'))
  }
  learnServerTime(response.headers.get('X-Server-Time'))
  if (response.ok) {
    if (response.status === 204) return null
    if (as === 'text') return response.text()
    if (as === 'blob') return response.blob()
    const text = await response.text()
    return text ? JSON.parse(text) : null
  }
  let errorBody = null
  try {
    errorBody = await response.json()
  } catch {
    errorBody = null
  }
  const error = new ApiError(response.status, errorBody, describeError(response.status, errorBody))
  if (response.status === 401 && token) {
    signOut()
    router.replace({ name: 'login', query: { next: router.currentRoute.value.fullPath } })
  }
  throw error
}

export const get = (path, options) => api('GET', path, undefined, options)
export const post = (path, body, options) => api('POST', path, body ?? {}, options)
export const put = (path, body, options) => api('PUT', path, body ?? {}, options)
export const patch = (path, body, options) => api('PATCH', path, body ?? {}, options)
export const del = (path, options) => api('DELETE', path, undefined, options)

/** GET that treats the given statuses (default: 404) as "nothing there" (null); any other error is shown. */
export async function getOptional(path, { missing = [404], query } = {}) {
  try {
    return await api('GET', path, undefined, { quiet: true, query })
  } catch (error) {
    if (error instanceof ApiError && missing.includes(error.status)) return null
    showError(error)
    throw error
  }
}

/** A list from a response that is either a list or a page `{items, next_cursor}`. */
export function itemsOf(response) {
  if (Array.isArray(response)) return response
  if (response && Array.isArray(response.items)) return response.items
  return []
}

/** Read the first page of a paged list into `rows` and `cursor` (refs); returns the page. */
export async function firstPage(path, rows, cursor, query = {}) {
  const page = await get(path, { query })
  rows.value = itemsOf(page)
  cursor.value = (page && page.next_cursor) || null
  return page
}

/** Append the next page of a paged list (加载更多) to `rows` and move `cursor` on (refs); errors are shown by api(). */
export async function loadMore(path, rows, cursor, query = {}) {
  if (!cursor.value) return
  try {
    const page = await get(path, { query: { ...query, cursor: cursor.value } })
    rows.value.push(...itemsOf(page))
    cursor.value = page.next_cursor || null
  } catch {
    // shown by api()
  }
}
