// What a judge job has to do: the items of a selection, keyed so that what is done is skipped,
// and the items that cannot be judged (a rubric that did not parse, an empty response), each
// with the reason. Used by the jobs and by the benchmark.
import type { GeneratedRubric } from '../../shared/generated-rubric'
import { verdictKey, type JudgeJobSpec, type JudgeSelection } from '../../shared/judge'
import { parseRubric } from '../../shared/rubric-format'
import type { RunIndex } from '../run/run-index'
import { responseDetail, rubricDetail } from '../run/run-views'
import type { TextStore } from '../run/text-store'
import type { JudgeTemplate } from './judge-template'
import { failed, type ItemResult, type ItemRubric, type JudgeItem } from './protocols'

export interface JudgeSource {
  index: RunIndex
  texts: TextStore
  /** Pair indices of a selection, in the selection's order. */
  select(selection: JudgeSelection): Promise<number[]>
  /** Rubrics generated for a prompt in the workspace (for jobs that judge under them). */
  generated?: (promptId: string) => GeneratedRubric[]
}

export interface JudgeWork {
  items: JudgeItem[]
  invalid: ItemResult[]
  skipped: number
  meta: Map<string, ItemMeta>
}

/** The selection's work: items still to judge, items that cannot be judged, and what is done. */
export async function judgeWork(
  source: JudgeSource,
  spec: Pick<JudgeJobSpec, 'protocol' | 'rubric' | 'limit' | 'selection'> &
    Partial<Pick<JudgeJobSpec, 'rubricSet'>>,
  judge: string,
  template: Pick<JudgeTemplate, 'name' | 'version'>,
  isDone: (key: string) => boolean
): Promise<JudgeWork> {
  const { index, texts } = source
  let pairs = await source.select(spec.selection)
  if (spec.limit !== null) pairs = pairs.slice(0, spec.limit)
  const pairwise = spec.protocol === 'pairwise-logprob'
  const items: JudgeItem[] = []
  const invalid: ItemResult[] = []
  const meta = new Map<string, ItemMeta>()
  const seen = new Set<string>()
  let skipped = 0
  const rubrics = new Map<number, ItemRubric | string>()
  for (const p of pairs) {
    const pair = index.pairs.get(p)
    if (pair === undefined) continue
    const prompt = index.prompts[pair.prompt]
    const newer = index.responses.get(pair.newer)
    const older = index.responses.get(pair.older)
    if (prompt === undefined || newer === undefined || older === undefined) continue
    // The rubrics to judge under: none, the pair's own, or each one generated for its prompt.
    const candidates: { id: string | null; rubric: ItemRubric | string | null }[] = []
    const set = spec.rubricSet ?? null
    if (!spec.rubric) candidates.push({ id: null, rubric: null })
    else if (set === null) {
      const rec = index.rubrics.get(pair.rubric)
      if (rec === undefined)
        candidates.push({ id: '?', rubric: `pair ${pair.id} has no rubric to judge with` })
      else {
        const rubric = rubrics.get(pair.rubric) ?? itemRubric(await rubricDetail(index, texts, rec))
        rubrics.set(pair.rubric, rubric)
        candidates.push({ id: rec.id, rubric })
      }
    } else {
      const mine = (source.generated?.(prompt.id) ?? []).filter(
        (g) => g.generator === set.generator && g.template === set.template && g.error === null
      )
      for (const g of mine) {
        const parsed = parseRubric(g.raw ?? '')
        candidates.push({
          id: g.id,
          rubric: itemRubric({
            id: g.id,
            criteriaList: parsed.criteria,
            invalidReason: parsed.invalidReason,
          }),
        })
      }
      if (mine.length === 0)
        candidates.push({
          id: `gen-none-${set.template}`,
          rubric: `no ${set.template} rubric from ${set.generator} was generated for prompt ${prompt.id}`,
        })
    }
    const sides = pairwise ? [[newer, older] as const] : [[newer, null] as const, [older, null] as const]
    for (const { id: rubricId, rubric } of candidates)
      for (const [first, second] of sides) {
        const key = verdictKey({
          judge,
          protocol: spec.protocol,
          template: template.name,
          templateVersion: template.version,
          rubricId,
          responseId: first.id,
          otherResponseId: second?.id ?? null,
        })
        if (seen.has(key)) continue
        seen.add(key)
        meta.set(key, { rubricId, responseId: first.id, otherResponseId: second?.id ?? null })
        if (isDone(key)) {
          skipped++
          continue
        }
        const a = await responseDetail(index, texts, first)
        const b = second === null ? null : await responseDetail(index, texts, second)
        const problem =
          typeof rubric === 'string'
            ? rubric
            : [a, b]
                .map((r) => (r === null ? null : emptyProblem(r.id, r.answer, r.isError)))
                .find((x) => x !== null)
        if (problem !== null && problem !== undefined) {
          invalid.push(failed({ key }, problem))
          continue
        }
        items.push({
          key,
          prompt: prompt.text,
          rubric: rubric as ItemRubric | null,
          responseId: a.id,
          response: a.answer,
          otherResponseId: b?.id ?? null,
          other: b?.answer ?? null,
        })
      }
  }
  return { items, invalid, skipped, meta }
}

export interface ItemMeta {
  rubricId: string | null
  responseId: string
  otherResponseId: string | null
}

function emptyProblem(id: string, answer: string, isError: boolean): string | null {
  if (isError) return `response ${id} is a failed generation (ERROR in the run's files)`
  if (answer.trim() === '') return `response ${id} is empty`
  return null
}

function itemRubric(rubric: {
  id: string
  criteriaList:
    { text: string; weight: number | null; scoringLevels: { level: string; description: string }[] }[] | null
  invalidReason: string | null
}): ItemRubric | string {
  if (rubric.criteriaList === null || rubric.criteriaList.length === 0)
    return `rubric ${rubric.id} did not parse${rubric.invalidReason === null ? '' : `: ${rubric.invalidReason}`}`
  const criteria = rubric.criteriaList.map((c) => ({
    text: c.text,
    weight: c.weight,
    levels:
      c.scoringLevels.length === 0
        ? ''
        : `Scoring levels: ${c.scoringLevels.map((l) => `${l.level} = ${l.description}`).join('; ')}`,
  }))
  return {
    id: rubric.id,
    criteria,
    checklist: criteria
      .map((c, i) => `${i + 1}. ${c.text}${c.weight === null ? '' : ` (weight ${c.weight})`}`)
      .join('\n'),
  }
}
