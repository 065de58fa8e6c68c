// One list read page by page from a route that answers `{items, next_cursor}`: `reload()` starts over (an answer
// for an earlier choice of tab, filter or community is dropped, see newest.js), `more()` appends the next page;
// `next` is set while there is one (show 加载更多 / Load more then, components/MoreButton.vue).
//
//   const requests = paged((cursor) => get('/residents/me/hardship-requests', { query: { cursor, limit: 20 } }))
//   onMounted(requests.reload)
import { reactive } from 'vue'
import { itemsOf } from './api'
import { newest } from './newest'

export function paged(fetchPage) {
  const ticket = newest()
  const list = reactive({ items: [], next: null, loading: false, loaded: false })
  async function read(cursor) {
    const current = ticket()
    list.loading = true
    try {
      const page = await fetchPage(cursor || undefined)
      if (!current()) return
      list.items = cursor ? [...list.items, ...itemsOf(page)] : itemsOf(page)
      list.next = (page && page.next_cursor) || null
    } catch {
      // shown by api()
    } finally {
      if (current()) {
        list.loading = false
        list.loaded = true
      }
    }
  }
  list.reload = () => read(null)
  list.more = () => (list.next ? read(list.next) : Promise.resolve())
  return list
}
