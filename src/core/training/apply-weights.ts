// A criteria head's proposal taken into a curated set: every rubric of the set re-weighted with
// the learned multipliers (scaled back to the rubric's total), each change a weight edit beside
// the hand edits, so the export shows the learned weight with the one it replaced and undoing it
// is removing edits. Criteria left out of the set keep their weight.
import type { CriterionEdit, CuratedSet } from '../../shared/curated-set'
import type { RubricCriterionFeatures } from '../analysis/analysis-engine'
import { reweightRubric } from './criterion-features'

/** Weights are written to four decimals; smaller changes are not edits. */
const round = (x: number): number => Math.round(x * 1e4) / 1e4

export function applyLearnedWeights(
  set: CuratedSet,
  theta: readonly number[],
  features: Readonly<Record<string, RubricCriterionFeatures[]>>,
  time: string
): { set: CuratedSet; edits: number; rubrics: number } {
  let edits = 0
  let rubrics = 0
  const out = set.rubrics.map((r) => {
    const criteria = features[r.rubricId] ?? []
    if (criteria.length === 0) return r
    // The weight each criterion has in the set now: its last weight edit, else the rubric's own.
    const current = criteria.map((c, k) => {
      const last = r.edits.filter((e) => e.criterion === k && e.field === 'weight').at(-1)
      return last === undefined ? c.weight : typeof last.to === 'number' ? last.to : null
    })
    const proposed = reweightRubric(
      theta,
      criteria.map((c, k) => ({ weight: current[k] ?? null, features: c.features }))
    )
    const added: CriterionEdit[] = []
    proposed.forEach((w, k) => {
      const before = current[k] ?? null
      if (r.excluded.includes(k) || (before !== null && round(w) === round(before))) return
      added.push({ criterion: k, field: 'weight', from: before, to: round(w), time })
    })
    if (added.length === 0) return r
    edits += added.length
    rubrics++
    return { ...r, edits: [...r.edits, ...added] }
  })
  return { set: { ...set, rubrics: out, updated: time }, edits, rubrics }
}
