// The comparison table: on the human-labelled pairs of the prompts a seed holds out, how often
// each way of ordering a pair agrees with people — every judge with its rubric and without one,
// the newest scalar head and the newest re-weighted rubric trained with that seed and share.
// Heads are reloaded from their saved ONNX graphs (run where the runtime lives, via `score`), so
// the table also proves they reload.
import type { Estimate } from '../../shared/agreement'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import type { ComparisonRow, TrainedHead, TrainingComparison } from '../../shared/training'
import type { CriterionTrainingData, HumanPairMargins } from '../analysis/analysis-engine'
import { featureVector, MAX_CRITERIA } from './criterion-features'
import { EmbeddingCache } from './embedding-cache'
import { heldOut } from './split'

export interface ComparisonSource {
  margins: HumanPairMargins
  promptOf(pairId: string): string | undefined
  responsesOf(pairId: string): { newerId: string; olderId: string } | undefined
  heads: readonly TrainedHead[]
  /** Per-criterion verdicts of a judge setting on the human-labelled pairs. */
  criterionData(judge: string): Promise<CriterionTrainingData>
  workspaceDir: string
  score: RowScorer
}

/** Runs a saved one-row graph (its input and output by name) over rows; one value per row. */
export type RowScorer = (
  model: string,
  input: string,
  output: string,
  rows: Float32Array[]
) => Promise<number[]>

/** Share of pairs whose margin has the label's sign (a zero margin counts as a miss). */
function agreement(margins: ReadonlyMap<string, number>, human: Record<string, 1 | -1>): Estimate {
  const sums = new BootstrapSums(2)
  for (const [pairId, m] of margins) sums.add(itemKey(pairId), [1, m * (human[pairId] ?? 0) > 0 ? 1 : 0])
  return sums.estimate(ratio(1, 0), margins.size)
}

/**
 * Agreement of `a` minus agreement of `b` on the pairs both order, with a paired bootstrap
 * interval (each pair's two outcomes resampled together).
 */
function pairedDifference(
  a: ReadonlyMap<string, number>,
  b: ReadonlyMap<string, number>,
  human: Record<string, 1 | -1>
): Estimate {
  const sums = new BootstrapSums(3)
  let n = 0
  for (const [pairId, ma] of a) {
    const mb = b.get(pairId)
    if (mb === undefined) continue
    const label = human[pairId] ?? 0
    sums.add(itemKey(pairId), [1, ma * label > 0 ? 1 : 0, mb * label > 0 ? 1 : 0])
    n++
  }
  return sums.estimate(
    (s) => ((s[0] as number) > 0 ? ((s[1] as number) - (s[2] as number)) / (s[0] as number) : null),
    n
  )
}

/** The scalar head's margin (newer − older) on each pair whose two responses were embedded. */
async function rewardMargins(
  head: TrainedHead,
  pairs: readonly string[],
  source: ComparisonSource
): Promise<Map<string, number>> {
  const cache = await EmbeddingCache.open(EmbeddingCache.folderFor(source.workspaceDir, head.source))
  const dim = head.embedding?.dim ?? cache.dim ?? 0
  const scored: { pairId: string; newer: Float32Array; older: Float32Array }[] = []
  for (const pairId of pairs) {
    const r = source.responsesOf(pairId)
    const newer = r === undefined ? undefined : cache.get(r.newerId)
    const older = r === undefined ? undefined : cache.get(r.olderId)
    if (newer !== undefined && older !== undefined && newer.length === dim)
      scored.push({ pairId, newer, older })
  }
  const values = await source.score(
    head.model,
    'embeddings',
    'scores',
    scored.flatMap((p) => [p.newer, p.older])
  )
  return new Map(scored.map((p, i) => [p.pairId, (values[2 * i] as number) - (values[2 * i + 1] as number)]))
}

