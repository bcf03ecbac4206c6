// The live training curve: train and validation loss per epoch on the left axis, held-out
// accuracy on the right (0–100%), with a dashed line at the best epoch the head keeps.
import type { CurvePoint } from '../../../shared/training'
import { figure } from './analysis-format'
import type { AnyChartConfig, Theme } from './charts'

export function curveChart(curve: readonly CurvePoint[], bestEpoch: number | null) {
  const at = (y: (p: CurvePoint) => number | null) => curve.map((p) => ({ x: p.epoch, y: y(p) }))
  return (theme: Theme): AnyChartConfig => ({
    type: 'line',
    data: {
      datasets: [
        {
          label: 'train loss',
          data: at((p) => p.trainLoss),
          borderColor: theme.accent,
          backgroundColor: theme.accent,
          yAxisID: 'loss',
        },
        {
          label: 'validation loss',
          data: at((p) => p.validLoss),
          borderColor: theme.warn,
          backgroundColor: theme.warn,
          yAxisID: 'loss',
        },
        {
          label: 'held-out accuracy',
          data: at((p) => p.validAccuracy),
          borderColor: theme.good,
          backgroundColor: theme.good,
          borderDash: [5, 4],
          yAxisID: 'accuracy',
        },
        ...(bestEpoch === null || bestEpoch === 0
          ? []
          : [
              {
                label: 'best epoch (kept)',
                data: [
                  { x: bestEpoch, y: 0 },
                  { x: bestEpoch, y: 1 },
                ],
                borderColor: theme.muted,
                backgroundColor: theme.muted,
                borderDash: [2, 3],
                pointRadius: 0,
                yAxisID: 'accuracy',
              },
            ]),
      ],
    },
    options: {
      parsing: false,
      plugins: {
        legend: { labels: { color: theme.fg } },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string; yAxisID?: string }; parsed: { y: number | null } }) =>
              `${item.dataset.label ?? ''}: ${
                item.dataset.yAxisID === 'accuracy'
                  ? figure(item.parsed.y, 'pct')
                  : (item.parsed.y ?? 0).toFixed(4)
              }`,
          },
        },
      },
      scales: {
        x: {
          type: 'linear',
          min: 1,
          ticks: { color: theme.muted, precision: 0 },
          grid: { color: theme.grid },
          title: { display: true, text: 'epoch', color: theme.muted },
        },
        loss: {
          position: 'left',
          ticks: { color: theme.muted },
          grid: { color: theme.grid },
          title: { display: true, text: 'loss', color: theme.muted },
        },
        accuracy: {
          position: 'right',
          min: 0,
          max: 1,
          ticks: { color: theme.muted, callback: (v: string | number) => figure(Number(v), 'pct') },
          grid: { display: false },
          title: { display: true, text: 'held-out accuracy', color: theme.muted },
        },
      },
    },
  })
}
