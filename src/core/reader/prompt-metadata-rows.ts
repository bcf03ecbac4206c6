// Prompt-metadata rows as the index workers see them (see prompt-metadata.ts).
import type { Row } from './row'

export interface PromptMetadataExtract {
  /** Position in the range's shared texts. */
  question: number
  taskType: string | null
  reference: string | null
}

export function extractPromptMetadata(row: Row): PromptMetadataExtract {
  return {
    question: row.sharedString('question'),
    taskType: row.string('task_type'),
    reference: readReference(row, 'reference_answer'),
  }
}

/** References may be written as numbers; kept as written (18446744073709551617 stays exact). */
export function readReference(row: Row, key: string): string | null {
  return row.kind(key) === 'number' ? row.rawText(key) : row.string(key)
}
