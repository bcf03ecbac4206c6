// Hash routes, parsed and built in one place so links and the router cannot drift apart.
// Pure: no DOM, no runes, so it is unit-tested in plain Node.
import type { VerdictOutcome } from '../../../shared/domain'
import {
  annotationStates,
  pairSortKeys,
  verdictOutcomes,
  type AnnotationState,
  type PairQuery,
  type PairSortKey,
} from '../../../shared/pair-query'

/** The pair table's state lives in the URL: its query (filters, search, sort). */
export type PairsParams = PairQuery

// Short, readable URL keys for the query's fields.
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

export type Route =
  | { name: 'timeline' }
  | { name: 'pairs'; params: PairsParams }
  | { name: 'pair'; id: string }
  | { name: 'rubric'; id: string }
  | { name: 'prompt'; id: string }
  | { name: 'errors'; offset: number }
  | { name: 'not-found'; path: string }

export type RouteName = Route['name']

function decode(segment: string): string | null {
  try {
    const value = decodeURIComponent(segment)
    return value === '' ? null : value
  } catch {
    return null
  }
}

function readOffset(query: URLSearchParams): number {
  const raw = query.get('offset')
  if (raw === null || !/^\d+$/.test(raw)) return 0
  const value = Number(raw)
  return Number.isSafeInteger(value) ? value : 0
}

function readId(query: URLSearchParams, key: string): string | undefined {
  const value = query.get(key)
  return value === null || value === '' ? undefined : value
}

function readNumber(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key)
  if (raw === null || raw.trim() === '') return undefined
  const value = Number(raw)
  return Number.isFinite(value) ? value : undefined
}

function oneOf<T extends string>(allowed: readonly T[], value: string | undefined): T | undefined {
  return allowed.find((a) => a === value)
}

/** Unknown or malformed values are dropped, so a hand-edited URL still opens the table. */
export function readPairsParams(query: URLSearchParams): PairsParams {
  const outcomes = (query.get(KEYS.outcomes) ?? '')
    .split(',')
    .map((o) => oneOf<VerdictOutcome>(verdictOutcomes, o))
    .filter((o): o is VerdictOutcome => o !== undefined)
  const params: PairsParams = {
    checkpoint: readId(query, KEYS.checkpoint),
    promptId: readId(query, KEYS.promptId),
    gapMin: readNumber(query, KEYS.gapMin),
    gapMax: readNumber(query, KEYS.gapMax),
    taskType: readId(query, KEYS.taskType),
    outcomes: outcomes.length > 0 ? [...new Set(outcomes)] : undefined,
    annotation: oneOf<AnnotationState>(annotationStates, readId(query, KEYS.annotation)),
    search: readId(query, KEYS.search),
    regex: query.get(KEYS.regex) === '1' ? true : undefined,
    sort: oneOf<PairSortKey>(pairSortKeys, readId(query, KEYS.sort)),
    desc: query.get(KEYS.desc) === '1' ? true : undefined,
  }
  return compact(params)
}

/** Drop the fields that are unset, so equal queries are equal objects. */
function compact(params: PairsParams): PairsParams {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined)) as PairsParams
}

export function writePairsParams(params: PairsParams): URLSearchParams {
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

/** `#/pairs/abc?x=1` → a Route. The empty hash is the timeline; anything unknown is `not-found`. */
export function parseHash(hash: string): Route {
  const body = hash.replace(/^#/, '')
  const mark = body.indexOf('?')
  const path = (mark < 0 ? body : body.slice(0, mark)).replace(/^\/+/, '').replace(/\/+$/, '')
  const query = new URLSearchParams(mark < 0 ? '' : body.slice(mark + 1))
  const segments = path === '' ? [] : path.split('/')
  const [head, rawId, ...rest] = segments
  const notFound: Route = { name: 'not-found', path: `#/${path}` }

  if (head === undefined || (head === 'timeline' && rawId === undefined)) return { name: 'timeline' }
  if (head === 'errors' && rawId === undefined) return { name: 'errors', offset: readOffset(query) }
  if (head === 'pairs' && rawId === undefined) {
    return { name: 'pairs', params: readPairsParams(query) }
  }
  if (rawId === undefined || rest.length > 0) return notFound
  const id = decode(rawId)
  if (id === null) return notFound
  switch (head) {
    case 'pairs':
      return { name: 'pair', id }
    case 'rubrics':
      return { name: 'rubric', id }
    case 'prompts':
      return { name: 'prompt', id }
    default:
      return notFound
  }
}

const segment = (id: string): string => encodeURIComponent(id)

/** Link builders; every in-app `href` comes from here. */
export const href = {
  timeline: (): string => '#/timeline',
  pairs(params: PairsParams = {}): string {
    const text = writePairsParams(params).toString()
    return text === '' ? '#/pairs' : `#/pairs?${text}`
  },
  pair: (id: string): string => `#/pairs/${segment(id)}`,
  rubric: (id: string): string => `#/rubrics/${segment(id)}`,
  prompt: (id: string): string => `#/prompts/${segment(id)}`,
  errors: (offset = 0): string => (offset > 0 ? `#/errors?offset=${offset}` : '#/errors'),
}

/** Where Esc leads from a detail page when there is no in-app history to go back to. */
export function parentOf(route: Route): string | null {
  switch (route.name) {
    case 'pair':
    case 'rubric':
    case 'prompt':
      return href.pairs()
    default:
      return null
  }
}
