// The judge jobs of the open run as the Judge view shows them: loaded once, then kept current by
// the core's `judge.progress` events (each carries the whole job, so the newest simply replaces).
import type { MethodArgs } from '../../../shared/contract'
import { isActive, type JudgeJob } from '../../../shared/judge'
import { api, onEvent } from './api'
import { toWorkbenchError, type WorkbenchError } from './errors'

export class JudgeJobsState {
  jobs: JudgeJob[] = $state.raw([])
  loaded = $state(false)
  error: WorkbenchError | null = $state.raw(null)
  starting = $state(false)
  /** Why the last start, cancel or resume was refused. */
  actionError: WorkbenchError | null = $state.raw(null)

  get running(): JudgeJob | undefined {
    return this.jobs.find((j) => isActive(j.state))
  }

  /** Load the list and follow the events; returns the unsubscribe function. */
  connect(): () => void {
    const stop = onEvent('judge.progress', (job) => this.upsert(job))
    void this.load()
    return stop
  }

  async load(): Promise<void> {
    try {
      const jobs = await api['judge.jobs']({})
      // Events that arrived while loading are newer than the list: keep them.
      this.jobs = jobs.map((j) => {
        const newer = this.jobs.find((k) => k.id === j.id)
        return newer !== undefined && newer.updated > j.updated ? newer : j
      })
      this.error = null
    } catch (error) {
      this.error = toWorkbenchError(error)
    } finally {
      this.loaded = true
    }
  }

  private upsert(job: JudgeJob): void {
    const at = this.jobs.findIndex((j) => j.id === job.id)
    if (at === -1) this.jobs = [job, ...this.jobs]
    else if (this.jobs[at]?.updated !== undefined && (this.jobs[at]?.updated ?? '') <= job.updated)
      this.jobs = this.jobs.map((j, i) => (i === at ? job : j))
  }

  async start(args: MethodArgs<'judge.start'>): Promise<void> {
    this.starting = true
    this.actionError = null
    try {
      this.upsert(await api['judge.start'](args))
    } catch (error) {
      this.actionError = toWorkbenchError(error)
    } finally {
      this.starting = false
    }
  }

  async act(action: 'judge.cancel' | 'judge.resume', id: string): Promise<void> {
    this.actionError = null
    try {
      this.upsert(await api[action]({ id }))
    } catch (error) {
      this.actionError = toWorkbenchError(error)
    }
  }
}

/**
 * Calls `reload` whenever a judge job ends (it may have judged what a view shows); returns the
 * unsubscribe function, for an `$effect`.
 */
export function onJudgeJobEnd(reload: () => void): () => void {
  return onEvent('judge.progress', (job) => {
    if (!isActive(job.state)) reload()
  })
}
