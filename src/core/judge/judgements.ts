// Local verdicts as the pair and rubric views show them: grouped per judge setting, newer beside
// older, with the rubric's effect (margin with the rubric minus margin without).
import {
  pairMargin,
  type LocalVerdict,
  type PairJudgement,
  type PairJudgements,
  type RubricJudgements,
} from '../../shared/judge'
import { isGeneratedRubricId } from '../../shared/generated-rubric'
import type { VerdictStore } from './verdict-store'

/** A generated rubric the verdict used, or null (the run's rubric, or none). */
function generatedRubric(v: LocalVerdict): string | null {
  return v.rubricId !== null && isGeneratedRubricId(v.rubricId) ? v.rubricId : null
}

function settingKey(v: LocalVerdict): string {
  return JSON.stringify([
    v.judge,
    v.protocol,
    v.template,
    v.templateVersion,
    v.rubricId !== null,
    generatedRubric(v),
  ])
}

export function pairJudgements(
  store: VerdictStore,
  pair: { newerId: string; olderId: string; rubricId: string | null }
): PairJudgements {
  const groups = new Map<string, PairJudgement>()
  const group = (v: LocalVerdict): PairJudgement => {
    const key = settingKey(v)
    let g = groups.get(key)
    if (g === undefined) {
      g = {
        judge: v.judge,
        generatedRubric: generatedRubric(v),
        protocol: v.protocol,
        template: v.template,
        templateVersion: v.templateVersion,
        withRubric: v.rubricId !== null,
        newer: null,
        older: null,
        pair: null,
        margin: null,
      }
      groups.set(key, g)
    }
    return g
  }
  // The pair's own rubric, none, or a rubric generated for its prompt (the responses are the prompt's).
  const fits = (v: LocalVerdict): boolean =>
    v.rubricId === null || v.rubricId === pair.rubricId || generatedRubric(v) !== null
  for (const v of store.forResponse(pair.newerId)) {
    if (!fits(v)) continue
    if (v.otherResponseId === null) group(v).newer = v
    else if (v.otherResponseId === pair.olderId) group(v).pair = v
  }
  for (const v of store.forResponse(pair.olderId))
    if (fits(v) && v.otherResponseId === null) group(v).older = v
  const list = [...groups.values()]
  for (const g of list) g.margin = pairMargin(g)
  list.sort((a, b) =>
    a.judge + a.protocol + String(!a.withRubric) < b.judge + b.protocol + String(!b.withRubric) ? -1 : 1
  )
  const effects: PairJudgements['effects'] = []
  for (const withRubric of list.filter(
    (g) => g.withRubric && g.generatedRubric === null && g.margin !== null
  )) {
    const without = list.find(
      (g) =>
        !g.withRubric &&
        g.judge === withRubric.judge &&
        g.protocol === withRubric.protocol &&
        g.margin !== null
    )
    if (without === undefined) continue
    effects.push({
      judge: withRubric.judge,
      protocol: withRubric.protocol,
      withRubric: withRubric.margin as number,
      withoutRubric: without.margin as number,
      effect: (withRubric.margin as number) - (without.margin as number),
    })
  }
  return { groups: list, effects }
}

/** Per judge setting, the responses judged under a rubric, with their per-criterion scores. */
export function rubricJudgements(store: VerdictStore, rubricId: string): RubricJudgements {
  const settings = new Map<string, RubricJudgements['settings'][number]>()
  for (const v of store.forRubric(rubricId)) {
    const key = settingKey(v)
    let s = settings.get(key)
    if (s === undefined) {
      s = {
        judge: v.judge,
        protocol: v.protocol,
        template: v.template,
        templateVersion: v.templateVersion,
        verdicts: [],
      }
      settings.set(key, s)
    }
    s.verdicts.push(v)
  }
  return { settings: [...settings.values()] }
}
