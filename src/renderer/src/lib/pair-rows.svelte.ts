import type { PairSummary } from '../../../shared/domain'
import { queryKey, type PairQuery } from '../../../shared/pair-query'
import { api } from './api'
import { toWorkbenchError, type WorkbenchError } from './errors'

/** Rows fetched per request: a screenful is about 25, so the first page fills three. */
export const ROWS_PER_PAGE = 100

/**
 * The pair table's rows for one query, fetched a page at a time as they scroll into view. The
 * core holds the query's whole order, so a page is a slice; the renderer never filters or sorts.
 * While a new query loads, the previous rows stay on screen (marked stale) instead of blanking.
 */
export class PairRows {
  /** The query whose rows are on screen. */
  shownKey = $state('')
  total = $state(0)
  runTotal = $state(0)
  loading = $state(true)
  error: WorkbenchError | undefined = $state.raw(undefined)
  /** Time the core took for the last new query. */
  queryMs = $state(0)
  /** Bumped whenever a page arrives, so row lookups re-run. */
  version = $state(0)

  #query: PairQuery = {}
  #wantedKey: string | null = null
  // Plain collections on purpose: views re-read rows through `version`, bumped once per page.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #pages = new Map<number, readonly PairSummary[]>()
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  #inFlight = new Set<number>()
  #generation = 0

  /** Show `query`: the first page is fetched at once, the rest on demand. */
  show(query: PairQuery): void {
    const key = queryKey(query)
    if (key === this.#wantedKey) return
    this.#wantedKey = key
    this.#query = query
    const generation = ++this.#generation
    this.#inFlight.clear()
    this.loading = true
    this.error = undefined
    api['pairs.list']({ ...query, offset: 0, limit: ROWS_PER_PAGE }).then(
      (page) => {
        if (generation !== this.#generation) return
        this.#pages.clear()
        this.#pages.set(0, page.items)
        this.total = page.total
        this.runTotal = page.runTotal
        this.queryMs = page.queryMs
        this.shownKey = key
        this.loading = false
        this.version++
      },
      (error: unknown) => {
        if (generation !== this.#generation) return
        this.error = toWorkbenchError(error)
        this.loading = false
      }
    )
  }

  /** Fetch whatever pages rows `from`..`to` need (for the current query). */
  ensure(from: number, to: number): void {
    if (this.shownKey !== this.#wantedKey) return
    const last = Math.min(to, this.total - 1)
    for (let page = Math.floor(Math.max(0, from) / ROWS_PER_PAGE); page * ROWS_PER_PAGE <= last; page++) {
      if (this.#pages.has(page) || this.#inFlight.has(page)) continue
      this.#inFlight.add(page)
      const generation = this.#generation
      api['pairs.list']({ ...this.#query, offset: page * ROWS_PER_PAGE, limit: ROWS_PER_PAGE }).then(
        (result) => {
          if (generation !== this.#generation) return
          this.#inFlight.delete(page)
          this.#pages.set(page, result.items)
          this.version++
        },
        (error: unknown) => {
          if (generation !== this.#generation) return
          this.#inFlight.delete(page)
          this.error = toWorkbenchError(error)
        }
      )
    }
  }

  /** Row `i` of the shown query, or undefined while its page loads. */
  row(i: number): PairSummary | undefined {
    void this.version
    return this.#pages.get(Math.floor(i / ROWS_PER_PAGE))?.[i % ROWS_PER_PAGE]
  }

  reload(): void {
    const query = this.#query
    this.#wantedKey = null
    this.show(query)
  }
}
