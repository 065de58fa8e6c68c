// Small display helpers shared by the screens.
export function formatTime(value, locale) {
  if (!value) return ''
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) return String(value)
  return date.toLocaleString(locale === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false })
}

export function newsLabel(item, t) {
  const parts = []
  if (item.kind) parts.push(t(`news.categories.${item.kind}`, item.kind))
  const when = item.published_at || item.updated_at
  if (when) parts.push(String(when).slice(0, 10))
  return parts.join(' · ')
}

export function pad(value) {
  return String(value).padStart(2, '0')
}
