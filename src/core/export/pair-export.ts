// Human-verified preference pairs, for DPO or reward-model training: every pair whose annotators'
// majority chose a side, as `prompt, chosen, rejected` with the evidence beside it. Where people
// preferred the older response the row says so (`overturned`), and the older one is `chosen`.
import { parquetWriteBuffer } from 'hyparquet-writer'
import type { Annotation } from '../../shared/annotation'
import { humanMajority } from '../../shared/utility'
import type { RunIndex } from '../run/run-index'
import type { TextStore } from '../run/text-store'

export interface VerifiedPair {
  prompt: string
  chosen: string
  rejected: string
  pair_id: string
  prompt_id: string
  chosen_id: string
  rejected_id: string
  chosen_step: number | null
  rejected_step: number | null
  /** People preferred the older response: the temporal label was wrong here. */
  overturned: boolean
  /** Annotators who chose a side or tie, and how many of them chose the majority's side. */
  annotators: number
  agreeing: number
  rubric_id: string | null
  task_type: string | null
}

export async function verifiedPairs(
  index: RunIndex,
  store: TextStore,
  labels: readonly Annotation[],
  only: ReadonlySet<string> | null = null
): Promise<VerifiedPair[]> {
  const byPair = new Map<string, string[]>()
  for (const a of labels) byPair.set(a.pairId, [...(byPair.get(a.pairId) ?? []), a.label])
  const out: VerifiedPair[] = []
  for (const [pairId, pairLabels] of [...byPair].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (only !== null && !only.has(pairId)) continue
    const majority = humanMajority(pairLabels)
    if (majority !== 'newer' && majority !== 'older') continue
    const pair = index.pairs.get(index.pairIndex(pairId) ?? -1)
    const prompt = index.prompts[pair?.prompt ?? -1]
    const newer = index.responses.get(pair?.newer ?? -1)
    const older = index.responses.get(pair?.older ?? -1)
    if (pair === undefined || prompt === undefined || newer === undefined || older === undefined) continue
    const [chosen, rejected] = majority === 'newer' ? [newer, older] : [older, newer]
    const decisive = pairLabels.filter((l) => l === 'newer' || l === 'older' || l === 'tie')
    out.push({
      prompt: prompt.text,
      chosen: await store.text(chosen.text),
      rejected: await store.text(rejected.text),
      pair_id: pairId,
      prompt_id: prompt.id,
      chosen_id: chosen.id,
      rejected_id: rejected.id,
      chosen_step: chosen.step,
      rejected_step: rejected.step,
      overturned: majority === 'older',
      annotators: decisive.length,
      agreeing: decisive.filter((l) => l === majority).length,
      rubric_id: index.rubrics.get(pair.rubric)?.id ?? null,
      task_type: prompt.taskType,
    })
  }
  return out
}

export function toJsonl(rows: readonly object[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('')
}

type ParquetType = 'STRING' | 'DOUBLE' | 'INT32' | 'BOOLEAN'

/** Rows of plain fields as a Parquet file, one column per field, types given. */
export function toParquet<T extends object>(
  rows: readonly T[],
  types: Record<keyof T & string, ParquetType>
): Uint8Array {
  const columnData = (Object.keys(types) as (keyof T & string)[]).map((name) => ({
    name,
    type: types[name],
    data: rows.map((r) => (r as Record<string, unknown>)[name] ?? null),
  }))
  return new Uint8Array(parquetWriteBuffer({ columnData } as Parameters<typeof parquetWriteBuffer>[0]))
}

export const PAIR_TYPES: Record<keyof VerifiedPair, ParquetType> = {
  prompt: 'STRING',
  chosen: 'STRING',
  rejected: 'STRING',
  pair_id: 'STRING',
  prompt_id: 'STRING',
  chosen_id: 'STRING',
  rejected_id: 'STRING',
  chosen_step: 'DOUBLE',
  rejected_step: 'DOUBLE',
  overturned: 'BOOLEAN',
  annotators: 'INT32',
  agreeing: 'INT32',
  rubric_id: 'STRING',
  task_type: 'STRING',
}
