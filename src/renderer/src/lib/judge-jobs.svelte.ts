// The judge jobs of the open run as the Judge view shows them (see live-jobs.svelte.ts).
import { isActive, type JudgeJob } from '../../../shared/judge'
import { onEvent } from './api'
import { LiveJobs } from './live-jobs.svelte'

export class JudgeJobsState extends LiveJobs<JudgeJob> {
  constructor() {
    super({ list: 'judge.jobs', event: 'judge.progress' })
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
