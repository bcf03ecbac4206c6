// What kind of check a rubric criterion is: a concrete check or a holistic judgement, a
// dealbreaker, and whether it states the expected answer (and whether that answer matches the
// prompt's checkable reference). Heuristics over the criterion's text and weight; every decision
// carries the reason it was made, so the views can explain it.
import type { Criterion } from './domain'

export interface CriterionAnalysis {
  kind: 'concrete' | 'holistic'
  dealbreaker: boolean
  /** The answer the criterion expects, as written in it; null when it states none. */
  statedAnswer: string | null
  /** Whether the stated answer equals the reference; null when either is missing. */
  matchesReference: boolean | null
  /** One sentence per decision, in plain words. */
  reasons: string[]
}

/** A criterion carrying at least this share of the rubric's weight decides the score alone. */
export const DEALBREAKER_WEIGHT_SHARE = 0.4

// Only explicit wording: "must" or "essential" alone appear in ordinary criteria too.
const DEALBREAKER_WORDS =
  /\b(dealbreaker|deal-breaker|critical requirement|automatically (?:fails?|scores? 0)|otherwise (?:the )?(?:total )?score (?:is )?0|score(?:s)? 0 (?:overall )?if)\b/i

// "The answer is clearly marked", "the answer is correct": a quality of the answer, not its value.
const NOT_AN_ANSWER =
  /^(?:clearly|correct(?:ly)?|incorrect|right|wrong|stated|given|provided|marked|shown|highlighted|boxed|explained|justified|present|included|accurate|well\b|easy|hard|concise|complete|consistent|supported|reasonable|plausible|valid|not\b|in\b|at the\b|the same\b)/i

// "The final answer is equivalent to 144", "answer should be 3/4", "states that the capital is
// Tokyo", "correct answer: x = 2".
const ANSWER_PATTERNS: RegExp[] = [
  /\b(?:final |correct |expected )?answer\s+(?:is|equals|should be|must be|of)\s+(?:(?:mathematically\s+)?(?:equivalent|equal|identical)\s+to\s+)?(.+)$/i,
  /\b(?:final |correct |expected )?answer\s*[:=]\s*(.+)$/i,
  /\b(?:is|are|be)\s+(?:mathematically\s+)?(?:equivalent|equal)\s+to\s+(.+)$/i,
  /\b(?:states|concludes|gives|identifies|arrives at|reports)\s+(?:that\s+)?(?:the\s+)?(?:answer|result|value|capital|solution)?\s*(?:is|as|=)\s+(.+)$/i,
]

const VAGUE_WORDS =
  /\b(helpful|clear(?:ly)?|clarity|well[- ](?:organized|structured|written|reasoned)|coherent|concise|comprehensive|thorough|high[- ]quality|quality|engaging|appropriate|relevant|overall|accurate(?:ly)?|detailed|insightful|polished|readable|fluent|good|effective(?:ly)?)\b/i

