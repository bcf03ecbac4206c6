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

/** References may be written as numbers; views compare them as text. */
export function readReference(row: Row, key: string): string | null {
  return row.kind(key) === 'number' ? String(row.number(key)) : row.string(key)
}
