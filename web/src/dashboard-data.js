// Data of the command dashboard, per scope level (city → county → community), from the big-data API
// (views over the lake) and the checkpoints' live counters. Each loader answers {value, asOf}: the figure's rows
// (or object) for the charts, and when the server computed it (null for live counters: as of now).
import { api, itemsOf } from './api'

function scopeQuery(scope) {
  if (scope.level === 'community') return { community_id: scope.community }
  if (scope.level === 'county') return { county_code: scope.county }
  return {}
}

const rowsOf = (response) => (response && Array.isArray(response.rows) ? response.rows : itemsOf(response))
const stampOf = (response) => (response && ((response.query && response.query.as_of) || response.as_of)) || null

async function figure(path, scope) {
  const response = await api('GET', path, undefined, { quiet: true, query: scopeQuery(scope) })
  return { value: rowsOf(response), asOf: stampOf(response) }
}

/** Key persons by area and category: [{area, category, count}] where area is the next level down. */
export const keyPersonsByArea = (scope) => figure('/dashboard/key-persons', scope)

/** New key persons per day: [{date, count}]. */
export const keyPersonTrend = (scope) => figure('/dashboard/key-persons/trend', scope)

/** Codes by colour and the check-in rate per day: [{date, green, yellow, red, codes, checkins, checkin_rate}]. */
export const codesTrend = (scope) => figure('/dashboard/codes/trend', scope)

/** Tip-offs by category over the last days: [{category, department, count}]. */
export const tipoffsByCategory = (scope) => figure('/dashboard/tipoffs', scope)

/** Lab tests (核酸) per day of sampling: [{date, tests, positives, negatives}]. */
export const labTestsTrend = (scope) => figure('/dashboard/lab-tests', scope)

/** 12345 work orders by status: [{status, orders, overdue, resolved}]. */
export const workOrdersByStatus = (scope) => figure('/dashboard/work-orders', scope)

/** Codes by colour per area: [{area, green, yellow, red}] and check-in rate. */
export const codesByArea = (scope) => figure('/dashboard/codes', scope)

/** Supplies per item and tier: [{item, tier, requested, allocated, dispatched, received, stock_available}]
 * (city or county only). */
export const suppliesByItem = (scope) => figure('/dashboard/supplies', scope.level === 'county' ? scope : { level: 'city' })

/** Checkpoint traffic today from the live counters. */
export async function checkpointTraffic(scope) {
  let path = '/checkpoint-stats'
  if (scope.level === 'community') path = `/communities/${scope.community}/checkpoint-stats`
  else if (scope.level === 'county') path = `/counties/${scope.county}/checkpoint-stats`
  return { value: await api('GET', path, undefined, { quiet: true }), asOf: null }
}

/** The live key-person list of one community (the last drill-down step), read from DynamoDB, not the lake. */
export async function keyPersonList(scope) {
  const response = await api('GET', `/dashboard/communities/${scope.community}/key-persons`, undefined, { quiet: true, query: { status: 'active', limit: 100 } })
  return { value: itemsOf(response), asOf: stampOf(response) }
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
  const response = await api('GET', '/enterprises/statistics', undefined, { quiet: true, query: scope.level === 'county' ? { county_code: scope.county } : {} })
  return { value: response, asOf: stampOf(response) }
}
