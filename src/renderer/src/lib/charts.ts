// Chart.js set-up shared by every chart: the registered pieces, and colours read from the app's
// theme so charts follow light and dark mode.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js'

// Only the pieces the workbench draws, so the bundle carries no unused chart types.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
  Legend
)

export type AnyChartConfig = ChartConfiguration<'bar' | 'line' | 'scatter', unknown[], unknown>

/** A shaded horizontal band on the x axis (e.g. a training phase), drawn under the data. */
export interface Band {
  from: number
  to: number
  color: string
}

export interface Theme {
  fg: string
  muted: string
  grid: string
  accent: string
  good: string
  bad: string
  warn: string
  odd: string
  policy: string
  rubric: string
  policyBg: string
  rubricBg: string
}

/** Chart colours come from the app's CSS variables, so charts follow the light/dark theme. */
export function readTheme(): Theme {
  const css = getComputedStyle(document.documentElement)
  const v = (name: string): string => css.getPropertyValue(name).trim()
  return {
    fg: v('--fg'),
    muted: v('--fg-muted'),
    grid: v('--border'),
    accent: v('--accent'),
    good: v('--good-fg'),
    bad: v('--bad-fg'),
    warn: v('--warn-fg'),
    odd: v('--odd-fg'),
    policy: v('--policy-fg'),
    rubric: v('--rubric-fg'),
    policyBg: v('--policy-bg'),
    rubricBg: v('--rubric-bg'),
  }
}
