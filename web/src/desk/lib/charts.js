// ECharts with the pieces the desk pages draw (bars, lines, pies, gauges, heat maps), and a
// small helper that gives a view one chart per element, resized with the window and disposed
// with the view.
import { onBeforeUnmount, onMounted } from 'vue'
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart, GaugeChart, HeatmapChart } from 'echarts/charts'
import {
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  TitleComponent,
  MarkLineComponent,
} from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GaugeChart,
  HeatmapChart,
  GridComponent,
  TooltipComponent,
  LegendComponent,
  VisualMapComponent,
  TitleComponent,
  MarkLineComponent,
  CanvasRenderer,
])

export { echarts }

export const PALETTE = ['#1f5fae', '#2e9d4f', '#e6a23c', '#d93026', '#7b5fc7', '#14a3b8', '#8c6d46', '#c05b9b', '#5b7db1', '#909399']

// useCharts(): `draw(el, option)` draws (or redraws) the chart of an element.
export function useCharts(theme) {
  const charts = new Map()
  const resize = () => charts.forEach((c) => c.resize())

  function draw(el, option) {
    if (!el) return null
    let chart = charts.get(el)
    if (!chart || chart.isDisposed()) {
      chart = echarts.init(el, theme)
      charts.set(el, chart)
    }
    chart.setOption(option, true)
    return chart
  }

  onMounted(() => window.addEventListener('resize', resize))
  onBeforeUnmount(() => {
    window.removeEventListener('resize', resize)
    charts.forEach((c) => c.dispose())
    charts.clear()
  })
  return { draw, resize }
}

// A rate in per cent for display: "96.5%", or "—" when there was nothing to count.
export function pct(value, digits = 1) {
  return value === null || value === undefined || Number.isNaN(value) ? '—' : `${Number(value).toFixed(digits)}%`
}
