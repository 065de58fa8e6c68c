// Data of the command dashboard, per scope level (city → county → community), from the big-data API
// (views over the lake) and the checkpoints' live counters. Each loader returns plain rows for the charts.
import { api, itemsOf } from './api'

function scopeQuery(scope) {
  if (scope.level === 'community') return { community_id: scope.community }
  if (scope.level === 'county') return { county_code: scope.county }
  return {}
}

const rowsOf = (response) => (response && Array.isArray(response.rows) ? response.rows : itemsOf(response))

/** Key persons by area and category: [{area, category, count}] where area is the next level down. */
export async function keyPersonsByArea(scope) {
  return rowsOf(await api('GET', '/dashboard/key-persons', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** New key persons per day: [{date, count}]. */
export async function keyPersonTrend(scope) {
  return rowsOf(await api('GET', '/dashboard/key-persons/trend', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** Codes by colour and the check-in rate per day: [{date, green, yellow, red, codes, checkins, checkin_rate}]. */
export async function codesTrend(scope) {
  return rowsOf(await api('GET', '/dashboard/codes/trend', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** Tip-offs by category over the last days: [{category, department, count}]. */
export async function tipoffsByCategory(scope) {
  return rowsOf(await api('GET', '/dashboard/tipoffs', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** 12345 work orders by status: [{status, orders, overdue, resolved}]. */
export async function workOrdersByStatus(scope) {
  return rowsOf(await api('GET', '/dashboard/work-orders', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** Codes by colour per area: [{area, green, yellow, red}] and check-in rate. */
export async function codesByArea(scope) {
  return rowsOf(await api('GET', '/dashboard/codes', undefined, { quiet: true, query: scopeQuery(scope) }))
}

/** Checkpoint traffic today from the live counters. */
export async function checkpointTraffic(scope) {
  if (scope.level === 'community') return api('GET', `/communities/${scope.community}/checkpoint-stats`, undefined, { quiet: true })
  if (scope.level === 'county') return api('GET', `/counties/${scope.county}/checkpoint-stats`, undefined, { quiet: true })
  return api('GET', '/checkpoint-stats', undefined, { quiet: true })
}

/** The live key-person list of one community (the last drill-down step), read from DynamoDB, not the lake. */
export async function keyPersonList(scope) {
  return itemsOf(await api('GET', `/dashboard/communities/${scope.community}/key-persons`, undefined, { quiet: true, query: { status: 'active', limit: 100 } }))
}

/** Sum rows by area: {area: total}. */
export function totalsByArea(rows, field = 'count') {
  const totals = {}
  for (const row of rows) {
    const area = row.area || row.community_id || row.county_code || row.category
    totals[area] = (totals[area] || 0) + Number(row[field] || 0)
  }
  return totals
}

/** Return to work (复工复产): enterprises resumed and workers with green codes, from the enterprises' roll-ups. */
export async function returnToWork(scope) {
  return api('GET', '/enterprises/statistics', undefined, { quiet: true, query: scope.level === 'county' ? { county_code: scope.county } : {} })
}
