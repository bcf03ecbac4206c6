// `rubric-workbench utility PATH`: discriminative utility per judge (the run's stored verdicts and
// every local or endpoint judge setting in the workspace): each judge over all its rubrics, then
// each rubric, then each criterion, against the temporal label (newer is better) or the human
// one, every figure with its n and 95% bootstrap interval.
import type { Estimate } from '../shared/agreement'
import type { CriterionRow } from '../shared/analysis'
import type { UtilityRow } from '../shared/utility'
import { withWorkbench, type Print, type RunOptions } from './open-workbench'

type Labels = 'temporal' | 'human'
const ALL = 1_000_000
const round = (x: number | null): number | null => (x === null ? null : Math.round(x * 10000) / 10000)

function estimate(prefix: string, e: Estimate): Record<string, number | null> {
  return {
    [prefix]: round(e.value),
    [`${prefix}_low`]: round(e.low),
    [`${prefix}_high`]: round(e.high),
    [`${prefix}_n`]: e.items,
  }
}

/** The row's accuracy against the chosen label, and the n it rests on. */
const primary = (r: UtilityRow | CriterionRow, labels: Labels): Estimate =>
  labels === 'human' ? r.humanAccuracy : r.accuracy

export function utilityJson(row: UtilityRow, labels: Labels): Record<string, unknown> {
  const e = primary(row, labels)
  return {
    level: row.rubricId === '*' ? 'judge' : 'rubric',
    judge: row.judge,
    rubric_id: row.rubricId,
    labels,
    n: e.items,
    unscored: row.unscored,
    ties: row.ties,
    ...estimate('accuracy', e),
    ...estimate('margin', row.margin),
    ...estimate('added_value', row.addedValue),
    ...estimate('temporal_accuracy', row.accuracy),
    ...estimate('human_accuracy', row.humanAccuracy),
    human_gap: round(row.humanGap),
  }
}

export function criterionJson(row: CriterionRow, labels: Labels): Record<string, unknown> {
  const e = primary(row, labels)
  return {
    level: 'criterion',
    judge: row.judge,
    rubric_id: row.rubricId,
    criterion: row.criterion,
    text: row.text,
    labels,
    n: e.items,
    ...estimate('accuracy', e),
    ...estimate('margin', row.margin),
    ...estimate('added_value', row.addedValue),
    ...estimate('pass_contrast', row.passContrast),
    ...estimate('auroc', row.auroc),
    ...estimate('stability', row.stability),
    ...estimate('flip_rate', row.flipRate),
    ...estimate('human_delta', row.humanDelta),
    saturation: row.saturation,
    mark: row.mark,
    divergent: row.divergent,
  }
}

export async function utilityCommand(
  path: string,
  options: RunOptions & { labels: Labels; json?: boolean },
  out: Print,
  err: Print
): Promise<number> {
  return withWorkbench(path, options, err, async (wb) => {
    const { labels } = options
    const summary = await wb.handlers['analysis.summary']({})
    const sort = labels === 'human' ? 'humanAccuracy' : 'accuracy'
    const rubrics = (await wb.handlers['analysis.rows']({ table: 'rubrics', sort, limit: ALL }))
      .rows as UtilityRow[]
    const criteria = (await wb.handlers['analysis.rows']({ table: 'criteria', sort, limit: ALL }))
      .rows as CriterionRow[]
    const has = (r: UtilityRow | CriterionRow): boolean => primary(r, labels).items > 0
    const shown = {
      overall: summary.overall.filter(has),
      rubrics: rubrics.filter(has),
      criteria: criteria.filter(has),
    }
    if (options.json === true) {
      out(
        JSON.stringify([
          ...shown.overall.map((r) => utilityJson(r, labels)),
          ...shown.rubrics.map((r) => utilityJson(r, labels)),
          ...shown.criteria.map((r) => criterionJson(r, labels)),
        ])
      )
      return 0
    }
    if (shown.overall.length === 0) {
      out(
        labels === 'human'
          ? 'no pair is both labelled by people and scored on both sides (label pairs in the audit view, or import labels with `label`)'
          : 'no pair is scored on both sides under a rubric'
      )
      return 0
    }
    const pct = (x: number | null): string => (x === null ? '  —  ' : `${(x * 100).toFixed(1)}%`)
    const line = (name: string, judge: string, e: Estimate, rest: string): string =>
      `${name}  ${judge}  ${pct(e.value)} [${pct(e.low)}, ${pct(e.high)}]  n=${e.items}${rest}`
    const added = (e: Estimate): string =>
      e.value === null ? '' : `  added value ${e.value >= 0 ? '+' : ''}${(e.value * 100).toFixed(1)} pts`
    out(
      `${labels === 'human' ? 'agreement with people' : 'newer scored above older'}, by judge, rubric and criterion:`
    )
    for (const r of [...shown.overall, ...shown.rubrics])
      out(
        line(
          r.rubricId === '*' ? 'all rubrics' : r.rubricId,
          r.judge,
          primary(r, labels),
          `  ties ${r.ties}  margin ${(r.margin.value ?? 0).toFixed(3)}${added(r.addedValue)}`
        )
      )
    for (const r of shown.criteria)
      out(
        line(
          `${r.rubricId} #${r.criterion + 1}`,
          r.judge,
          primary(r, labels),
          `  margin ${(r.margin.value ?? 0).toFixed(3)}${added(r.addedValue)}${r.mark === null ? '' : `  ${r.mark}`}`
        )
      )
    if (summary.criteriaMissing)
      out(
        'no judge scored criteria one by one: `rubric-workbench judge PATH --protocol criteria-logprob` gives per-criterion figures'
      )
    return 0
  })
}
