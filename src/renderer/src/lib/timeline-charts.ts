// Chart configurations for the timeline, built from the core's statistics. Pure data shaping:
// the drawing is Chart.js's (components/ChartCanvas.svelte).
import type { CheckpointStats, GapBin, Phase } from '../../../shared/domain'
import type { AnyChartConfig, Band, Theme } from './charts'

export interface Point {
  x: number
  y: number | null
  /** The checkpoint a point stands for, so a click can open its pairs. */
  id: string
}

/** Shade each stretch of steps by the phase that trained in it: (previous checkpoint, this one]. */
export function phaseBands(checkpoints: readonly { step: number; phase: Phase }[], theme: Theme): Band[] {
  const steps = [...new Set(checkpoints.map((c) => c.step))].sort((a, b) => a - b)
  const bands: Band[] = []
  let previous = Math.min(0, steps[0] ?? 0)
  for (const step of steps) {
    const phases = new Set(checkpoints.filter((c) => c.step === step).map((c) => c.phase))
    // A step where both phases saved a checkpoint belongs to neither alone: left unshaded.
    if (phases.size === 1) {
      const phase = [...phases][0]
      bands.push({ from: previous, to: step, color: phase === 'policy' ? theme.policyBg : theme.rubricBg })
    }
    previous = step
  }
  return bands
}

function points(stats: readonly CheckpointStats[], pick: (c: CheckpointStats) => number | null): Point[] {
  return stats.map((c) => ({ x: c.step, y: pick(c), id: c.id }))
}

const percentAxis = (theme: Theme) => ({
  min: 0,
  max: 1,
  ticks: { color: theme.muted, callback: (v: number | string) => `${Math.round(Number(v) * 100)}%` },
  grid: { color: theme.grid },
})

function stepAxis(theme: Theme, min: number, max: number) {
  return {
    type: 'linear' as const,
    min,
    max,
    title: { display: true, text: 'training step', color: theme.muted },
    ticks: { color: theme.muted },
    grid: { color: theme.grid },
  }
}

const legend = (theme: Theme) => ({ labels: { color: theme.fg, boxWidth: 12 } })

export interface StepRange {
  min: number
  max: number
}

export function stepRange(stats: readonly CheckpointStats[]): StepRange {
  const steps = stats.map((c) => c.step)
  const min = Math.min(0, ...steps)
  const max = Math.max(1, ...steps)
  return { min, max: max + Math.max(1, Math.round((max - min) * 0.02)) }
}

/** Checkpoints of both phases on one step axis: policy on the upper row, rubric on the lower. */
export function scheduleChart(stats: readonly CheckpointStats[], range: StepRange) {
  return (theme: Theme): AnyChartConfig => ({
    type: 'scatter',
    data: {
      datasets: (['policy', 'rubric'] as const).map((phase) => ({
        label: `${phase} checkpoints`,
        data: stats
          .filter((c) => c.phase === phase)
          .map((c) => ({ x: c.step, y: phase === 'policy' ? 1 : 0, id: c.id })),
        backgroundColor: phase === 'policy' ? theme.policy : theme.rubric,
        borderColor: phase === 'policy' ? theme.policy : theme.rubric,
        pointRadius: 6,
        pointHoverRadius: 8,
        pointStyle: phase === 'policy' ? 'circle' : 'rectRot',
      })),
    },
    options: {
      scales: {
        x: stepAxis(theme, range.min, range.max),
        y: {
          min: -0.6,
          max: 1.6,
          ticks: {
            color: theme.muted,
            stepSize: 1,
            callback: (v: number | string) => (Number(v) === 1 ? 'policy' : Number(v) === 0 ? 'rubric' : ''),
          },
          grid: { display: false },
        },
      },
      plugins: {
        legend: legend(theme),
        tooltip: {
          callbacks: {
            label: (item: { raw: unknown }) => `${(item.raw as Point).id} — click for its pairs`,
          },
        },
      },
    },
  })
}

