import { untrack } from 'svelte'
import { toWorkbenchError, type WorkbenchError } from './errors'

/**
 * The outcome of one asynchronous load. Only the latest `run` may settle it, so a slow answer for
 * the page the user already left never overwrites the one they are looking at.
 */
export class AsyncState<T> {
  data: T | undefined = $state.raw(undefined)
  error: WorkbenchError | undefined = $state.raw(undefined)
  loading = $state(false)
  #generation = 0

  /** `keepData` leaves the previous data on screen while loading (paging), instead of blanking it. */
  run(promise: Promise<T>, keepData = false): Promise<void> {
    const generation = ++this.#generation
    this.loading = true
    this.error = undefined
    if (!keepData) this.data = undefined
    return promise.then(
      (data) => {
        if (generation !== this.#generation) return
        this.data = data
        this.loading = false
      },
      (error: unknown) => {
        if (generation !== this.#generation) return
        this.error = toWorkbenchError(error)
        this.loading = false
      }
    )
  }

  /** Settle with data that arrived another way (a pushed event); any load in flight is dropped. */
  set(data: T): void {
    this.#generation++
    this.data = data
    this.error = undefined
    this.loading = false
  }

  /** Forget any load in flight (e.g. the component went away). */
  cancel(): void {
    this.#generation++
    this.loading = false
  }
}

/**
 * A load that follows its inputs: `fetch` runs in an effect, so every reactive value it reads
 * (props, route params) re-runs it when it changes. Construct it during component initialisation.
 */
export class Query<T> extends AsyncState<T> {
  #fetch: () => Promise<T>
  #keepData: boolean

  constructor(fetch: () => Promise<T>, options: { keepData?: boolean } = {}) {
    super()
    this.#fetch = fetch
    this.#keepData = options.keepData ?? false
    $effect(() => {
      const promise = fetch()
      untrack(() => void this.run(promise, this.#keepData && this.data !== undefined))
      return () => untrack(() => this.cancel())
    })
  }

  reload(): void {
    void this.run(untrack(this.#fetch), this.#keepData)
  }
}
