// One self-contained HTML report: the temporal-assumption findings, the utility and agreement
// tables and what the export covers. No scripts and no requests: styles inline, charts as SVG
// drawn here, a Content-Security-Policy that forbids loading anything, every text escaped.
import type { AnalysisSummary } from '../../shared/analysis'
import { CLUSTER_LABELS } from '../../shared/analysis'
import type { Estimate } from '../../shared/agreement'

export interface ReportInput {
  run: string
  generated: string
  summary: AnalysisSummary
  people: { newer: number; older: number; tie: number }
  covers: { rubrics: number; verifiedPairs: number; overturned: number; labels: number; set: string | null }
}

const escape = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string
  )

const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`)
const num = (x: number | null): string => (x === null ? '—' : x.toFixed(3))
const est = (e: Estimate, f: (x: number | null) => string = pct): string =>
  e.items === 0
    ? '<span class="faint">n=0</span>'
    : `${f(e.value)} <span class="faint">${e.low === null ? '' : `[${f(e.low)}, ${f(e.high)}] `}n=${e.items}</span>`

function table(head: string[], rows: string[][]): string {
  return `<table><thead><tr>${head.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`
}

/** Paired bars (newer above older; agrees with people) per judge, with interval whiskers. */
function utilityChart(s: AnalysisSummary): string {
  const rows = s.overall
  if (rows.length === 0) return ''
  const width = 640
  const height = 220
  const left = 40
  const bottom = 40
  const band = (width - left) / rows.length
  const y = (v: number): number => height - bottom - v * (height - bottom - 10)
  const bar = (x: number, e: Estimate, cls: string): string => {
    if (e.value === null) return ''
    const w = band / 3
    const whisker =
      e.low === null || e.high === null
        ? ''
        : `<line x1="${x + w / 2}" x2="${x + w / 2}" y1="${y(e.low)}" y2="${y(e.high)}" class="whisker"/>`
    return `<rect x="${x}" y="${y(e.value)}" width="${w}" height="${y(0) - y(e.value)}" class="${cls}"><title>${escape(
      `${pct(e.value)} n=${e.items}`
    )}</title></rect>${whisker}`
  }
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        `<line x1="${left}" x2="${width}" y1="${y(v)}" y2="${y(v)}" class="grid"/><text x="0" y="${y(v) + 4}" class="axis">${pct(v)}</text>`
    )
    .join('')
  const bars = rows
    .map((r, i) => {
      const x = left + i * band + band / 6
      const label = r.judge.length > 40 ? `${r.judge.slice(0, 38)}…` : r.judge
      return `${bar(x, r.accuracy, 'temporal')}${bar(x + band / 3, r.humanAccuracy, 'human')}<text x="${left + i * band + band / 2}" y="${height - bottom + 16}" class="axis" text-anchor="middle">${escape(label)}</text>`
    })
    .join('')
  return `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Newer scored above older, and agreement with people, per judge">${grid}${bars}</svg>
<p class="legend"><span class="key temporal"></span> newer scored above older <span class="key human"></span> agrees with people (whiskers: 95% intervals)</p>`
}

export function reportHtml(input: ReportInput): string {
  const { summary: s, people } = input
  const decisive = people.newer + people.older
  const findings = [
    `People labelled ${s.counts.labelledPairs} pair${s.counts.labelledPairs === 1 ? '' : 's'} (${s.counts.annotators} annotator${s.counts.annotators === 1 ? '' : 's'}). Where their majority chose a side, they chose the newer response in ${people.newer} of ${decisive} (${pct(decisive === 0 ? null : people.newer / decisive)}); ${people.tie} ended in a tie.`,
    ...s.overall.map(
      (r) =>
        `${escape(r.judge)}: newer scored above older in ${est(r.accuracy)}; agrees with people in ${est(r.humanAccuracy)}${r.humanGap === null ? '' : ` (gap ${(r.humanGap * 100).toFixed(1)} pts)`}.`
    ),
  ]
  const css = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1b1f24;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border-bottom:1px solid #d8dde3;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f7}
.faint{color:#6a737d}.grid{stroke:#e3e6ea}.axis{font-size:11px;fill:#6a737d}.whisker{stroke:#1b1f24}
.temporal{fill:#1f5fbf}.human{fill:#1b6b3a}.key{display:inline-block;width:.8rem;height:.8rem;vertical-align:middle}
.key.temporal{background:#1f5fbf}.key.human{background:#1b6b3a}code{font-size:.9em}`
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(`Rubric Workbench report: ${input.run}`)}</title><style>${css}</style></head>
<body>
<h1>${escape(input.run)}</h1>
<p class="faint">Rubric Workbench report, ${escape(input.generated)}. ${s.counts.pairs} temporal pairs; every rate with its 95% bootstrap interval and n.</p>
<h2>Is newer better?</h2>
<ul>${findings.map((f) => `<li>${f}</li>`).join('')}</ul>
${utilityChart(s)}
<h2>Utility per judge</h2>
${table(
  ['Judge', 'n', 'Newer above older', 'Margin', 'Added value', 'Agrees with people'],
  s.overall.map((r) => [
    `<code>${escape(r.judge)}</code>`,
    String(r.n),
    est(r.accuracy),
    est(r.margin, num),
    est(r.addedValue, num),
    est(r.humanAccuracy),
  ])
)}
<h2>Agreement</h2>
${
  s.agreement.cells.length === 0
    ? '<p class="faint">No two raters labelled the same pairs.</p>'
    : table(
        ['A', 'B', 'Kind', "Cohen's κ", 'Raw agreement'],
        s.agreement.cells.map((c) => [escape(c.a), escape(c.b), c.kind, est(c.kappa, num), pct(c.agreement)])
      )
}
<p>Krippendorff's α among annotators: ${est(s.agreement.humanAlpha, num)}.</p>
${
  s.clusters.length === 0
    ? ''
    : `<h2>Criteria left out, by cluster</h2>${table(
        ['Judge', 'Cluster', 'Pairs', 'Verdicts that flip', 'Δ agreement with people', 'Mark'],
        s.clusters.map((c) => [
          `<code>${escape(c.judge)}</code>`,
          escape(CLUSTER_LABELS[c.cluster]),
          String(c.n),
          est(c.flipRate),
          est(c.humanDelta, num),
          c.mark ?? '',
        ])
      )}`
}
<h2>Length</h2>
${table(
  ['Rater', 'Correlation with the length difference'],
  s.lengthBias.map((r) => [escape(r.rater), est(r.correlation, num)])
)}
<h2>What this export covers</h2>
<p>${input.covers.set === null ? 'The whole run' : `The curated set <b>${escape(input.covers.set)}</b>`}: ${input.covers.rubrics} rubrics; ${input.covers.verifiedPairs} human-verified preference pairs, ${input.covers.overturned} of which overturn the temporal label; ${input.covers.labels} labels. ${s.counts.wrongAnswers} criteria state an answer that differs from the reference.</p>
</body></html>
`
}
