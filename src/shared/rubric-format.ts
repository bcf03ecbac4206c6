// Reading generated text: thinking blocks and rubric checklists. Pure functions shared by the core
// (indexing, details) and anything in the renderer that needs the same answer.
import type { Criterion } from './domain'

export interface SplitText {
  thinking: string | null
  answer: string
}

const OPEN = '<think>'
const CLOSE = '</think>'

/**
 * Separate a `<think>…</think>` block from the answer. Qwen3-style chat templates often open the
 * block in the prompt, so a lone `</think>` means everything before it was thinking; a lone
 * `<think>` means the generation was cut off while still thinking.
 */
export function splitThinking(text: string): SplitText {
  const close = text.indexOf(CLOSE)
  const open = text.indexOf(OPEN)
  if (close >= 0 && (open < 0 || open < close)) {
    const start = open >= 0 ? open + OPEN.length : 0
    const before = open >= 0 ? text.slice(0, open) : ''
    return {
      thinking: text.slice(start, close).trim(),
      answer: (before + text.slice(close + CLOSE.length)).trim(),
    }
  }
  if (open >= 0) {
    return { thinking: text.slice(open + OPEN.length).trim(), answer: text.slice(0, open).trim() }
  }
  return { thinking: null, answer: text }
}

export interface ParsedRubric {
  thinking: string | null
  /** Criteria read from the text, leniently (fenced or embedded JSON too); null when none. */
  criteria: Criterion[] | null
  /** The EvoLM format rule, applied strictly. */
  formatValid: boolean
  invalidReason: string | null
}

/** The tolerance EvoLM's format reward allows on the sum of weights. */
export const WEIGHT_SUM_TOLERANCE = 0.15

/**
 * Parse a generated rubric. `formatValid` follows the EvoLM rule: after removing the thinking
 * block, the text is a JSON object whose `criteria` is a list of at least two objects, each with
 * a `criterion` and a weight > 0, and the weights sum to 1 ± 0.15 (`scoring_levels` unchecked).
 * Criteria are still extracted, for reading, from rubrics that fail the rule where possible.
 */
export function parseRubric(raw: string): ParsedRubric {
  const { thinking, answer } = splitThinking(raw)
  const body = answer.trim()
  if (body === '') {
    return { thinking, criteria: null, formatValid: false, invalidReason: 'empty after the thinking block' }
  }
  let strict: unknown
  let strictError: string | null = null
  try {
    strict = JSON.parse(body)
  } catch (error) {
    strictError = (error as Error).message
  }
  if (strictError === null) {
    const reason = checkFormatRule(strict)
    return { thinking, criteria: readCriteria(strict), formatValid: reason === null, invalidReason: reason }
  }
  const embedded = findEmbeddedJson(body)
  const criteria = embedded === undefined ? null : readCriteria(embedded)
  const where = embedded === undefined ? 'no JSON object found' : 'JSON is wrapped in other text'
  return {
    thinking,
    criteria,
    formatValid: false,
    invalidReason: `not a bare JSON object (${where}; ${strictError})`,
  }
}

/**
 * What an index keeps of a rubric: its criteria count and format validity, without building the
 * criteria (the detail view parses the text again with parseRubric).
 */
export function summarizeRubric(raw: string): { criteria: number; formatValid: boolean } {
  // Same reading of the thinking block as splitThinking, in the cases where the answer is one
  // contiguous tail of the text: parse that tail directly (JSON.parse ignores surrounding white
  // space) without building the criteria.
  const close = raw.indexOf(CLOSE)
  const open = raw.indexOf(OPEN)
  if (open < 0 || (close >= 0 && open < close)) {
    const beforeOpen = open > 0 ? raw.slice(0, open).trim() : ''
    try {
      const value: unknown = JSON.parse(close >= 0 ? raw.slice(close + CLOSE.length) : raw)
      const list = isRecord(value) ? value['criteria'] : undefined
      if (beforeOpen === '' && Array.isArray(list)) {
        const criteria = (list as unknown[]).filter((x) => typeof x === 'string' || isRecord(x)).length
        return { criteria, formatValid: checkFormatRule(value) === null }
      }
    } catch {
      // not bare JSON: the lenient parse below finds what criteria it can
    }
  }
  const parsed = parseRubric(raw)
  return { criteria: parsed.criteria?.length ?? 0, formatValid: parsed.formatValid }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkFormatRule(value: unknown): string | null {
  if (!isRecord(value)) return `JSON is ${Array.isArray(value) ? 'an array' : typeof value}, not an object`
  const list = value['criteria']
  if (!Array.isArray(list)) return 'no "criteria" list'
  if (list.length < 2)
    return `"criteria" has ${list.length} item${list.length === 1 ? '' : 's'}; at least 2 are required`
  let sum = 0
  for (let i = 0; i < list.length; i++) {
    const item: unknown = list[i]
    const n = i + 1
    if (!isRecord(item)) return `criterion ${n} is not an object`
    if (!('criterion' in item)) return `criterion ${n} has no "criterion" field`
    const weight = item['weight']
    if (typeof weight !== 'number' || !Number.isFinite(weight)) return `criterion ${n} has no numeric weight`
    if (weight <= 0) return `criterion ${n} has weight ${weight}; weights must be > 0`
    sum += weight
  }
  if (Math.abs(sum - 1) > WEIGHT_SUM_TOLERANCE) {
    return `weights sum to ${round(sum)}; they must be within 1 ± ${WEIGHT_SUM_TOLERANCE}`
  }
  return null
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000
}

/** Look for a JSON value inside a fenced block or between the outermost braces. */
function findEmbeddedJson(text: string): unknown {
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)
  const candidates: string[] = []
  if (fence?.[1] !== undefined) candidates.push(fence[1])
  const first = text.indexOf('{')
  const last = text.lastIndexOf('}')
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1))
  for (const candidate of candidates) {
    try {
      return JSON.parse(candidate) as unknown
    } catch {
      // try the next candidate
    }
  }
  return undefined
}

/** Criteria for reading: accepts the EvoLM shape and the common variants (RaR, HealthBench). */
function readCriteria(value: unknown): Criterion[] | null {
  const list = isRecord(value) ? (value['criteria'] ?? value['rubric'] ?? value['rubrics']) : value
  if (!Array.isArray(list)) return null
  const criteria: Criterion[] = []
  for (const item of list as unknown[]) {
    if (typeof item === 'string') {
      criteria.push({ text: item, weight: null, scoringLevels: [] })
      continue
    }
    if (!isRecord(item)) continue
    const text = firstString(item, ['criterion', 'description', 'title', 'text'])
    const weight = firstNumber(item, ['weight', 'points'])
    criteria.push({ text: text ?? '', weight, scoringLevels: readLevels(item['scoring_levels']) })
  }
  return criteria.length > 0 ? criteria : null
}

function firstString(item: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const v = item[key]
    if (typeof v === 'string') return v
  }
  return null
}

function firstNumber(item: Record<string, unknown>, keys: string[]): number | null {
  for (const key of keys) {
    const v = item[key]
    if (typeof v === 'number') return v
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  }
  return null
}

function readLevels(value: unknown): Criterion['scoringLevels'] {
  if (!isRecord(value)) return []
  return Object.entries(value).map(([level, description]) => ({
    level,
    description: typeof description === 'string' ? description : JSON.stringify(description),
  }))
}
