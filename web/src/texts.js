// Server texts arrive as a code with parameters (sanmenxia.texts): `<field>_code` and `<field>_params` beside the
// old `<field>` sentence. serverText renders `texts.<code>` in the chosen language; a parameter that is a code
// of a shared vocabulary (a colour, a category, a measure…) or a time is put in words first. Records written
// before texts had codes still show their sentence.
import { formatDate, formatTime } from './format'

// parameter name → the locale group that names its values
const GROUPS = {
  color: 'colors',
  category: 'keyPersonCategories',
  measure: 'measures',
  isolation: 'isolation',
  status: 'hardshipStates',
  kind: 'hardships',
  risk: 'risk',
  role: 'roles',
  hold_kind: 'holdKinds',
}
const LISTS = { fields: 'fields' } // comma-separated codes
const TIMES = new Set(['at'])
const DAYS = new Set(['date'])

function words(t, locale, name, value) {
  if (value === null || value === undefined) return ''
  if (TIMES.has(name)) return formatTime(value, locale)
  if (DAYS.has(name)) return formatDate(value, locale)
  if (GROUPS[name]) return t(`${GROUPS[name]}.${value}`, String(value))
  if (LISTS[name]) return String(value).split(',').filter(Boolean).map((item) => t(`${LISTS[name]}.${item}`, item)).join(', ')
  return value
}

/** The gate's advice (`{code, params}`, sanmenxia.checkpoints.rules.advice) in words. */
export function adviceText(t, locale, advice) {
  if (!advice || !advice.code) return ''
  const params = advice.params || {}
  const rendered = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, words(t, locale, name, value)]))
  return t(`texts.advice.${advice.code}`, rendered)
}

/** Who did a step of a 12345 order: a person's user name, or the system's part (intake, routing…) in words. */
export function actorName(t, step) {
  if (!step || !step.actor) return ''
  if (step.actor_role === 'system' || step.actor_role === 'citizen') return t(`texts.actors.${step.actor}`, t(`texts.actors.${step.actor_role}`))
  return step.actor
}

/** The text of `item[field]`: from `<field>_code` and `<field>_params` when the server sent a code. */
export function serverText(t, locale, item, field) {
  if (!item) return ''
  const code = item[`${field}_code`]
  if (!code) return item[field] || ''
  const params = item[`${field}_params`] || {}
  const rendered = Object.fromEntries(Object.entries(params).map(([name, value]) => [name, words(t, locale, name, value)]))
  return t(`texts.${code}`, rendered)
}

/** Why a field was refused (`fields[]` of an error answer): the code in words when the server sent one
 * (validation, sanmenxia.texts.FieldErrorCode), else the server's own reason. */
export function fieldErrorText(t, item) {
  if (!item) return ''
  if (item.code) return t(`texts.fieldErrors.${item.code}`, item.params || {})
  return item.reason || ''
}
