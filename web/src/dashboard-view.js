// The command dashboard's state and charts, shared by the phone dashboard (views/staff/Dashboard.vue) and the
// big-screen command centre (views/staff/CommandCentre.vue): one set of loaders, one set of chart options.
// A figure that has not answered yet for the current area is `loading`, never a row of zeros; a refresh keeps the
// figures on screen until the new ones arrive; an answer for an earlier area is dropped (newest.js).
import { computed, onBeforeUnmount, onMounted, reactive, ref } from 'vue'
import { hasRole, session } from './auth'
import { checkpointTraffic, codesByArea, codesTrend, keyPersonList, keyPersonsByArea, keyPersonTrend, labTestsTrend, returnToWork, suppliesByItem, tipoffsByCategory, totalsByArea, workOrdersByStatus } from './dashboard-data'
import { newest } from './newest'
import { countyName, loadRegions, placeName, regions } from './regions'
import { KEY_PERSON_CATEGORIES } from './vocab'

export const COLORS = { green: '#1a7f37', yellow: '#d4a106', red: '#c8102e' }
const FIGURES = ['keyPersons', 'trend', 'codesTrend', 'codes', 'traffic', 'list', 'orders', 'work', 'supplies', 'labTests']

/** Where the viewer's dashboard starts: the city, their county or their community. */
export function initialScope() {
  const own = (session.current && session.current.scope) || {}
  if (hasRole('commander', 'admin') && !own.county_code) return { level: 'city', county: '', community: '' }
  if (hasRole('commander') && own.county_code) return { level: 'county', county: own.county_code, community: '' }
  const community = own.community_id || ''
  return { level: 'community', county: community.split('-')[0], community }
}

/** Whether the viewer may go up to `level` (a county commander stays in their county). */
export function mayGoTo(level) {
  const own = (session.current && session.current.scope) || {}
  if (level === 'city') return hasRole('admin') || (hasRole('commander') && !own.county_code)
  if (level === 'county') return hasRole('admin', 'commander')
  return true
}

/** The scope one step down from `scope` into area `id`, or null at the last step. */
export function drilledInto(scope, id) {
  if (scope.level === 'city') return { level: 'county', county: id, community: '' }
  if (scope.level === 'county') return { level: 'community', county: scope.county, community: id }
  return null
}

/** The scope of a breadcrumb's level above `scope`. */
export function upTo(scope, level) {
  if (level === 'city') return { level: 'city', county: '', community: '' }
  if (level === 'county') return { level: 'county', county: scope.county, community: '' }
  return { ...scope }
}

/** A community's own name, without its county's (in the viewer's language). */
function ownName(id) {
  const hit = regions.value.flatMap((county) => county.communities).find((item) => item.id === id)
  return hit ? placeName(hit) : id
}

export const share = (value) => (value === null || value === undefined ? '—' : `${Math.round(value * 1000) / 10}%`)