/** The re-weighted rubric's margin: each criterion's P(yes) difference × weight share × learned multiplier. */
async function criteriaMargins(
  head: TrainedHead,
  pairs: ReadonlySet<string>,
  source: ComparisonSource
): Promise<Map<string, number>> {
  // As in training: a pair's criteria past the learner's width are left out.
  const data = (await source.criterionData(head.source)).pairs
    .filter((p) => pairs.has(p.pairId))
    .map((p) => ({ ...p, criteria: p.criteria.slice(0, MAX_CRITERIA) }))
  // Criteria share few distinct feature vectors: each is run through the head once.
  const distinct = new Map<string, number[]>()
  for (const p of data)
    for (const c of p.criteria) {
      const x = featureVector(c.features)
      distinct.set(x.join(','), x)
    }
  const keys = [...distinct.keys()]
  const values = await source.score(
    head.model,
    'features',
    'multiplier',
    keys.map((k) => Float32Array.from(distinct.get(k) as number[]))
  )
  const multiplier = new Map(keys.map((k, i) => [k, values[i] as number]))
  return new Map(
    data.map((p) => [
      p.pairId,
      p.criteria.reduce(
        (m, c) =>
          m +
          (multiplier.get(featureVector(c.features).join(',')) as number) *
            c.features.weightShare *
            (c.newer - c.older),
        0
      ),
    ])
  )
}

export async function compareOnHeldOut(
  seed: number,
  validShare: number,
  source: ComparisonSource
): Promise<TrainingComparison> {
  const { human, judges } = source.margins
  const held = Object.keys(human).filter((pairId) => {
    const prompt = source.promptOf(pairId)
    return prompt !== undefined && heldOut(prompt, validShare, seed)
  })
  const heldSet = new Set(held)
  const only = (m: Record<string, number>): Map<string, number> =>
    new Map(Object.entries(m).filter(([pairId]) => heldSet.has(pairId)))
  const ordered: { kind: ComparisonRow['kind']; source: string; margins: Map<string, number> }[] = []
  const missing: string[] = []
  for (const j of judges) {
    ordered.push({ kind: 'rubric judge', source: j.id, margins: only(j.rubric) })
    if (Object.keys(j.base).length > 0)
      ordered.push({ kind: 'no-rubric judge', source: j.id, margins: only(j.base) })
  }
  if (!ordered.some((r) => r.kind === 'no-rubric judge'))
    missing.push('no-rubric judge: no judge ran without a rubric (judge --no-rubric)')
  const newest = (kind: TrainedHead['head']): TrainedHead | undefined =>
    source.heads.find((h) => h.head === kind && h.seed === seed && h.validShare === validShare)
  const scalar = newest('reward')
  if (scalar === undefined)
    missing.push(`scalar head: none trained with seed ${seed} and held-out share ${validShare}`)
  else
    ordered.push({
      kind: 'scalar head',
      source: scalar.id,
      margins: await rewardMargins(scalar, held, source),
    })
  const reweighted = newest('criteria')
  if (reweighted === undefined)
    missing.push(
      `re-weighted rubric: no criteria head trained with seed ${seed} and held-out share ${validShare}`
    )
  else
    ordered.push({
      kind: 're-weighted rubric',
      source: reweighted.id,
      margins: await criteriaMargins(reweighted, heldSet, source),
    })
  // Rows rest on different pairs (a judge that scored a few, a head without some embeddings):
  // each is also measured on the pairs every row that has any covers.
  const covering = ordered.filter((r) => r.margins.size > 0)
  const common = held.filter((pairId) => covering.length > 0 && covering.every((r) => r.margins.has(pairId)))
  const on = (m: Map<string, number>): Map<string, number> =>
    new Map(common.map((p) => [p, m.get(p) as number]))
  // The question the table is for: better or worse than the rubric judge, on the same pairs.
  const reference = ordered.find((r) => r.kind === 'rubric judge' && r.margins.size > 0)
  const rows: ComparisonRow[] = ordered.map((r) => ({
    kind: r.kind,
    source: r.source,
    accuracy: agreement(r.margins, human),
    common: r.margins.size > 0 ? agreement(on(r.margins), human) : null,
    versusReference:
      reference === undefined || r === reference
        ? null
        : pairedDifference(r.margins, reference.margins, human),
  }))
  return {
    seed,
    validShare,
    prompts: new Set(held.map((p) => source.promptOf(p))).size,
    pairs: held.length,
    commonPairs: common.length,
    rows,
    reference: reference?.source ?? null,
    missing,
  }
}
