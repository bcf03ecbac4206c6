// What the pair table asks for: filters, a sort and a text search. Shared by the core (which runs
// the query), the contract (which validates it) and the renderer (which keeps it in the URL), so
// the three cannot drift apart.
import type { VerdictOutcome } from './domain'

export const pairSortKeys = [
  'id',
  'prompt',
  'newerStep',
  'olderStep',
  'gap',
  'newerScore',
  'olderScore',
  'margin',
  'outcome',
] as const
export type PairSortKey = (typeof pairSortKeys)[number]

export const verdictOutcomes = [
  'agrees',
  'disagrees',
  'tie',
  'parse-failure',
  'none',
] as const satisfies readonly VerdictOutcome[]

export const annotationStates = ['labelled', 'unlabelled'] as const
export type AnnotationState = (typeof annotationStates)[number]

/** Where a text search looks. */
export const searchFields = ['prompt', 'responses', 'rubric'] as const
export type SearchField = (typeof searchFields)[number]

export interface PairQuery {
  /** A checkpoint id (`policy-50`): pairs in that checkpoint's window of steps. */
  checkpoint?: string
  promptId?: string
  /** Inclusive step-gap range. */
  gapMin?: number
  gapMax?: number
  taskType?: string
  /** Any of these outcomes of the stored judge against the temporal label. */
  outcomes?: VerdictOutcome[]
  annotation?: AnnotationState
  /** Text to find in prompts, responses and rubrics (case-insensitive). */
  search?: string
  /** Treat `search` as a regular expression. */
  regex?: boolean
  sort?: PairSortKey
  desc?: boolean
}

/** The filters that narrow the table (everything but the sort). */
export function isFiltered(q: PairQuery): boolean {
  return (
    q.checkpoint !== undefined ||
    q.promptId !== undefined ||
    q.gapMin !== undefined ||
    q.gapMax !== undefined ||
    q.taskType !== undefined ||
    (q.outcomes !== undefined && q.outcomes.length > 0) ||
    q.annotation !== undefined ||
    (q.search !== undefined && q.search !== '')
  )
}

/** One stable string per distinct query, for caches and for telling views which query they show. */
export function queryKey(q: PairQuery): string {
  const outcomes = q.outcomes === undefined ? undefined : [...new Set(q.outcomes)].sort()
  return JSON.stringify([
    q.checkpoint ?? null,
    q.promptId ?? null,
    q.gapMin ?? null,
    q.gapMax ?? null,
    q.taskType ?? null,
    outcomes ?? null,
    q.annotation ?? null,
    q.search === '' ? null : (q.search ?? null),
    q.search ? (q.regex ?? false) : false,
    q.sort ?? null,
    q.sort ? (q.desc ?? false) : false,
  ])
}

/** Compile a search: case-insensitive, plain text escaped. Throws a readable error on a bad regex. */
export function compileSearch(search: string, regex: boolean): RegExp {
  const source = regex ? search : search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  try {
    return new RegExp(source, 'iu')
  } catch (error) {
    throw new SyntaxError(`invalid regular expression ${JSON.stringify(search)}: ${(error as Error).message}`)
  }
}

// The query in a URL (`#/pairs?outcome=disagrees&sort=gap&desc=1`): short, readable keys.
const KEYS = {
  checkpoint: 'checkpoint',
  promptId: 'prompt',
  gapMin: 'gapMin',
  gapMax: 'gapMax',
  taskType: 'task',
  outcomes: 'outcome',
  annotation: 'annotation',
  search: 'q',
  regex: 'regex',
  sort: 'sort',
  desc: 'desc',
} as const satisfies Record<keyof PairQuery, string>

function readId(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key)
  return value === null || value === '' ? undefined : value
}

/** Limits the contract enforces; a URL beyond them is read as if the value were absent. */
export const QUERY_LIMITS = { gap: 1e12, id: 512, text: 256, search: 1000 } as const

function readNumber(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key)
  if (raw === null || raw.trim() === '') return undefined
  const value = Number(raw)
  return Number.isFinite(value) && Math.abs(value) <= QUERY_LIMITS.gap ? value : undefined
}

function readText(query: URLSearchParams, key: string, max: number): string | undefined {
  const value = readId(query, key)
  return value !== undefined && value.length <= max ? value : undefined
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return allowed.find((a) => a === value)
}

/** Unknown or malformed values are dropped, so a hand-edited URL still opens the table. */
export function readPairQuery(query: URLSearchParams): PairQuery {
  const outcomes = (query.get(KEYS.outcomes) ?? '')
    .split(',')
    .map((o) => oneOf<VerdictOutcome>(verdictOutcomes, o))
    .filter((o): o is VerdictOutcome => o !== undefined)
  const params: PairQuery = {
    checkpoint: readText(query, KEYS.checkpoint, QUERY_LIMITS.id),
    promptId: readText(query, KEYS.promptId, QUERY_LIMITS.id),
    gapMin: readNumber(query, KEYS.gapMin),
    gapMax: readNumber(query, KEYS.gapMax),
    taskType: readText(query, KEYS.taskType, QUERY_LIMITS.text),
    outcomes: outcomes.length > 0 ? [...new Set(outcomes)] : undefined,
    annotation: oneOf<AnnotationState>(annotationStates, readId(query, KEYS.annotation)),
    search: readText(query, KEYS.search, QUERY_LIMITS.search),
    regex: query.get(KEYS.regex) === '1' ? true : undefined,
    sort: oneOf<PairSortKey>(pairSortKeys, readId(query, KEYS.sort)),
    desc: query.get(KEYS.desc) === '1' ? true : undefined,
  }
  return compact(params)
}

/** Drop the fields that are unset, so equal queries are equal objects. */
function compact(params: PairQuery): PairQuery {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as PairQuery
}

export function writePairQuery(params: PairQuery): URLSearchParams {
  const query = new URLSearchParams()
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined && value !== '') query.set(key, String(value))
  }
  set(KEYS.checkpoint, params.checkpoint)
  set(KEYS.promptId, params.promptId)
  set(KEYS.gapMin, params.gapMin)
  set(KEYS.gapMax, params.gapMax)
  set(KEYS.taskType, params.taskType)
  if (params.outcomes !== undefined && params.outcomes.length > 0)
    set(KEYS.outcomes, params.outcomes.join(','))
  set(KEYS.annotation, params.annotation)
  set(KEYS.search, params.search)
  if (params.regex === true && params.search) set(KEYS.regex, 1)
  set(KEYS.sort, params.sort)
  if (params.desc === true && params.sort) set(KEYS.desc, 1)
  return query
}
