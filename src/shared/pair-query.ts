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
