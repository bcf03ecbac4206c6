// A criteria head's proposal taken into a curated set: every rubric of the set re-weighted with
// the learned multipliers (scaled back to the rubric's total), each change a weight edit beside
// the hand edits and marked with the head, so the export shows the learned weight with the one it
// replaced. Applying again replaces the learned edits (never compounds them); applying no head
// removes them. Criteria left out of the set keep their weight.
import type { CriterionEdit, CuratedSet } from '../../shared/curated-set'
import type { RubricCriterionFeatures } from '../analysis/analysis-engine'
import { reweightRubric } from './criterion-features'

/** Weights are written to four decimals; smaller changes are not edits. */
const round = (x: number): number => Math.round(x * 1e4) / 1e4

export function applyLearnedWeights(
  set: CuratedSet,
  head: { id: string; theta: readonly number[] } | null,
  features: Readonly<Record<string, RubricCriterionFeatures[]>>,
  time: string
): { set: CuratedSet; edits: number; rubrics: number } {
  let edits = 0
  let rubrics = 0
  const out = set.rubrics.map((r) => {
    // A head's edits replace any head's before them (applying twice changes nothing); hand edits stay.
    const kept = r.edits.filter((e) => e.by === undefined)
    const criteria = features[r.rubricId] ?? []
    if (head === null || criteria.length === 0)
      return kept.length === r.edits.length ? r : { ...r, edits: kept }
    // The weight each criterion has without learned edits: its last hand edit, else the rubric's own.
    const current = criteria.map((c, k) => {
      const last = kept.filter((e) => e.criterion === k && e.field === 'weight').at(-1)
      return last === undefined ? c.weight : typeof last.to === 'number' ? last.to : null
    })
    const proposed = reweightRubric(
      head.theta,
      criteria.map((c, k) => ({ weight: current[k] ?? null, features: c.features }))
    )
    const added: CriterionEdit[] = []
    proposed.forEach((w, k) => {
      const before = current[k] ?? null
      if (r.excluded.includes(k) || (before !== null && round(w) === round(before))) return
      added.push({ criterion: k, field: 'weight', from: before, to: round(w), time, by: head.id })
    })
    edits += added.length
    if (added.length > 0) rubrics++
    return { ...r, edits: [...kept, ...added] }
  })
  return { set: { ...set, rubrics: out, updated: time }, edits, rubrics }
}
