// Gathers the analysis engine's input from an open run and its workspace: the pairs with their
// length difference, the stored judge's scores (and no-rubric baseline, and per-criterion scores
// where the run recorded them), the criteria of every rubric the pairs and the generated sets use,
// each sorted into its clusters, then the local verdicts and the labels.
import type { CriterionCluster } from '../../shared/analysis'
import type { Annotation } from '../../shared/annotation'
import { analyzeCriterion } from '../../shared/criterion-analysis'
import type { Criterion } from '../../shared/domain'
import type { GeneratedRubric } from '../../shared/generated-rubric'
import type { LocalVerdict } from '../../shared/judge'
import { parseRubric } from '../../shared/rubric-format'
import type { PairColumns } from '../query/pair-columns'
import type { RunIndex } from '../run/run-index'
import type { TextStore } from '../run/text-store'
import { verdictInput, type AnalysisInput, type RubricFacts, type StoredScores } from './analysis-input'
import type { CriterionFacts } from './figures'

export interface AnalysisSources {
  index: RunIndex
  columns: PairColumns
  store: TextStore
  generated: readonly GeneratedRubric[]
  verdicts: readonly LocalVerdict[]
  labels: readonly Annotation[]
}

export async function analysisInput(src: AnalysisSources): Promise<AnalysisInput> {
  const { index, columns } = src
  const n = index.pairs.length
  const ids: string[] = new Array<string>(n)
  const prompt: string[] = new Array<string>(n)
  const newer: string[] = new Array<string>(n)
  const older: string[] = new Array<string>(n)
  const rubric: (string | null)[] = new Array<string | null>(n)
  const lengthDiff = new Float64Array(n)
  const { pairs, responses, rubrics } = index
  for (let i = 0; i < n; i++) {
    ids[i] = columns.pairId(i)
    prompt[i] = index.prompts[pairs.num('prompt', i)]?.id ?? ''

    const nr = pairs.num('newer', i)
    const or = pairs.num('older', i)
    // Single fields, not whole records: 200,000 pairs make 600,000 look-ups.
    newer[i] = nr >= 0 ? responses.field('id', nr) : ''
    older[i] = or >= 0 ? responses.field('id', or) : ''
    const r = pairs.num('rubric', i)
    rubric[i] = r >= 0 ? rubrics.field('id', r) : null
    lengthDiff[i] =
      nr >= 0 && or >= 0 ? responses.num('length', nr) - responses.num('length', or) : Number.NaN
  }
  return {
    pairs: { ids, prompt, newer, older, rubric, lengthDiff },
    stored: await storedScores(src),
    rubrics: await rubricFacts(src),
    verdicts: src.verdicts.map(verdictInput),
    labels: src.labels.map((a) => ({ pairId: a.pairId, annotator: a.annotator, label: a.label })),
  }
}