/** The dashboard of `scope` (reactive {level, county, community}); `supplies` adds the supplies figure. */
export function useDashboard({ t, scope, supplies = false }) {
  const keyRows = ref([])
  const trendRows = ref([])
  const codesTrendRows = ref([])
  const tipoffRows = ref([])
  const orderRows = ref([])
  const codeRows = ref([])
  const supplyRows = ref([])
  const labRows = ref([])
  const traffic = ref(null)
  const keyPersons = ref([])
  const work = ref(null)
  const errors = reactive(Object.fromEntries(FIGURES.map((key) => [key, ''])))
  const loading = reactive(Object.fromEntries(FIGURES.map((key) => [key, false])))
  // When each figure was computed (the lake's figures are cached for a minute; live counters answer "now").
  const stamps = reactive({})
  const ticket = newest()

  const areas = computed(() => {
    if (scope.level === 'city') return regions.value.map((county) => ({ id: county.county_code, name: countyName(county.county_code) }))
    if (scope.level === 'county') {
      const county = regions.value.find((item) => item.county_code === scope.county)
      return county ? county.communities.map((item) => ({ id: item.id, name: placeName(item) })) : []
    }
    return []
  })
  const keyTotals = computed(() => totalsByArea(keyRows.value))
  const areaRows = computed(() => areas.value.map((area) => ({ ...area, total: keyTotals.value[area.id] || 0 })).sort((a, b) => b.total - a.total))

  const crumbs = computed(() => {
    const list = [{ level: 'city', label: t('dashboard.city') }]
    if (scope.county) list.push({ level: 'county', label: countyName(scope.county) })
    if (scope.community) list.push({ level: 'community', label: ownName(scope.community) })
    return list
  })

  /** The area a chart click names (a map region or a bar), if it is one of the areas shown. */
  function areaOf(params) {
    const id = (params.data && params.data.id) || params.name
    if (!id) return null
    const known = areaRows.value.find((area) => area.id === id || area.name === id)
    return known ? known.id : null
  }

  /** The oldest "computed at" of the figures on screen: what the whole screen is as fresh as. */
  const asOf = computed(() => {
    const known = Object.values(stamps).filter(Boolean).sort()
    return known.length ? known[0] : null
  })

  const colourCounts = computed(() => {
    const codes = { green: 0, yellow: 0, red: 0 }
    for (const row of codeRows.value) for (const color of Object.keys(codes)) codes[color] += Number(row[color] || 0)
    return codes
  })

  const kpis = computed(() => {
    const codes = colourCounts.value
    const totals = (traffic.value && traffic.value.totals) || {}
    const keyTotal = keyRows.value.reduce((sum, row) => sum + Number(row.count || 0), 0)
    const value = (count, figure) => (loading[figure] ? null : count) // shown as a spinner, never as a zero
    return [
      { key: 'green', label: 'colors.green', value: value(codes.green, 'codes'), color: COLORS.green, loading: loading.codes },
      { key: 'yellow', label: 'colors.yellow', value: value(codes.yellow, 'codes'), color: COLORS.yellow, loading: loading.codes },
      { key: 'red', label: 'colors.red', value: value(codes.red, 'codes'), color: COLORS.red, loading: loading.codes },
      { key: 'key', label: 'dashboard.keyPersons', value: value(keyTotal, 'keyPersons'), loading: loading.keyPersons },
      { key: 'scans', label: 'stats.scans', value: value(totals.scans, 'traffic'), loading: loading.traffic },
      { key: 'fevers', label: 'stats.fevers', value: value(totals.fevers, 'traffic'), color: COLORS.red, loading: loading.traffic },
    ]
  })

  const mapOption = computed(() => {
    const max = Math.max(1, ...Object.values(keyTotals.value))
    return {
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${p.value || 0}` },
      visualMap: { min: 0, max, left: 8, bottom: 8, calculable: true, itemHeight: 80, inRange: { color: ['#fff3e0', '#ffb74d', '#e65100', '#b71c1c'] }, text: [t('dashboard.more'), t('dashboard.fewer')] },
      series: [
        {
          type: 'map',
          map: 'sanmenxia',
          roam: false,
          nameProperty: 'code',
          label: { show: true, fontSize: 11, color: '#3b2300', formatter: (p) => countyName(p.name) },
          emphasis: { label: { show: true } },
          data: regions.value.map((county) => ({ name: county.county_code, id: county.county_code, value: keyTotals.value[county.county_code] || 0 })),
        },
      ],
    }
  })

  const barOption = computed(() => {
    if (scope.level === 'community') {
      const byCategory = totalsByArea(keyRows.value.map((row) => ({ area: row.category, count: row.count })))
      return {
        tooltip: {},
        grid: { left: 100, right: 16, top: 10, bottom: 24 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: KEY_PERSON_CATEGORIES.map((c) => t(`keyPersonCategories.${c}`)) },
        series: [{ type: 'bar', data: KEY_PERSON_CATEGORIES.map((c) => byCategory[c] || 0), itemStyle: { color: '#e65100' } }],
      }
    }
    const list = areas.value
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 72, right: 16, top: 30, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: list.map((area) => area.name), inverse: true },
      series: KEY_PERSON_CATEGORIES.map((category) => ({
        name: t(`keyPersonCategories.${category}`),
        type: 'bar',
        stack: 'total',
        data: list.map((area) => ({
          id: area.id,
          value: keyRows.value.filter((row) => (row.area || row.community_id || row.county_code) === area.id && row.category === category).reduce((s, r) => s + Number(r.count || 0), 0),
        })),
      })),
    }
  })

  const trendOption = computed(() => {
    const days = [...new Set([...trendRows.value.map((row) => row.date), ...codesTrendRows.value.map((row) => row.date)])].sort()
    const newByDay = Object.fromEntries(trendRows.value.map((row) => [row.date, Number(row.count || 0)]))
    const rateByDay = Object.fromEntries(codesTrendRows.value.map((row) => [row.date, row.checkin_rate === null || row.checkin_rate === undefined ? null : Math.round(row.checkin_rate * 1000) / 10]))
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 36, right: 40, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: days.map((day) => String(day).slice(5)) },
      yAxis: [
        { type: 'value', minInterval: 1 },
        { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      ],
      series: [
        { name: t('dashboard.newKeyPersons'), type: 'bar', itemStyle: { color: '#e65100' }, data: days.map((day) => newByDay[day] ?? 0) },
        { name: t('dashboard.checkinRate'), type: 'line', yAxisIndex: 1, smooth: true, itemStyle: { color: COLORS.green }, data: days.map((day) => rateByDay[day] ?? null) },
      ],
    }
  })

  const labOption = computed(() => {
    const rows = labRows.value
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 36, right: 12, top: 30, bottom: 30 },
      xAxis: { type: 'category', data: rows.map((row) => String(row.date).slice(5)) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('dashboard.labNegatives'), type: 'bar', stack: 'tests', itemStyle: { color: COLORS.green }, data: rows.map((row) => Number(row.negatives || 0)) },
        { name: t('dashboard.labPositives'), type: 'bar', stack: 'tests', itemStyle: { color: COLORS.red }, data: rows.map((row) => Number(row.positives || 0)) },
      ],
    }
  })

  const ordersOption = computed(() => {
    const tips = [...tipoffRows.value].sort((a, b) => Number(b.count) - Number(a.count)).slice(0, 6)
    const statuses = ['received', 'dispatched', 'handling', 'replied', 'revisited', 'closed']
    const byStatus = Object.fromEntries(orderRows.value.map((row) => [row.status, row]))
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: [
        { left: 64, right: 12, top: 30, height: 80 },
        { left: 64, right: 12, top: 140, height: 80 },
      ],
      xAxis: [
        { type: 'category', gridIndex: 0, data: statuses.map((status) => t(`orderStates.${status}`)), axisLabel: { interval: 0, fontSize: 10 } },
        { type: 'value', gridIndex: 1, minInterval: 1 },
      ],
      yAxis: [
        { type: 'value', gridIndex: 0, minInterval: 1 },
        { type: 'category', gridIndex: 1, inverse: true, data: tips.map((row) => t(`tipoffCategories.${row.category}`, row.category)), axisLabel: { fontSize: 10 } },
      ],
      series: [
        { name: t('dashboard.ordersOpen'), type: 'bar', stack: 'orders', xAxisIndex: 0, yAxisIndex: 0, data: statuses.map((status) => Number((byStatus[status] || {}).orders || 0) - Number((byStatus[status] || {}).overdue || 0)) },
        { name: t('hotline.overdue'), type: 'bar', stack: 'orders', xAxisIndex: 0, yAxisIndex: 0, itemStyle: { color: COLORS.red }, data: statuses.map((status) => Number((byStatus[status] || {}).overdue || 0)) },
        { name: t('dashboard.tipoffs'), type: 'bar', xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: '#5470c6' }, data: tips.map((row) => Number(row.count || 0)) },
      ],
    }
  })

  const codesOption = computed(() => {
    const list = scope.level === 'community' ? [{ id: scope.community, name: ownName(scope.community) }] : areas.value
    const rowFor = (id) => codeRows.value.find((row) => (row.area || row.community_id || row.county_code) === id) || {}
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 72, right: 16, top: 30, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: list.map((area) => area.name), inverse: true },
      series: ['green', 'yellow', 'red'].map((color) => ({
        name: t(`colors.${color}`),
        type: 'bar',
        stack: 'codes',
        itemStyle: { color: COLORS[color] },
        data: list.map((area) => ({ id: area.id, value: Number(rowFor(area.id)[color] || 0) })),
      })),
    }
  })

  const trafficOption = computed(() => {
    const data = traffic.value || {}
    let categories = []
    let passes = []
    let stops = []
    if (scope.level === 'city') {
      const counties = data.counties || []
      categories = counties.map((item) => countyName(item.county_code))
      passes = counties.map((item) => ({ id: item.county_code, value: item.totals.passes }))
      stops = counties.map((item) => ({ id: item.county_code, value: item.totals.stops }))
    } else if (scope.level === 'community') {
      const checkpoints = data.checkpoints || []
      categories = checkpoints.map((item) => item.name)
      passes = checkpoints.map((item) => item.totals.passes)
      stops = checkpoints.map((item) => item.totals.stops)
    } else {
      const hours = data.hours || []
      categories = hours.map((item) => `${item.hour}:00`)
      passes = hours.map((item) => item.passes)
      stops = hours.map((item) => item.stops)
    }
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 40, right: 16, top: 30, bottom: 40 },
      xAxis: { type: 'category', data: categories, axisLabel: { interval: 0, rotate: categories.length > 4 ? 30 : 0 } },
      yAxis: { type: 'value', minInterval: 1 },
      series: [
        { name: t('stats.passes'), type: 'bar', stack: 'gate', itemStyle: { color: COLORS.green }, data: passes },
        { name: t('stats.stops'), type: 'bar', stack: 'gate', itemStyle: { color: COLORS.red }, data: stops },
      ],
    }
  })

  /** Supplies per item: asked, received and in stock (the tiers summed). */
  const suppliesOption = computed(() => {
    const byItem = {}
    for (const row of supplyRows.value) {
      const item = (byItem[row.item] = byItem[row.item] || { requested: 0, received: 0, stock: 0 })
      item.requested += Number(row.requested || 0)
      item.received += Number(row.received || 0)
      item.stock = Math.max(item.stock, Number(row.stock_available || 0))
    }
    const items = Object.keys(byItem).sort()
    const series = [
      ['requested', 'bo.command.requested', '#5470c6'],
      ['received', 'bo.command.received', COLORS.green],
      ['stock', 'bo.command.stock', '#8a6d00'],
    ]
    return {
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 64, right: 16, top: 30, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', inverse: true, data: items.map((item) => t(`bo.items.${item}`, item)) },
      series: series.map(([key, label, color]) => ({ name: t(label), type: 'bar', itemStyle: { color }, data: items.map((item) => byItem[item][key]) })),
    }
  })

  async function load({ clear = true } = {}) {
    const current = { ...scope }
    const fresh = ticket()
    // The previous level's figures never show under the new level's names.
    if (clear) {
      for (const rows of [keyRows, trendRows, codesTrendRows, tipoffRows, orderRows, codeRows, keyPersons, supplyRows, labRows]) rows.value = []
      traffic.value = null
      work.value = null
      for (const key of Object.keys(stamps)) delete stamps[key]
    }
    const attempt = async (key, loader, apply) => {
      if (clear) loading[key] = true
      try {
        const answer = await loader()
        if (!fresh()) return
        errors[key] = ''
        apply(answer.value)
        stamps[key] = answer.asOf
      } catch (error) {
        if (!fresh()) return
        if (clear) apply(null)
        errors[key] = error.message
      } finally {
        if (fresh()) loading[key] = false
      }
    }
    const tasks = [
      attempt('keyPersons', () => keyPersonsByArea(current), (rows) => (keyRows.value = rows || [])),
      attempt('trend', () => keyPersonTrend(current), (rows) => (trendRows.value = rows || [])),
      attempt('codesTrend', () => codesTrend(current), (rows) => (codesTrendRows.value = rows || [])),
      attempt(
        'orders',
        async () => {
          const [tips, orders] = await Promise.all([tipoffsByCategory(current), workOrdersByStatus(current)])
          return { value: [tips.value, orders.value], asOf: [tips.asOf, orders.asOf].filter(Boolean).sort()[0] || null }
        },
        (pair) => {
          tipoffRows.value = (pair && pair[0]) || []
          orderRows.value = (pair && pair[1]) || []
        },
      ),
      attempt('codes', () => codesByArea(current), (rows) => (codeRows.value = rows || [])),
      attempt('labTests', () => labTestsTrend(current), (rows) => (labRows.value = rows || [])),
      attempt('traffic', () => checkpointTraffic(current), (data) => (traffic.value = data)),
    ]
    if (current.level === 'community') tasks.push(attempt('list', () => keyPersonList(current), (rows) => (keyPersons.value = rows || [])))
    if (current.level !== 'community' && hasRole('commander', 'admin')) {
      tasks.push(attempt('work', () => returnToWork(current), (data) => (work.value = data)))
      if (supplies) tasks.push(attempt('supplies', () => suppliesByItem(current), (rows) => (supplyRows.value = rows || [])))
    }
    await Promise.all(tasks)
  }

  return {
    keyRows, trendRows, codesTrendRows, tipoffRows, orderRows, codeRows, supplyRows, labRows, traffic, keyPersons, work, errors, loading, asOf,
    areas, keyTotals, areaRows, crumbs, areaOf, colourCounts, kpis, mapOption, barOption, trendOption, ordersOption, codesOption, trafficOption, suppliesOption, labOption, load,
  }
}

const REFRESH_MS = 60_000

/** Load the figures when the screen opens, then again every minute while it is visible (the big-data API caches a
 * figure for that long) and at once when it becomes visible again, keeping the figures on screen meanwhile. */
export function loadAndRefresh(load) {
  let refresher = null
  const again = () => document.visibilityState === 'visible' && load({ clear: false })
  onMounted(async () => {
    await loadRegions().catch(() => {})
    load()
    refresher = window.setInterval(again, REFRESH_MS)
    document.addEventListener('visibilitychange', again)
  })
  onBeforeUnmount(() => {
    window.clearInterval(refresher)
    document.removeEventListener('visibilitychange', again)
  })
}

/** A server instant ("2020-02-25T01:02:03Z") as Sanmenxia's wall-clock time, "02-25 09:02". */
export function wallClock(iso) {
  if (!iso) return ''
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(new Date(iso))
      .map((part) => [part.type, part.value]),
  )
  return `${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`
}
