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

const THINK_OPEN = Buffer.from('"<think>')
const THINK_CLOSE = Buffer.from('</think>')

/** A rubric stored as a string or, by some writers, as an object; null when absent or "". */
export function extractRubric(row: Row, key: string): RubricExtract | null {
  if (row.kind(key) === null || row.isEmptyString(key)) return null
  const text = row.textRef(key, ['string', 'object'])
  if (text === null) return null
  if (row.startsWith(key, 'ERROR:')) return { text, criteria: 0, formatValid: false }
  const tail = answerAfterThinking(row, text)
  if (tail !== null) return { text, ...summarizeRubric(tail) }
  const value = row.value(key)
  return { text, ...summarizeRubric(typeof value === 'string' ? value : JSON.stringify(value)) }
}

/**
 * Generators think at length before the checklist; only what follows the thinking decides the
 * summary. When the stored string opens with `<think>` (or has only a closing tag) the part after
 * the first `</think>` is decoded on its own, skipping the thinking's bytes. Null otherwise.
 */
function answerAfterThinking(row: Row, ref: TextRef): string | null {
  const start = ref.start - row.offset
  const end = ref.end - row.offset
  const value = row.line.subarray(start, end)
  if (value[0] !== 0x22) return null
  const close = value.indexOf(THINK_CLOSE)
  if (close < 0) return null
  const open = value.indexOf(THINK_OPEN.subarray(1))
  const opensAtStart = value.subarray(0, THINK_OPEN.length).equals(THINK_OPEN)
  if (open >= 0 && !(opensAtStart && open === 1 && open < close)) return null
  // Another tag after the thinking would make splitThinking read the answer differently.
  if (value.indexOf(THINK_OPEN.subarray(1), close) >= 0) return null
  if (value.indexOf(THINK_CLOSE, close + THINK_CLOSE.length) >= 0) return null
  try {
    // The tag is plain ASCII, so the bytes after it start a fresh JSON string character.
    return JSON.parse(`"${value.toString('utf8', close + THINK_CLOSE.length, value.length - 1)}"`) as string
  } catch {
    return null
  }
}
