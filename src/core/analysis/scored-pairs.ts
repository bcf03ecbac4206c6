// The pairs as each judge scored them, for the utility analyses: the run's stored verdicts (with
// the stored no-rubric verdicts as their baseline) and every local or endpoint judge setting (with
// the same setting without a rubric as the baseline), each with the annotators' majority label.
import type { Annotation } from '../../shared/annotation'
import type { LocalVerdict } from '../../shared/judge'
import { humanMajority, type HumanLabel, type ScoredPair } from '../../shared/utility'
import type { PairColumns } from '../query/pair-columns'
import type { RunIndex } from '../run/run-index'

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null)

export function scoredPairs(
  index: RunIndex,
  columns: PairColumns,
  local: readonly LocalVerdict[],
  labels: readonly Annotation[]
): ScoredPair[] {
  const byPair = new Map<string, string[]>()
  for (const a of labels) byPair.set(a.pairId, [...(byPair.get(a.pairId) ?? []), a.label])
  const human = (pairId: string): HumanLabel | null => {
    const list = byPair.get(pairId)
    return list === undefined ? null : humanMajority(list)
  }

  // Stored verdicts given without a rubric, by response: the stored judge's baseline.
  const storedBaseline = new Map<number, number | null>()
  const { verdicts } = index
  for (let v = 0; v < verdicts.length; v++) {
    if (verdicts.num('rubric', v) >= 0) continue
    const score = index.verdictScore(v)
    storedBaseline.set(
      verdicts.num('response', v),
      score === undefined || score === null ? null : finite(score)
    )
  }

  // Local verdicts by (setting, rubric, response); pairwise ones by (setting, rubric, newer > older).
  const setting = (v: LocalVerdict): string => `${v.judge} ${v.protocol} ${v.template}@${v.templateVersion}`
  const scores = new Map<string, number | null>()
  const rubricsOf = new Map<string, Set<string>>() // setting → rubric ids used
  for (const v of local) {
    if (v.error !== null) continue
    const s = setting(v)
    const key = JSON.stringify([s, v.rubricId, v.responseId, v.otherResponseId])
    scores.set(key, v.score)
    if (v.rubricId !== null) rubricsOf.set(s, (rubricsOf.get(s) ?? new Set()).add(v.rubricId))
    else rubricsOf.set(s, rubricsOf.get(s) ?? new Set())
  }
  const lookup = (
    s: string,
    rubric: string | null,
    response: string,
    other: string | null
  ): number | null | undefined => scores.get(JSON.stringify([s, rubric, response, other]))

  const out: ScoredPair[] = []
  for (let i = 0; i < index.pairs.length; i++) {
    const pairId = columns.pairId(i)
    const label = human(pairId)
    const newerRec = index.pairs.num('newer', i)
    const olderRec = index.pairs.num('older', i)
    const rubricRec = index.pairs.num('rubric', i)
    const rubricId = index.rubrics.get(rubricRec)?.id ?? null
    const newerId = index.responses.get(newerRec)?.id ?? ''
    const olderId = index.responses.get(olderRec)?.id ?? ''
    // Stored verdicts where the run has any for the pair (runs without a judge have none).
    const stored = index.pairs.num('newerVerdict', i) >= 0 || index.pairs.num('olderVerdict', i) >= 0
    if (rubricId !== null && stored) {
      const bn = storedBaseline.get(newerRec)
      const bo = storedBaseline.get(olderRec)
      out.push({
        pairId,
        rubricId,
        judge: 'stored',
        newer: finite(columns.newerScore[i] as number),
        older: finite(columns.olderScore[i] as number),
        baseline: bn === undefined && bo === undefined ? null : { newer: bn ?? null, older: bo ?? null },
        human: label,
      })
    }
    for (const [s, used] of rubricsOf) {
      // The pair's own rubric and any generated one this setting used on the pair's responses.
      for (const rubric of used) {
        if (rubric !== rubricId && !rubric.startsWith('gen-')) continue
        const pairwise = lookup(s, rubric, newerId, olderId)
        let newer = pairwise !== undefined ? pairwise : lookup(s, rubric, newerId, null)
        let older =
          pairwise !== undefined
            ? pairwise === null
              ? null
              : 1 - pairwise
            : lookup(s, rubric, olderId, null)
        if (newer === undefined && older === undefined) continue
        const basePair = lookup(s, null, newerId, olderId)
        const baseNewer = basePair !== undefined ? basePair : lookup(s, null, newerId, null)
        const baseOlder =
          basePair !== undefined ? (basePair === null ? null : 1 - basePair) : lookup(s, null, olderId, null)
        newer ??= null
        older ??= null
        out.push({
          pairId,
          rubricId: rubric,
          judge: s,
          newer,
          older,
          baseline:
            baseNewer === undefined && baseOlder === undefined
              ? null
              : { newer: baseNewer ?? null, older: baseOlder ?? null },
          human: label,
        })
      }
    }
  }
  return out
}
