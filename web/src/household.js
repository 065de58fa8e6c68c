// The signed-in resident and the household members they act for (dependents without a phone).
import { computed, ref } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { showConfirmDialog, showFailToast } from 'vant'
import { getOptional, itemsOf } from './api'
import { session } from './auth'
import { i18n } from './i18n'

export const me = ref(null)
export const dependents = ref([])

export async function loadHousehold() {
  me.value = await getOptional('/residents/me')
  if (!me.value) {
    dependents.value = []
    return
  }
  const members = itemsOf(await getOptional('/residents/me/household'))
  dependents.value = members.filter((member) => member.person_id !== me.value.person_id)
}

/** `?person=<id>` for a dependent, nothing for oneself. */
export function personQuery(personId) {
  return personId ? { person: personId } : undefined
}

// --- acting for a family member (issue 15): the person travels in the route's `?person=` ---

let loading = null
/** The household, loaded once per screen visit (shared by the switcher and the confirmation). */
export function ensureHousehold() {
  if (!loading) loading = loadHousehold().finally(() => (loading = null))
  return loading
}

/** The (masked) name of a household member, '' when unknown. `''` is the signed-in resident. */
export function nameOf(personId) {
  if (!personId) return (me.value && me.value.name) || ''
  const member = dependents.value.find((item) => item.person_id === personId)
  return member ? member.name : ''
}

/**
 * The person a resident screen acts for, kept in the route's `?person=` so that it survives every link and
 * reload, and a v-model for the PersonSwitcher that rewrites the query.
 */
export function usePerson() {
  const route = useRoute()
  const router = useRouter()
  const person = computed({
    get: () => (typeof route.query.person === 'string' ? route.query.person : ''),
    set: (value) => router.replace({ query: { ...route.query, person: value || undefined } }),
  })
  const personName = computed(() => nameOf(person.value))
  /** A route to another screen for the same person. */
  const withPerson = (name) => ({ name, query: person.value ? { person: person.value } : {} })
  return { person, personName, withPerson }
}

/**
 * Ask before filing for someone: "为 吴** 提交?" when the household has dependents (whoever is chosen), so a
 * head never files a family member's record as their own or the other way round. Resolves true to go on; a
 * person who is not in the household is said and refused here.
 */
export async function confirmPerson(personId, actionKey) {
  await ensureHousehold().catch(() => {})
  if (personId && !dependents.value.some((item) => item.person_id === personId)) {
    showFailToast(i18n.global.t('household.unknownMember'))
    return false
  }
  if (!dependents.value.length) return true
  const t = i18n.global.t
  const name = nameOf(personId) || t('household.self')
  const who = personId ? name : `${t('household.self')} ${name}`.trim()
  try {
    await showConfirmDialog({ title: t('household.confirmTitle'), message: t('household.confirm', { who, action: t(actionKey) }), className: 'person-confirm' })
    return true
  } catch {
    return false
  }
}

const records = new Map()

/** The signed-in resident's own record (null before registration), fetched once per account. */
export async function residentRecord() {
  const sub = session.current && session.current.sub
  if (!sub) return null
  if (!records.has(sub)) {
    const record = await getOptional('/residents/me')
    if (!record) return null // not cached: registration is the next thing they do
    records.set(sub, record)
  }
  return records.get(sub)
}