const CONCRETE_SIGNALS: { pattern: RegExp; reason: string }[] = [
  {
    pattern: /\b(exactly|at least|at most|no more than|fewer than|under|over|between)\s+\w+/i,
    reason: 'sets a count or a limit',
  },
  {
    pattern:
      /\b\d+(?:\.\d+)?\s*(words?|sentences?|bullets?|bullet points?|paragraphs?|lines?|items?|characters?)\b/i,
    reason: 'counts words, lines or items',
  },
  { pattern: /["“'`][^"”'`]{1,60}["”'`]/, reason: 'quotes a specific string' },
  { pattern: /\$[^$]+\$|\\\(|\\\[/, reason: 'contains a formula' },
  {
    pattern:
      /\b(json|yaml|csv|markdown|table|bullet|numbered list|lowercase|uppercase|title case|code block|function|returns?|raises?|O\([^)]*\))\b/i,
    reason: 'names a format or a behaviour to check',
  },
  {
    pattern: /\b(mentions?|includes?|names?|lists?|cites?|uses?|does not use|avoids?|contains?|omits?)\b/i,
    reason: 'asks for something present or absent',
  },
  { pattern: /\b\d{2,}\b|\b\d+\.\d+\b/, reason: 'contains a specific number' },
]

export interface AnalysisContext {
  /** Sum of the rubric's weights (for weight shares); 0 or NaN when unknown. */
  totalWeight: number
  /** The prompt's checkable reference answer, where the run has one. */
  reference: string | null
}

export function analyzeCriterion(c: Criterion, ctx: AnalysisContext): CriterionAnalysis {
  const reasons: string[] = []
  const text = c.text.trim()

  const statedAnswer = extractStatedAnswer(text)
  if (statedAnswer !== null) reasons.push(`states an expected answer: ${statedAnswer}`)

  const share = c.weight !== null && ctx.totalWeight > 0 ? c.weight / ctx.totalWeight : null
  const heavy = share !== null && share >= DEALBREAKER_WEIGHT_SHARE
  const worded = DEALBREAKER_WORDS.test(text)
  const dealbreaker = heavy || worded
  if (heavy && share !== null)
    reasons.push(`dealbreaker: carries ${Math.round(share * 100)}% of the rubric's weight`)
  else if (worded) reasons.push('dealbreaker: worded as a requirement that decides the score')

  const signals = CONCRETE_SIGNALS.filter((s) => s.pattern.test(text)).map((s) => s.reason)
  const vague = VAGUE_WORDS.exec(text)?.[0] ?? null
  let kind: CriterionAnalysis['kind']
  if (statedAnswer !== null) {
    kind = 'concrete'
    reasons.push('concrete: an answer can be checked against it')
  } else if (signals.length > 0) {
    kind = 'concrete'
    reasons.push(`concrete: ${signals.join('; ')}`)
  } else if (vague !== null) {
    kind = 'holistic'
    reasons.push(`holistic: judges a quality ("${vague}") rather than a checkable fact`)
  } else {
    kind = 'holistic'
    reasons.push('holistic: names nothing specific to check')
  }

  let matchesReference: boolean | null = null
  if (statedAnswer !== null && ctx.reference !== null && ctx.reference.trim() !== '') {
    matchesReference = answersMatch(statedAnswer, ctx.reference)
    reasons.push(
      matchesReference
        ? `the stated answer matches the reference (${ctx.reference})`
        : `the stated answer differs from the reference (${ctx.reference})`
    )
  }
  return { kind, dealbreaker, statedAnswer, matchesReference, reasons }
}

export function extractStatedAnswer(text: string): string | null {
  for (const pattern of ANSWER_PATTERNS) {
    const m = pattern.exec(text)
    const raw = m?.[1]
    if (raw === undefined) continue
    const answer = cleanAnswer(raw)
    if (answer !== '' && !NOT_AN_ANSWER.test(answer)) return answer
  }
  return null
}

/** Cut the answer at the end of its clause and drop wrapping punctuation. */
function cleanAnswer(raw: string): string {
  let s = raw.trim()
  // A clause ends at a sentence stop, "; ", ", and …", or a worded aside in parentheses ("(any
  // equivalent form)", "(Chomolungma)") — but not at a decimal point or a tuple like "(2, 3)".
  const stop =
    /(?:\.(?=\s|$)|;|\s\((?=\p{L}{2})|,\s+(?:and|or|which|with|but)\b|\s+(?:and|or)\s+(?:the|it|is)\b)/u.exec(
      s
    )
  if (stop !== null) s = s.slice(0, stop.index)
  s = s.replace(/^["“'`]+|["”'`]+$/g, '').trim()
  return s
}

/**
 * Compare answers the way a grader would: LaTeX wrappers, $ signs, spaces, thousands separators
 * and case do not matter; numbers (including fractions and percentages) compare by value.
 */
export function answersMatch(stated: string, reference: string): boolean {
  const a = normalizeAnswer(stated)
  // References carry asides too ("Mount Everest (Chomolungma)"); the answer is their first clause.
  const b = normalizeAnswer(reference)
  if (a === b || a === normalizeAnswer(cleanAnswer(reference))) return true
  const x = numericValue(a)
  const y = numericValue(b)
  if (x !== null && y !== null) return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y))
  return false
}

export function normalizeAnswer(s: string): string {
  let t = s.trim()
  const boxed = /\\boxed\{([^{}]*)\}/.exec(t)
  if (boxed?.[1] !== undefined) t = boxed[1]
  return t
    .replace(/\$+/g, '')
    .replace(/\\(?:left|right|,|;|!|displaystyle|text|mathrm)\b/g, '')
    .replace(/\\d?frac\{([^{}]*)\}\{([^{}]*)\}/g, '($1)/($2)')
    .replace(/[{}]/g, '')
    .replace(/^[a-z]\s*=\s*/i, '')
    .replace(/(\d),(?=\d{3}\b)/g, '$1')
    .replace(/\s+/g, '')
    .replace(/[.。]$/, '')
    .toLowerCase()
}

function numericValue(s: string): number | null {
  const plain = /^[-+]?\d*\.?\d+(?:e[-+]?\d+)?$/
  if (plain.test(s)) return Number(s)
  const percent = /^([-+]?\d*\.?\d+)%$/.exec(s)
  if (percent?.[1] !== undefined) return Number(percent[1]) / 100
  const fraction = /^\(?([-+]?\d+)\)?\/\(?([-+]?\d+)\)?$/.exec(s)
  if (fraction?.[1] !== undefined && fraction[2] !== undefined && Number(fraction[2]) !== 0) {
    return Number(fraction[1]) / Number(fraction[2])
  }
  return null
}

/** Every criterion of a rubric analysed, with the weight shares taken over the whole rubric. */
export function analyzeCriteria(
  criteria: readonly Criterion[],
  reference: string | null
): CriterionAnalysis[] {
  const totalWeight = criteria.reduce((sum, c) => sum + (c.weight ?? 0), 0)
  return criteria.map((c) => analyzeCriterion(c, { totalWeight, reference }))
}
