// Background jobs as a view shows them (judge jobs, training jobs): loaded once, then kept current
// by the core's progress events. Each event carries the whole job, so the newest simply replaces.
import type { EventName, EventPayload, MethodArgs, MethodName, MethodResult } from '../../../shared/contract'
import { isActive, type JobState } from '../../../shared/judge'
import { api, onEvent } from './api'
import { toWorkbenchError, type WorkbenchError } from './errors'

interface LiveJob {
  id: string
  state: JobState
  updated: string
}

type ListMethod = { [M in MethodName]: MethodResult<M> extends LiveJob[] ? M : never }[MethodName]
type JobMethod = { [M in MethodName]: MethodResult<M> extends LiveJob ? M : never }[MethodName]

export class LiveJobs<J extends LiveJob> {
  jobs: J[] = $state.raw([])
  loaded = $state(false)
  error: WorkbenchError | null = $state.raw(null)
  starting = $state(false)
  /** Why the last start, cancel or resume was refused. */
  actionError: WorkbenchError | null = $state.raw(null)

  constructor(private readonly names: { list: ListMethod; event: EventName }) {}

  get running(): J | undefined {
    return this.jobs.find((j) => isActive(j.state))
  }

  /** Load the list and follow the events; returns the unsubscribe function. */
  connect(): () => void {
    const stop = onEvent(this.names.event, (job: EventPayload<EventName>) => this.upsert(job as unknown as J))
    void this.load()
    return stop
  }

  async load(): Promise<void> {
    try {
      const jobs = (await (api[this.names.list] as (a: object) => Promise<unknown>)({})) as J[]
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

  private upsert(job: J): void {
    const at = this.jobs.findIndex((j) => j.id === job.id)
    if (at === -1) this.jobs = [job, ...this.jobs]
    else if ((this.jobs[at]?.updated ?? '') <= job.updated)
      this.jobs = this.jobs.map((j, i) => (i === at ? job : j))
  }

  /** Starts a job with `method`; the job is returned (null when refused, with actionError set). */
  async start<M extends JobMethod>(method: M, args: MethodArgs<M>): Promise<J | null> {
    this.starting = true
    this.actionError = null
    try {
      const job = (await (api[method] as (a: MethodArgs<M>) => Promise<unknown>)(args)) as J
      this.upsert(job)
      return job
    } catch (error) {
      this.actionError = toWorkbenchError(error)
      return null
    } finally {
      this.starting = false
    }
  }

  async act(method: JobMethod, id: string): Promise<void> {
    this.actionError = null
    try {
      this.upsert((await (api[method] as (a: { id: string }) => Promise<unknown>)({ id })) as J)
    } catch (error) {
      this.actionError = toWorkbenchError(error)
    }
  }
}
