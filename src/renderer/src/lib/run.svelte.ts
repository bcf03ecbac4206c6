import { createContext } from 'svelte'
import type { EventPayload } from '../../../shared/contract'
import type { RunSummary, SideNames } from '../../../shared/domain'
import { api, onEvent } from './api'
import { AsyncState } from './query.svelte'

export type RunProgress = EventPayload<'run.progress'>

const DEFAULT_SIDES: SideNames = { newer: 'newer', older: 'older' }

/** The open run as the app frame sees it: its summary and, while it indexes, the progress. */
export class RunState {
  readonly summary = new AsyncState<RunSummary>()
  progress: RunProgress | null = $state.raw(null)

  get sideNames(): SideNames {
    return this.summary.data?.sideNames ?? DEFAULT_SIDES
  }

  /** Subscribe to the run's events and load the summary; returns the unsubscribe function. */
  connect(): () => void {
    const stopProgress = onEvent('run.progress', (progress) => {
      this.progress = progress
    })
    const stopOpened = onEvent('run.opened', (summary) => {
      this.summary.set(summary)
      this.progress = null
    })
    this.load()
    return () => {
      stopProgress()
      stopOpened()
    }
  }

  load(): void {
    void this.summary.run(api['run.summary']({}))
  }
}

const [getRun, setRun] = createContext<RunState>()
export { getRun, setRun }
