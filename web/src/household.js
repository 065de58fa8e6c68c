// The signed-in resident and the household members they act for (dependents without a phone).
import { ref } from 'vue'
import { getOptional, itemsOf } from './api'

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
