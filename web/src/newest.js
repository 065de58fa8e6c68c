// A list that follows a selector (a tab, a community, an item, a filter) can start a second load before the first
// has answered, and the answers can arrive in either order: the slower, older one must not overwrite the newer.
// `newest()` makes a ticket machine for one list: take a ticket when a load starts, and apply its answer only if
// no later load has started since.
//
//   const ticket = newest()
//   async function load() {
//     const current = ticket()
//     const page = await get(...)
//     if (current()) rows.value = page.items
//   }
export function newest() {
  let last = 0
  return () => {
    const mine = ++last
    return () => mine === last
  }
}
