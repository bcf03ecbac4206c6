// The comparison table: on the human-labelled pairs of the prompts a seed holds out, how often
// each way of ordering a pair agrees with people — every judge with its rubric and without one,
// the newest scalar head and the newest re-weighted rubric trained with that seed and share.
// Heads are reloaded from their saved ONNX graphs, so the table also proves they reload.
import * as ort from 'onnxruntime-node'
import type { Estimate } from '../../shared/agreement'
import { BootstrapSums, itemKey, ratio } from '../../shared/poisson-bootstrap'
import type { ComparisonRow, TrainedHead, TrainingComparison } from '../../shared/training'
import type { CriterionTrainingData, HumanPairMargins } from '../analysis/analysis-engine'
import { featureVector } from './criterion-weights'
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
}

/** Share of pairs whose margin has the label's sign (a zero margin counts as a miss). */
function agreement(margins: ReadonlyMap<string, number>, human: Record<string, 1 | -1>): Estimate {
  const sums = new BootstrapSums(2)
  for (const [pairId, m] of margins) sums.add(itemKey(pairId), [1, m * (human[pairId] ?? 0) > 0 ? 1 : 0])
  return sums.estimate(ratio(1, 0), margins.size)
}

async function withSession<T>(model: string, use: (s: ort.InferenceSession) => Promise<T>): Promise<T> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] })
  try {
    return await use(session)
  } finally {
    await session.release()
  }
}

/** The scalar head's margin (newer − older) on each pair whose two responses were embedded. */
async function rewardMargins(
  head: TrainedHead,
  pairs: readonly string[],
  source: ComparisonSource
): Promise<Map<string, number>> {
  const cache = await EmbeddingCache.open(EmbeddingCache.folderFor(source.workspaceDir, head.source))
  const dim = head.embedding?.dim ?? cache.dim ?? 0
  const out = new Map<string, number>()
  await withSession(head.model, async (session) => {
    const score = async (v: Float32Array): Promise<number> =>
      (
        (await session.run({ embeddings: new ort.Tensor('float32', v, [1, dim]) }))['scores']
          ?.data as Float32Array
      )[0] as number
    for (const pairId of pairs) {
      const r = source.responsesOf(pairId)
      const newer = r === undefined ? undefined : cache.get(r.newerId)
      const older = r === undefined ? undefined : cache.get(r.olderId)
      if (newer === undefined || older === undefined || newer.length !== dim) continue
      out.set(pairId, (await score(newer)) - (await score(older)))
    }
  })
  return out
}

/** The re-weighted rubric's margin: each criterion's P(yes) difference × weight share × learned multiplier. */
async function criteriaMargins(
  head: TrainedHead,
  pairs: ReadonlySet<string>,
  source: ComparisonSource
): Promise<Map<string, number>> {
  const data = await source.criterionData(head.source)
  const out = new Map<string, number>()
  await withSession(head.model, async (session) => {
    const known = new Map<string, number>()
    const multiplier = async (
      f: CriterionTrainingData['pairs'][number]['criteria'][number]['features']
    ): Promise<number> => {
      const x = featureVector(f)
      const key = x.join(',')
      let m = known.get(key)
      if (m === undefined) {
        const run = await session.run({
          features: new ort.Tensor('float32', Float32Array.from(x), [1, x.length]),
        })
        m = (run['multiplier']?.data as Float32Array)[0] as number
        known.set(key, m)
      }
      return m
    }
    for (const p of data.pairs) {
      if (!pairs.has(p.pairId)) continue
      let margin = 0
      for (const c of p.criteria)
        margin += (await multiplier(c.features)) * c.features.weightShare * (c.newer - c.older)
      out.set(p.pairId, margin)
    }
  })
  return out
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
  const rows: ComparisonRow[] = []
  const missing: string[] = []
  for (const j of judges) {
    rows.push({ kind: 'rubric judge', source: j.id, accuracy: agreement(only(j.rubric), human) })
    if (Object.keys(j.base).length > 0)
      rows.push({ kind: 'no-rubric judge', source: j.id, accuracy: agreement(only(j.base), human) })
  }
  if (!rows.some((r) => r.kind === 'no-rubric judge'))
    missing.push('no-rubric judge: no judge ran without a rubric (judge --no-rubric)')
  const newest = (kind: TrainedHead['head']): TrainedHead | undefined =>
    source.heads.find((h) => h.head === kind && h.seed === seed && h.validShare === validShare)
  const scalar = newest('reward')
  if (scalar === undefined)
    missing.push(`scalar head: none trained with seed ${seed} and held-out share ${validShare}`)
  else
    rows.push({
      kind: 'scalar head',
      source: scalar.id,
      accuracy: agreement(await rewardMargins(scalar, held, source), human),
    })
  const reweighted = newest('criteria')
  if (reweighted === undefined)
    missing.push(
      `re-weighted rubric: no criteria head trained with seed ${seed} and held-out share ${validShare}`
    )
  else
    rows.push({
      kind: 're-weighted rubric',
      source: reweighted.id,
      accuracy: agreement(await criteriaMargins(reweighted, heldSet, source), human),
    })
  return {
    seed,
    validShare,
    prompts: new Set(held.map((p) => source.promptOf(p))).size,
    pairs: held.length,
    rows,
    missing,
  }
}
