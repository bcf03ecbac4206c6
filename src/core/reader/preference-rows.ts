// Preference rows as the index workers see them (see preference.ts for how they are applied).
import type { TextRef } from '../run/run-index'
import { RowError, type Row } from './row'

export interface PreferenceExtract {
  /** Position in the range's shared texts. */
  prompt: number
  /** The row's own id, made safe for URLs; null when the row has none. */
  id: string | null
  subset: string | null
  chosen: TextRef[]
  rejected: TextRef[]
}

const SAFE_ID = /[^A-Za-z0-9._:-]+/g

export function extractPreference(row: Row): PreferenceExtract {
  return {
    prompt: row.share(promptText(row)),
    id: row.kind('id') === 'string' ? row.requiredString('id').replace(SAFE_ID, '_') : null,
    subset: null,
    chosen: [requiredRef(row, 'chosen')],
    rejected: [requiredRef(row, 'rejected')],
  }
}

/** One chosen response against each rejected one (several chosen only in the Ties subset). */
export function extractRewardBench(row: Row): PreferenceExtract {
  const id = row.kind('id') === 'number' ? String(row.number('id')) : row.string('id')
  return {
    prompt: row.share(promptText(row)),
    id: id?.replace(SAFE_ID, '_') ?? null,
    subset: row.string('subset'),
    chosen: listRefs(row, 'chosen'),
    rejected: listRefs(row, 'rejected'),
  }
}

/** Prompts may be plain text or a chat message list; lists are flattened for display. */
function promptText(row: Row): string {
  const kind = row.kind('prompt')
  if (kind === 'string') return row.internedString('prompt')
  if (kind === 'array') {
    const messages = row.value('prompt')
    if (Array.isArray(messages)) return messages.map(messageText).join('\n\n')
  }
  throw new RowError(
    kind === null ? 'field prompt is missing' : 'field prompt: expected a string or a message list'
  )
}

function messageText(m: unknown): string {
  if (typeof m === 'string') return m
  if (typeof m === 'object' && m !== null) {
    const { role, content } = m as { role?: unknown; content?: unknown }
    const text = typeof content === 'string' ? content : JSON.stringify(content)
    return typeof role === 'string' ? `**${role}:** ${text}` : text
  }
  return String(m)
}

function requiredRef(row: Row, key: string): TextRef {
  const ref = row.textRef(key, ['string', 'array'])
  if (ref === null) throw new RowError(`field ${key} is missing`)
  return ref
}

/** RewardBench-2 lists its responses; each element becomes its own text reference. */
function listRefs(row: Row, key: string): TextRef[] {
  const ref = requiredRef(row, key)
  if (row.kind(key) === 'string') return [ref]
  const value = row.value(key)
  if (!Array.isArray(value) || value.length === 0)
    throw new RowError(`field ${key}: expected a non-empty list of responses`)
  return value.map((_, pick) => ({ ...ref, pick }))
}
