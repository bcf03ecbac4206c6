// Word-level diff of two texts (two responses to one prompt, a rubric before and after), for
// side-by-side display. Every segment's text is taken verbatim from its input, so the left
// column reassembles to `a` and the right one to `b`, whitespace included.
import { diffArrays, diffLines } from 'diff'

export type DiffKind = 'same' | 'added' | 'removed'

export interface DiffSegment {
  kind: DiffKind
  text: string
}

export interface DiffSides {
  /** The old text: `same` and `removed` segments. */
  left: DiffSegment[]
  /** The new text: `same` and `added` segments. */
  right: DiffSegment[]
}

export interface DiffStats {
  added: number
  removed: number
  same: number
}

/** Above this many characters (both texts together) the diff is by lines, not words. */
export const WORD_DIFF_CHAR_LIMIT = 200_000

// Myers' diff costs about (tokens × edits): two long, unrelated texts would hold the renderer's
// only thread for minutes, so each pass gives up after this long and the next, coarser one runs.
const PASS_TIMEOUT_MS = 250

// Scripts written without spaces: a whole sentence would otherwise be one "word", so each
// character is compared on its own.
const UNSPACED =
  '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Thai}\\p{Script=Lao}\\p{Script=Khmer}\\p{Script=Myanmar}'
const EMOJI_TAIL = '(?:[\\u{1F3FB}-\\u{1F3FF}]|\\uFE0F|\\u20E3)*'

// The `diff` package's own word tokenizer knows only Latin letters (a Greek or Cyrillic word is
// split letter by letter) and cuts emoji sequences apart, which marks half a glyph. Tokens here
// keep letters with their combining marks and emoji (skin tones, ZWJ families, flags, keycaps)
// whole. The last alternative matches anything, so the tokens always cover the whole text.
const TOKEN = new RegExp(
  [
    '\\r\\n|\\n|\\r',
    '[^\\S\\r\\n]+',
    '\\p{Regional_Indicator}{2}',
    '[#*0-9]\\uFE0F?\\u20E3',
    `\\p{Extended_Pictographic}${EMOJI_TAIL}(?:\\u200D\\p{Extended_Pictographic}${EMOJI_TAIL})*`,
    `[${UNSPACED}]\\p{M}*`,
    `(?:(?![${UNSPACED}])[\\p{L}\\p{N}_])(?:(?![${UNSPACED}])[\\p{L}\\p{N}\\p{M}_])*`,
    '[^]\\p{M}*',
  ].join('|'),
  'gu'
)

const WORDLIKE = /[\p{L}\p{N}]/u
const BLANK = /^\s*$/

function tokenize(text: string): string[] {
  return text.match(TOKEN) ?? []
}

function fromChanges(changes: { value: string; added: boolean; removed: boolean }[]): DiffSegment[] {
  return changes.map((c) => ({
    kind: c.added ? 'added' : c.removed ? 'removed' : 'same',
    text: c.value,
  }))
}

function byWords(a: string, b: string): DiffSegment[] | undefined {
  const changes = diffArrays(tokenize(a), tokenize(b), { timeout: PASS_TIMEOUT_MS })
  if (changes === undefined) return undefined
  return fromChanges(changes.map((c) => ({ ...c, value: c.value.join('') })))
}

function byLines(a: string, b: string): DiffSegment[] | undefined {
  const changes = diffLines(a, b, { timeout: PASS_TIMEOUT_MS })
  return changes === undefined ? undefined : fromChanges(changes)
}

/**
 * Whitespace kept in common between two changes splits one edit into many ("[the] [cat] sat"
 * against "[a] [dog] sat"); folding it into the edit reads as one replacement. Each run of
 * changes then becomes one removal followed by one addition.
 */
function tidy(segments: DiffSegment[]): DiffSegment[] {
  const out: DiffSegment[] = []
  let removed = ''
  let added = ''
  const flush = (): void => {
    if (removed !== '') out.push({ kind: 'removed', text: removed })
    if (added !== '') out.push({ kind: 'added', text: added })
    removed = ''
    added = ''
  }
  segments.forEach((s, i) => {
    if (s.text === '') return
    const inChange = removed !== '' || added !== ''
    const next = segments[i + 1]
    if (s.kind === 'removed') removed += s.text
    else if (s.kind === 'added') added += s.text
    else if (inChange && next !== undefined && next.kind !== 'same' && BLANK.test(s.text)) {
      removed += s.text
      added += s.text
    } else {
      flush()
      const last = out[out.length - 1]
      if (last?.kind === 'same') last.text += s.text
      else out.push({ kind: 'same', text: s.text })
    }
  })
  flush()
  return out
}

/**
 * Word-level diff of `a` (old) against `b` (new). Past `WORD_DIFF_CHAR_LIMIT`, or when the
 * word pass takes too long, whole lines are compared instead; past that, `a` is shown removed
 * and `b` added.
 */
export function diffWords(a: string, b: string): DiffSegment[] {
  if (a === b) return a === '' ? [] : [{ kind: 'same', text: a }]
  const segments = (a.length + b.length <= WORD_DIFF_CHAR_LIMIT ? byWords(a, b) : undefined) ??
    byLines(a, b) ?? [
      { kind: 'removed', text: a },
      { kind: 'added', text: b },
    ]
  return tidy(segments)
}

/** The two columns of a side-by-side view: the old text's segments and the new text's. */
export function sidesOf(segments: readonly DiffSegment[]): DiffSides {
  return {
    left: segments.filter((s) => s.kind !== 'added'),
    right: segments.filter((s) => s.kind !== 'removed'),
  }
}

/** Words (runs of letters or digits; one per CJK character) in each kind of segment. */
export function diffStats(segments: readonly DiffSegment[]): DiffStats {
  const stats: DiffStats = { added: 0, removed: 0, same: 0 }
  for (const s of segments) {
    for (const token of tokenize(s.text)) if (WORDLIKE.test(token)) stats[s.kind] += 1
  }
  return stats
}