async function storedScores({ index, columns, store }: AnalysisSources): Promise<StoredScores | null> {
  const { pairs, verdicts } = index
  if (verdicts.length === 0) return null
  const n = pairs.length
  // The stored judge's verdicts without a rubric, by response: its baseline.
  const baseline = new Map<number, number>()
  for (let v = 0; v < verdicts.length; v++) {
    if (verdicts.num('rubric', v) >= 0) continue
    baseline.set(verdicts.num('response', v), finite(index.verdictScore(v)))
  }
  const out: StoredScores = {
    present: new Uint8Array(n),
    newer: new Float64Array(n),
    older: new Float64Array(n),
    baseNewer: new Float64Array(n),
    baseOlder: new Float64Array(n),
    critNewer: new Array<number[] | null>(n).fill(null),
    critOlder: new Array<number[] | null>(n).fill(null),
  }
  const criteria = new Map<number, number[] | null>()
  for (let i = 0; i < n; i++) {
    const nv = pairs.num('newerVerdict', i)
    const ov = pairs.num('olderVerdict', i)
    out.present[i] = nv >= 0 || ov >= 0 ? 1 : 0
    out.newer[i] = finite(columns.newerScore[i])
    out.older[i] = finite(columns.olderScore[i])
    out.baseNewer[i] = baseline.get(pairs.num('newer', i)) ?? Number.NaN
    out.baseOlder[i] = baseline.get(pairs.num('older', i)) ?? Number.NaN
    for (const v of [nv, ov]) if (v >= 0 && verdicts.get(v)?.criterionScores) criteria.set(v, null)
  }
  // Per-criterion scores, where the run recorded them (the workbench format does). A few hundred
  // reads at a time: each opens its file, and a run can hold hundreds of thousands.
  const wanted = [...criteria.keys()]
  for (let at = 0; at < wanted.length; at += 256)
    await Promise.all(
      wanted.slice(at, at + 256).map(async (v) => {
        const ref = verdicts.get(v)?.criterionScores
        if (ref === null || ref === undefined) return
        const raw = await store.raw(ref)
        criteria.set(v, Array.isArray(raw) ? raw.map((x) => (typeof x === 'number' ? x : Number.NaN)) : null)
      })
    )
  for (let i = 0; i < n; i++) {
    const cn = criteria.get(pairs.num('newerVerdict', i)) ?? null
    const co = criteria.get(pairs.num('olderVerdict', i)) ?? null
    if (cn !== null && co !== null) {
      out.critNewer[i] = cn
      out.critOlder[i] = co
    }
  }
  return out
}

async function rubricFacts({ index, store, generated }: AnalysisSources): Promise<Map<string, RubricFacts>> {
  const out = new Map<string, RubricFacts>()
  const { rubrics, pairs } = index
  const wanted = new Set<number>()
  for (let i = 0; i < pairs.length; i++) {
    const r = pairs.num('rubric', i)
    if (r >= 0) wanted.add(r)
  }
  const list = [...wanted]
  // Runs log one rubric for many rows (every pair of a prompt at a generator step): each distinct
  // text is parsed and classified once.
  const seen = new Map<string, CriterionFacts[]>()
  const factsFor = (raw: string, reference: string | null): CriterionFacts[] => {
    const key = `${reference ?? ''}\u0000${raw}`
    let facts = seen.get(key)
    if (facts === undefined) {
      const criteria = raw.startsWith('ERROR:') ? null : parseRubric(raw).criteria
      seen.set(key, (facts = factsOf(criteria ?? [], reference)))
    }
    return facts
  }
  await store.forEachText(
    list.map((r) => rubrics.field('text', r)),
    (k, raw) => {
      const r = list[k] as number
      const reference = index.prompts[rubrics.num('prompt', r)]?.reference ?? null
      out.set(rubrics.field('id', r), { reference, criteria: factsFor(raw, reference) })
    }
  )
  for (const g of generated) {
    if (g.raw === null) continue
    const reference = index.prompts[index.promptIndex(g.promptId) ?? -1]?.reference ?? null
    out.set(g.id, { reference, criteria: factsOf(parseRubric(g.raw).criteria ?? [], reference) })
  }
  return out
}

function factsOf(criteria: readonly Criterion[], reference: string | null): CriterionFacts[] {
  const totalWeight = criteria.reduce((s, c) => s + (c.weight ?? 0), 0)
  return criteria.map((c) => {
    const a = analyzeCriterion(c, { totalWeight, reference })
    const clusters: CriterionCluster[] = [a.statedAnswer !== null ? 'states-answer' : a.kind]
    if (a.dealbreaker) clusters.push('dealbreaker')
    return {
      text: c.text,
      weight: c.weight,
      clusters,
      statedAnswer: a.statedAnswer,
      matchesReference: a.matchesReference,
    }
  })
}

function finite(x: number | null | undefined): number {
  return x === null || x === undefined || !Number.isFinite(x) ? Number.NaN : x
}
