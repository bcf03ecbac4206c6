// Optional sidecar giving task types and checkable reference answers, matched by question text:
// `prompt_metadata.jsonl` with rows {question, task_type?, reference_answer?}. EvoLM itself writes
// no such file; users (and the demo run) add one so views can slice by task and check answers.
import { access } from 'node:fs/promises'
import { basename } from 'node:path'
import type { RunIndex } from '../run/run-index'
import { scanFile } from './scan-file'

export async function readPromptMetadata(index: RunIndex, abs: string): Promise<void> {
  try {
    await access(abs)
  } catch {
    return
  }
  const file = index.addFile(basename(abs), abs)
  await scanFile(index, file, (row) => {
    const question = row.requiredString('question')
    const taskType = row.string('task_type')
    const reference =
      row.kind('reference_answer') === 'number'
        ? String(row.number('reference_answer'))
        : row.string('reference_answer')
    const p = index.prompts[index.promptWithText(question) ?? -1]
    if (p === undefined) return
    p.taskType = taskType
    p.reference = reference
  })
}
