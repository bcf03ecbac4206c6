// Runs without checkpoints: generic preference JSONL ({prompt, chosen, rejected}) and
// RewardBench-2 rows ({id, prompt, chosen: [..], rejected: [..], num_correct, subset}).
// The preferred side takes the "newer" slot of a pair so every view works unchanged; the UI
// names the sides chosen/rejected through RunIndex.sideNames.
import { basename, dirname } from 'node:path'
import type { RunFormat } from '../../shared/domain'
import { RunIndex, type TextRef } from '../run/run-index'
import { encodedLength } from './evolm-rows'
import { IdRegistry } from './id-registry'
import { runTasks, type ReadContext } from './indexer'
import type { PreferenceExtract } from './preference-rows'
import { relPath } from './progress'
import type { ScanTask } from './scan-task'

export async function readPreferenceRun(
  path: string,
  format: RunFormat,
  ctx: ReadContext
): Promise<RunIndex> {
  const root = dirname(path)
  const index = new RunIndex(root, format, basename(path))
  index.location = path
  index.sideNames = { newer: 'chosen', older: 'rejected' }
  const file = index.addFile(relPath(root, path), path)
  const kind = format === 'rewardbench2' ? 'rewardbench2' : 'preference'
  const ids = new IdRegistry('pair')
  const apply = (x: unknown, line: number, task: ScanTask, texts: readonly string[]): void =>
    applyPreference(index, ids, x as PreferenceExtract, line, task, texts)
  await runTasks(index, [{ file, abs: path, kind }], { [kind]: apply }, ctx)
  return index
}

function applyPreference(
  index: RunIndex,
  ids: IdRegistry,
  x: PreferenceExtract,
  line: number,
  task: ScanTask,
  texts: readonly string[]
): void {
  const rowId = x.id ?? `L${line}`
  ids.claim(rowId, line)
  const prompt = index.promptFor(texts[x.prompt] ?? '')
  const p = index.prompts[prompt]
  if (p !== undefined && x.subset !== null) p.taskType ??= x.subset
  const side = (key: 'chosen' | 'rejected', refs: TextRef[]): number[] =>
    refs.map((text, i) =>
      index.addResponse({
        id: `${rowId}-${key}${refs.length > 1 ? `-${i}` : ''}`,
        prompt,
        phase: null,
        step: null,
        text,
        length: encodedLength(text),
        isError: false,
        file: task.file,
        line,
      })
    )
  const chosen = side('chosen', x.chosen)
  const rejected = side('rejected', x.rejected)
  for (const [c, newer] of chosen.entries()) {
    for (const [r, older] of rejected.entries()) {
      const id = chosen.length * rejected.length === 1 ? rowId : `${rowId}-c${c}-r${r}`
      index.addPair({
        id,
        prompt,
        newer,
        older,
        rubric: -1,
        gap: null,
        newerVerdict: -1,
        olderVerdict: -1,
        file: task.file,
        line,
      })
    }
  }
}
