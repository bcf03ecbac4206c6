// Hash routes, parsed and built in one place so links and the router cannot drift apart.
// Pure: no DOM, no runes, so it is unit-tested in plain Node.
import { readPairQuery, writePairQuery, type PairQuery } from '../../../shared/pair-query'

/** The pair table's state lives in the URL: its query (filters, search, sort). */
export type PairsParams = PairQuery

export type Route =
  | { name: 'timeline' }
  | { name: 'pairs'; params: PairsParams }
  | { name: 'pair'; id: string }
  | { name: 'rubric'; id: string }
  | { name: 'prompt'; id: string }
  | { name: 'errors'; offset: number }
  | { name: 'audit' }
  | { name: 'report' }
  | { name: 'queue'; id: string }
  | { name: 'judge' }
  | { name: 'models' }
  | { name: 'analysis' }
  | { name: 'export' }
  | { name: 'training' }
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
  if (head === 'audit' && rawId === undefined) return { name: 'audit' }
  if (head === 'judge' && rawId === undefined) return { name: 'judge' }
  if (head === 'models' && rawId === undefined) return { name: 'models' }
  if (head === 'analysis' && rawId === undefined) return { name: 'analysis' }
  if (head === 'export' && rawId === undefined) return { name: 'export' }
  if (head === 'training' && rawId === undefined) return { name: 'training' }
  if (head === 'pairs' && rawId === undefined) {
    return { name: 'pairs', params: readPairQuery(query) }
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
    case 'audit':
      // Queue ids start with "queue-", so "report" cannot name one.
      return id === 'report' ? { name: 'report' } : { name: 'queue', id }
    default:
      return notFound
  }
}

const segment = (id: string): string => encodeURIComponent(id)

/** Link builders; every in-app `href` comes from here. */
export const href = {
  timeline: (): string => '#/timeline',
  pairs(params: PairsParams = {}): string {
    const text = writePairQuery(params).toString()
    return text === '' ? '#/pairs' : `#/pairs?${text}`
  },
  pair: (id: string): string => `#/pairs/${segment(id)}`,
  rubric: (id: string): string => `#/rubrics/${segment(id)}`,
  prompt: (id: string): string => `#/prompts/${segment(id)}`,
  errors: (offset = 0): string => (offset > 0 ? `#/errors?offset=${offset}` : '#/errors'),
  audit: (): string => '#/audit',
  report: (): string => '#/audit/report',
  queue: (id: string): string => `#/audit/${segment(id)}`,
  judge: (): string => '#/judge',
  models: (): string => '#/models',
  analysis: (): string => '#/analysis',
  export: (): string => '#/export',
  training: (): string => '#/training',
}

/** Where Esc leads from a detail page when there is no in-app history to go back to. */
export function parentOf(route: Route): string | null {
  switch (route.name) {
    case 'pair':
    case 'rubric':
    case 'prompt':
      return href.pairs()
    case 'queue':
    case 'report':
      return href.audit()
    default:
      return null
  }
}
