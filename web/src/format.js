// Small display helpers shared by the screens.
// Dates and times: always Asia/Shanghai (the city's clock, whatever the phone says), one format per locale.
const ZONE = 'Asia/Shanghai'
const TIME_FORMATS = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }),
}
// A calendar day (the API's YYYY-MM-DD) is a day, not an instant: formatted as it is, never shifted by a zone.
const DAY_FORMATS = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }),
}
const DAY_OF_INSTANT = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }),
  en: new Intl.DateTimeFormat('en-GB', { timeZone: ZONE, day: 'numeric', month: 'short', year: 'numeric' }),
}
const CALENDAR_DAY = /^\d{4}-\d{2}-\d{2}$/
const pick = (formats, locale) => formats[locale === 'en' ? 'en' : 'zh-CN']

/** An instant (ISO time from the API) as date and time in Shanghai; a bare day as a day. */
export function formatTime(value, locale) {
  if (!value) return ''
  if (CALENDAR_DAY.test(String(value))) return formatDate(value, locale)
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return pick(TIME_FORMATS, locale).format(date)
}

/** A day: a YYYY-MM-DD as it is, an instant as its day in Shanghai. */
export function formatDate(value, locale) {
  if (!value) return ''
  const text = String(value)
  if (CALENDAR_DAY.test(text)) return pick(DAY_FORMATS, locale).format(new Date(`${text}T00:00:00Z`))
  const date = new Date(text)
  if (Number.isNaN(date.getTime())) return text
  return pick(DAY_OF_INSTANT, locale).format(date)
}

export function newsLabel(item, t, locale) {
  const parts = []
  if (item.kind) parts.push(t(`news.categories.${item.kind}`, item.kind))
  const when = item.published_at || item.updated_at
  if (when) parts.push(formatDate(when, locale))
  return parts.join(' · ')
}

export function pad(value) {
  return String(value).padStart(2, '0')
}
