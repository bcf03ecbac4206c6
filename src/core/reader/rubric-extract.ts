// What the index keeps of a rubric while scanning: where its text is, and the two facts every
// list view needs (criteria count, format validity). The text is parsed again when shown.
import { summarizeRubric } from '../../shared/rubric-format'
import type { TextRef } from '../run/run-index'
import type { Row } from './row'

export interface RubricExtract {
  text: TextRef
  criteria: number
  formatValid: boolean
}

/** A rubric stored as a string or, by some writers, as an object; null when absent or "". */
export function extractRubric(row: Row, key: string): RubricExtract | null {
  if (row.kind(key) === null || row.isEmptyString(key)) return null
  const text = row.textRef(key, ['string', 'object'])
  if (text === null) return null
  const value = row.value(key)
  const raw = typeof value === 'string' ? value : JSON.stringify(value)
  if (raw.startsWith('ERROR:')) return { text, criteria: 0, formatValid: false }
  return { text, ...summarizeRubric(raw) }
}
