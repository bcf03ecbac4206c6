// What annotators flagged on rubric criteria (keys a s d f g in the labeling view), counted per
// rubric through the pairs it judged: for the rubric view, curation filters and exports.
import type { Annotation, CriterionFlagCounts } from '../../shared/annotation'
import type { RunIndex } from '../run/run-index'

/** Each pair's own rubric, by id (pairs without a rubric are left out). */
export function pairRubricIds(index: RunIndex): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < index.pairs.length; i++) {
    const r = index.pairs.num('rubric', i)
    if (r >= 0) out.set(index.pairs.field('id', i), index.rubrics.field('id', r))
  }
  return out
}

/** Flag counts per rubric, then per criterion position, then per flag. */
export function criterionFlagCounts(
  labels: readonly Annotation[],
  rubricOf: ReadonlyMap<string, string>
): Map<string, CriterionFlagCounts> {
  const out = new Map<string, CriterionFlagCounts>()
  for (const a of labels) {
    const rubricId = rubricOf.get(a.pairId)
    if (rubricId === undefined) continue
    let counts = out.get(rubricId)
    for (const [criterion, flag] of Object.entries(a.criterionFlags)) {
      if (counts === undefined) out.set(rubricId, (counts = {}))
      const byFlag = (counts[criterion] ??= {})
      byFlag[flag] = (byFlag[flag] ?? 0) + 1
    }
  }
  return out
}
