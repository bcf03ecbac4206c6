// `rubric-workbench utility PATH`: each rubric's discriminative utility, per judge (the run's
// stored verdicts and every local or endpoint judge setting in the workspace), against the
// temporal label (newer is better) or the human one, with n and a 95% bootstrap interval.
import type { Estimate } from '../shared/agreement'
import type { UtilityRow } from '../shared/utility'
import { openWorkbench, type Print, type RunOptions } from './open-workbench'

const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10000) / 10000)

function estimate(prefix: string, e: Estimate): Record<string, number | null> {
  return {
    [prefix]: round(e.value),
    [`${prefix}_low`]: round(e.low),
    [`${prefix}_high`]: round(e.high),
    [`${prefix}_n`]: e.items,
  }
}

export function utilityJson(row: UtilityRow): Record<string, unknown> {
  return {
    rubric_id: row.rubricId,
    judge: row.judge,
    n: row.n,
    unscored: row.unscored,
    ties: row.ties,
    ...estimate('accuracy', row.accuracy),
    ...estimate('margin', row.margin),
    ...estimate('human_accuracy', row.humanAccuracy),
    human_gap: round(row.humanGap),
    ...estimate('added_value', row.addedValue),
  }
}

export async function utilityCommand(
  path: string,
  options: RunOptions & { labels: 'temporal' | 'human'; json?: boolean },
  out: Print,
  err: Print
): Promise<number> {
  const wb = await openWorkbench(path, options, err)
  if (wb === null) return 2
  try {
    const rows = await wb.handlers['analysis.utility']({})
    const primary = (r: UtilityRow): Estimate => (options.labels === 'human' ? r.humanAccuracy : r.accuracy)
    // Each judge over all rubrics first, then the rubrics, best first.
    const overall = (r: UtilityRow): number => Number(r.rubricId === '*')
    const shown = rows
      .filter((r) => primary(r).items > 0)
      .sort((a, b) => overall(b) - overall(a) || (primary(b).value ?? -1) - (primary(a).value ?? -1))
    if (options.json === true) {
      out(JSON.stringify(shown.map(utilityJson)))
      return 0
    }
    if (shown.length === 0) {
      out(
        options.labels === 'human'
          ? 'no pair is both labelled by people and scored on both sides (label pairs in the audit view, or import labels with `label`)'
          : 'no pair is scored on both sides under a rubric'
      )
      return 0
    }
    const pct = (x: number | null): string => (x === null ? '  —  ' : `${(x * 100).toFixed(1)}%`)
    out(
      `${options.labels === 'human' ? 'agreement with people' : 'newer scored above older'}, by rubric and judge:`
    )
    for (const r of shown) {
      const e = primary(r)
      const added =
        r.addedValue.value === null
          ? ''
          : `  added value ${r.addedValue.value >= 0 ? '+' : ''}${(r.addedValue.value * 100).toFixed(1)} pts`
      out(
        `${r.rubricId === '*' ? 'all rubrics' : r.rubricId}  ${r.judge}  ${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]  n=${e.items}  ties ${r.ties}  margin ${(r.margin.value ?? 0).toFixed(3)}${added}`
      )
    }
    return 0
  } catch (error) {
    err(`rubric-workbench: ${(error as Error).message}`)
    return 2
  } finally {
    await wb.close()
  }
}
