// The signed-in resident and the household members they act for (dependents without a phone).
import { ref } from 'vue'
import { getOptional, itemsOf } from './api'
import { session } from './auth'

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
