// Text search over a run's prompts, responses and rubrics, answering "which pairs match". Prompts
// are in memory; responses and rubrics are read back from the run files in one sequential pass
// (readTexts), in a worker thread so that a pattern that backtracks for minutes can be stopped.
// Results are cached per pattern, so paging and re-sorting a search does not read the files again.
import { compileSearch } from '../../shared/pair-query'
import type { RecordTable } from '../run/record-table'
import type { RunIndex, TextRef } from '../run/run-index'
import { emptyColumns, setRef } from '../run/text-store'
import { startWorker } from '../worker-thread'
import { RecentResults } from './recent-results'
import type { SearchReply, SearchRequest } from './search-worker'

/** Bits of a pair's match flags: where the search text was found. */
export const MATCH = { prompt: 1, newer: 2, older: 4, rubric: 8 } as const

const CACHED_SEARCHES = 6

/** A search that runs longer than this is stopped: the pattern backtracks too much to be usable. */
export const SEARCH_TIMEOUT_MS = 30_000

export class TextSearch {
  private readonly cache = new RecentResults<Uint8Array>(CACHED_SEARCHES)
  /** The search running now; a new pattern stops it (the table has moved on). */
  private running: { key: string; stop: (reason: Error) => void } | null = null

  constructor(
    private readonly index: RunIndex,
    private readonly timeoutMs = SEARCH_TIMEOUT_MS
  ) {}

  /** Per pair, the MATCH bits of the places the search was found (0: no match). */
  flags(search: string, regex: boolean): Promise<Uint8Array> {
    // Compile first, so a bad pattern fails fast and is never cached.
    const pattern = compileSearch(search, regex)
    const key = JSON.stringify([search, regex])
    return this.cache.get(key, () => {
      if (this.running !== null && this.running.key !== key)
        this.running.stop(new SearchStopped('a newer search replaced this one'))
      return this.run(key, search, pattern)
    })
  }

  private async run(key: string, search: string, pattern: RegExp): Promise<Uint8Array> {
    const { index } = this
    // Only texts that some pair refers to are read, each once.
    const responseSlot = new Int32Array(index.responses.length).fill(-1)
    const rubricSlot = new Int32Array(index.rubrics.length).fill(-1)
    const { pairs, responses, rubrics } = index
    // Two passes: number the texts, then fill their references as columns (no object per text).
    let count = 0
    const slotOf = <R extends { text: TextRef }>(
      slots: Int32Array,
      at: number,
      table: RecordTable<R>
    ): void => {
      if (table.has(at) && slots[at] === -1) slots[at] = count++
    }
    for (let i = 0; i < pairs.length; i++) {
      slotOf(responseSlot, pairs.num('newer', i), responses)
      slotOf(responseSlot, pairs.num('older', i), responses)
      slotOf(rubricSlot, pairs.num('rubric', i), rubrics)
    }
    const refs = emptyColumns(count)
    responseSlot.forEach((slot, at) => {
      if (slot >= 0) setRef(refs, slot, responses.field('text', at))
    })
    rubricSlot.forEach((slot, at) => {
      if (slot >= 0) setRef(refs, slot, rubrics.field('text', at))
    })

    const request: SearchRequest = {
      source: pattern.source,
      flags: pattern.flags,
      files: index.files,
      prompts: index.prompts.map((p) => p.text),
      refs,
    }
    const { promptHits, refHits } = await this.inWorker(key, search, request)

    const isHit = (slots: Int32Array, at: number): boolean => {
      const slot = at < 0 ? -1 : (slots[at] ?? -1)
      return slot >= 0 && refHits[slot] === 1
    }
    const flags = new Uint8Array(pairs.length)
    for (let i = 0; i < pairs.length; i++) {
      let f = 0
      if (promptHits[pairs.num('prompt', i)] === 1) f |= MATCH.prompt
      if (isHit(responseSlot, pairs.num('newer', i))) f |= MATCH.newer
      if (isHit(responseSlot, pairs.num('older', i))) f |= MATCH.older
      if (isHit(rubricSlot, pairs.num('rubric', i))) f |= MATCH.rubric
      flags[i] = f
    }
    return flags
  }

  private inWorker(
    key: string,
    search: string,
    request: SearchRequest
  ): Promise<{ promptHits: Uint8Array; refHits: Uint8Array }> {
    return new Promise((resolve, reject) => {
      const worker = startWorker(import.meta.url, './search-worker')
      let settled = false
      const finish = (error: Error | null, value?: { promptHits: Uint8Array; refHits: Uint8Array }): void => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        if (this.running?.key === key) this.running = null
        void worker.terminate()
        if (error !== null) reject(error)
        else resolve(value as { promptHits: Uint8Array; refHits: Uint8Array })
      }
      const timer = setTimeout(() => {
        finish(
          new SearchStopped(
            `the search for ${JSON.stringify(search)} stopped after ${Math.round(this.timeoutMs / 1000)} s; ` +
              'the pattern backtracks too much on these texts (nested repeats such as (a+)+ do): simplify it'
          )
        )
      }, this.timeoutMs)
      this.running = { key, stop: (reason) => finish(reason) }
      worker.once('message', (reply: SearchReply) =>
        reply.ok ? finish(null, reply) : finish(new Error(`search failed: ${reply.message}`))
      )
      worker.once('error', (error) => finish(error))
      worker.once('exit', (code) => finish(new Error(`the search worker stopped (exit code ${code})`)))
      const { file, start, end, pick } = request.refs
      worker.postMessage(
        request,
        [file, start, end, pick].map((a) => a.buffer as ArrayBuffer)
      )
    })
  }
}

/** A search that was stopped (too slow, or replaced): a request error, not a fault of the core. */
export class SearchStopped extends Error {}
