// Optional sidecar giving task types and checkable reference answers, matched by question text:
// `prompt_metadata.jsonl` with rows {question, task_type?, reference_answer?}. EvoLM itself writes
// no such file; users (and the demo run) add one so views can slice by task and check answers.
import { access } from 'node:fs/promises'
import type { RunIndex } from '../run/run-index'
import type { PlannedFile } from './indexer'
import { relPath } from './progress'
import type { PromptMetadataExtract } from './prompt-metadata-rows'

/** The sidecar as a file to scan (scanned last, so every prompt is known), or null if absent. */
export async function promptMetadataFile(
  index: RunIndex,
  abs: string
): Promise<{ planned: PlannedFile; apply: (x: unknown, texts: readonly string[]) => void } | null> {
  try {
    await access(abs)
  } catch {
    return null
  }
  const file = index.addFile(relPath(index.root, abs), abs)
  return {
    planned: { file, abs, kind: 'prompt-metadata' },
    apply(x, texts) {
      const m = x as PromptMetadataExtract
      const p = index.prompts[index.promptWithText(texts[m.question] ?? '') ?? -1]
      if (p === undefined) return
      p.taskType = m.taskType
      p.reference = m.reference
    },
  }
}