/** The stored judge against the temporal label, per checkpoint window. */
export function judgeChart(stats: readonly CheckpointStats[], range: StepRange) {
  const withPairs = stats.filter((c) => c.pairs > 0)
  const policy = withPairs.filter((c) => c.phase === 'policy')
  const rubric = withPairs.filter((c) => c.phase === 'rubric')
  return (theme: Theme): AnyChartConfig => ({
    type: 'line',
    data: {
      datasets: [
        {
          label: 'win rate (newer scored higher)',
          data: points(policy, (c) => c.winRate),
          borderColor: theme.good,
          backgroundColor: theme.good,
        },
        {
          label: 'win rate, by rubric checkpoint',
          data: points(rubric, (c) => c.winRate),
          borderColor: theme.good,
          backgroundColor: theme.good,
          borderDash: [5, 4],
          pointStyle: 'rectRot',
        },
        {
          label: 'tie rate',
          data: points(policy, (c) => c.tieRate),
          borderColor: theme.warn,
          backgroundColor: theme.warn,
        },
        {
          label: 'judge parse-failure rate',
          data: points(policy, (c) => c.parseFailureRate),
          borderColor: theme.odd,
          backgroundColor: theme.odd,
        },
      ],
    },
    options: {
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      spanGaps: true,
      scales: { x: stepAxis(theme, range.min, range.max), y: percentAxis(theme) },
      plugins: {
        legend: legend(theme),
        tooltip: {
          callbacks: {
            label: (item: { raw: unknown; dataset: { label?: string } }) => {
              const p = item.raw as Point
              return `${p.id}: ${item.dataset.label ?? ''} ${p.y === null ? '—' : `${Math.round(p.y * 1000) / 10}%`}`
            },
          },
        },
      },
    },
  })
}

export function lengthChart(stats: readonly CheckpointStats[], range: StepRange) {
  const policy = stats.filter((c) => c.phase === 'policy' && c.responses > 0)
  return (theme: Theme): AnyChartConfig => ({
    type: 'bar',
    data: {
      datasets: [
        {
          label: 'mean response length (characters)',
          data: points(policy, (c) => c.meanResponseLength),
          backgroundColor: theme.policy,
          barThickness: 10,
        },
      ],
    },
    options: {
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      scales: {
        x: stepAxis(theme, range.min, range.max),
        y: { beginAtZero: true, ticks: { color: theme.muted }, grid: { color: theme.grid } },
      },
      plugins: { legend: legend(theme) },
    },
  })
}

export function rubricChart(stats: readonly CheckpointStats[], range: StepRange) {
  const rubric = stats.filter((c) => c.phase === 'rubric' && c.rubrics > 0)
  return (theme: Theme): AnyChartConfig => ({
    type: 'bar',
    data: {
      datasets: [
        {
          type: 'bar',
          label: 'mean criteria per rubric',
          data: points(rubric, (c) => c.meanCriteria),
          backgroundColor: theme.rubricBg,
          borderColor: theme.rubric,
          borderWidth: 1,
          barThickness: 12,
          yAxisID: 'count',
        },
        {
          type: 'line',
          label: 'dealbreaker share',
          data: points(rubric, (c) => c.dealbreakerShare),
          borderColor: theme.bad,
          backgroundColor: theme.bad,
          yAxisID: 'y',
        },
        {
          type: 'line',
          label: 'answer-stating share',
          data: points(rubric, (c) => c.answerStatingShare),
          borderColor: theme.warn,
          backgroundColor: theme.warn,
          yAxisID: 'y',
        },
        {
          type: 'line',
          label: 'format-invalid share',
          data: points(rubric, (c) => c.formatInvalidShare),
          borderColor: theme.odd,
          backgroundColor: theme.odd,
          yAxisID: 'y',
        },
      ],
    },
    options: {
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      scales: {
        x: stepAxis(theme, range.min, range.max),
        y: percentAxis(theme),
        count: {
          position: 'right',
          beginAtZero: true,
          title: { display: true, text: 'criteria', color: theme.muted },
          ticks: { color: theme.muted },
          grid: { display: false },
        },
      },
      plugins: { legend: legend(theme) },
    },
  })
}

export function gapChart(bins: readonly GapBin[]) {
  return (theme: Theme): AnyChartConfig => ({
    type: 'bar',
    data: {
      labels: bins.map((b) => (b.from === b.to ? `${b.from}` : `${b.from}–${b.to}`)),
      datasets: [{ label: 'pairs', data: bins.map((b) => b.count), backgroundColor: theme.accent }],
    },
    options: {
      scales: {
        x: {
          title: { display: true, text: 'step gap (newer − older)', color: theme.muted },
          ticks: { color: theme.muted },
          grid: { display: false },
        },
        y: { beginAtZero: true, ticks: { color: theme.muted, precision: 0 }, grid: { color: theme.grid } },
      },
      plugins: { legend: { display: false } },
    },
  })
}
