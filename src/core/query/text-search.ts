// Text search over a run's prompts, responses and rubrics, answering "which pairs match". Prompts
// are in memory; responses and rubrics are read back from the run files in one sequential pass
// (TextStore.forEachText). Results are cached per pattern, so paging and re-sorting a search
// does not read the files again.
import { compileSearch } from '../../shared/pair-query'
import type { RecordTable } from '../run/record-table'
import type { RunIndex, TextRef } from '../run/run-index'
import type { TextStore } from '../run/text-store'
import { RecentResults } from './recent-results'

/** Bits of a pair's match flags: where the search text was found. */
export const MATCH = { prompt: 1, newer: 2, older: 4, rubric: 8 } as const

const CACHED_SEARCHES = 6

export class TextSearch {
  private readonly cache = new RecentResults<Uint8Array>(CACHED_SEARCHES)

  constructor(
    private readonly index: RunIndex,
    private readonly store: TextStore
  ) {}

  /** Per pair, the MATCH bits of the places the search was found (0: no match). */
  flags(search: string, regex: boolean): Promise<Uint8Array> {
    // Compile first, so a bad pattern fails fast and is never cached.
    const pattern = compileSearch(search, regex)
    return this.cache.get(JSON.stringify([search, regex]), () => this.run(pattern))
  }

  private async run(pattern: RegExp): Promise<Uint8Array> {
    const { index } = this
    const promptHit = index.prompts.map((p) => pattern.test(p.text))

    // Only texts that some pair refers to are read, each once.
    const responseSlot = new Int32Array(index.responses.length).fill(-1)
    const rubricSlot = new Int32Array(index.rubrics.length).fill(-1)
    const refs: TextRef[] = []
    const slotOf = <R extends { text: TextRef }>(
      slots: Int32Array,
      at: number,
      table: RecordTable<R>
    ): void => {
      if (!table.has(at) || slots[at] !== -1) return
      slots[at] = refs.length
      refs.push(table.field('text', at))
    }
    const { pairs, responses, rubrics } = index
    for (let i = 0; i < pairs.length; i++) {
      const newer = pairs.num('newer', i)
      const older = pairs.num('older', i)
      const rubric = pairs.num('rubric', i)
      slotOf(responseSlot, newer, responses)
      slotOf(responseSlot, older, responses)
      slotOf(rubricSlot, rubric, rubrics)
    }
    const hit = new Uint8Array(refs.length)
    await this.store.forEachText(refs, (at, text) => {
      if (pattern.test(text)) hit[at] = 1
    })

    const isHit = (slots: Int32Array, at: number): boolean => {
      const slot = at < 0 ? -1 : (slots[at] ?? -1)
      return slot >= 0 && hit[slot] === 1
    }
    const flags = new Uint8Array(pairs.length)
    for (let i = 0; i < pairs.length; i++) {
      let f = 0
      if (promptHit[pairs.num('prompt', i)] === true) f |= MATCH.prompt
      if (isHit(responseSlot, pairs.num('newer', i))) f |= MATCH.newer
      if (isHit(responseSlot, pairs.num('older', i))) f |= MATCH.older
      if (isHit(rubricSlot, pairs.num('rubric', i))) f |= MATCH.rubric
      flags[i] = f
    }
    return flags
  }
}
