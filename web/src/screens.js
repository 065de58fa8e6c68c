// The staff screens of screens.json: routes, home tiles and "may this viewer do that here" from one declaration,
// which tests/test_screens.py checks against the API's route table.
import declared from './screens.json'
import { session } from './auth'

export const SCREENS = declared.screens

/** A router record for a staff screen. */
export function screen(name, component) {
  const entry = SCREENS[name]
  return { path: entry.path, name, component, meta: { roles: entry.roles, screen: name, wide: entry.layout === 'wide' } }
}

/** The viewer's roles for which screen `name` is offered: its roles, narrowed by `only` (role → scope values). */
function viewerRoles(entry) {
  const current = session.current
  if (!current) return []
  return entry.roles.filter((role) => {
    if (!current.roles.includes(role)) return false
    const only = entry.only && entry.only[role]
    // a null value: the attribute is absent (a city-wide commander has no county_code)
    return !only || Object.entries(only).every(([attribute, value]) => (value === null ? !current.scope[attribute] : current.scope[attribute] === value))
  })
}

/** Whether the signed-in viewer may open screen `name`. */
export function mayOpen(name) {
  const entry = SCREENS[name]
  return Boolean(entry) && viewerRoles(entry).length > 0
}

/** The roles to which screen `name` offers the API operation `op` ("POST /supplies/runs"). */
export function rolesFor(name, op) {
  const entry = SCREENS[name]
  const who = entry && entry.calls[op]
  if (!who) {
    console.error(`screens.json: ${name} does not declare ${op}`)
    return []
  }
  return who === '*' ? entry.roles : who
}

/** Whether the signed-in viewer is offered `op` on screen `name`. */
export function canCall(name, op) {
  const roles = rolesFor(name, op)
  return roles.length > 0 && viewerRoles(SCREENS[name]).some((role) => roles.includes(role))
}

/** The home menu's staff tiles for the signed-in viewer. */
export function homeTiles() {
  return Object.entries(SCREENS)
    .filter(([name, entry]) => entry.menu === 'home' && mayOpen(name))
    .map(([name, entry]) => ({ name, icon: entry.icon, label: entry.label }))
}
