// The book-keeping both kinds of background job share (judge jobs, training jobs): jobs kept in a
// small durable document, one running at a time in the order they were queued, a job that was
// running when the workbench stopped found again as interrupted, a copy of each change sent out,
// and the lines their processes wrote. What a job does is the owner's `execute`.
import { Low } from 'lowdb'
import { isActive, type JobState } from '../../shared/judge'
import { DurableJsonFile } from '../store/durable-json-file'

export interface BookedJob {
  id: string
  state: JobState
  message: string | null
  created: string
  updated: string
}

interface JobsDoc<J> {
  schemaVersion: 1
  jobs: J[]
}

export class JobBook<J extends BookedJob> {
  private readonly jobs = new Map<string, J>()
  private running: Promise<void> | null = null
  /** Set by close(): nothing new starts. */
  private closed = false
  /** Lines the jobs' processes wrote, each with its job, newest last (for the views' logs). */
  private readonly log: { job: string; line: string }[] = []

  private constructor(
    private readonly db: Low<JobsDoc<J>>,
    private readonly kind: string,
    private readonly keep: number,
    private readonly emit: (job: J) => void
  ) {}

  /**
   * Reads the jobs in `file`; an active one becomes interrupted, `interrupted` saying why (and
   * resetting whatever else of it described the run that stopped).
   */
  static async open<J extends BookedJob>(
    file: string,
    options: { kind: string; keep: number; emit: (job: J) => void; interrupted: (job: J) => void }
  ): Promise<JobBook<J>> {
    const db = new Low<JobsDoc<J>>(new DurableJsonFile<JobsDoc<J>>(file), { schemaVersion: 1, jobs: [] })
    await db.read()
    const book = new JobBook(db, options.kind, options.keep, options.emit)
    let changed = false
    for (const job of db.data.jobs) {
      if (isActive(job.state)) {
        options.interrupted(job)
        job.state = 'interrupted'
        changed = true
      }
      book.jobs.set(job.id, job)
    }
    if (changed) await book.save()
    return book
  }

  /** Newest first. */
  list(): J[] {
    return [...this.jobs.values()].sort((a, b) => (a.created < b.created ? 1 : -1))
  }

  get(id: string): J | undefined {
    return this.jobs.get(id)
  }

  need(id: string): J {
    const job = this.jobs.get(id)
    if (job === undefined) throw new Error(`no ${this.kind} ${JSON.stringify(id)} in this workspace`)
    return job
  }

  /** Books a new job (queued) and starts it when its turn comes. */
  async add(job: J, execute: (job: J) => Promise<void>): Promise<J> {
    this.jobs.set(job.id, job)
    await this.save()
    this.changed(job)
    this.pump(execute)
    return job
  }

  /** A queued job that has not started is cancelled here; true when that happened. */
  async cancelQueued(job: J): Promise<boolean> {
    if (job.state !== 'queued') return false
    job.state = 'cancelled'
    job.message = 'cancelled before it started'
    await this.save()
    this.changed(job)
    return true
  }

  /** Queues a stopped job again after `reset` cleared what its last run left. */
  async requeue(job: J, reset: (job: J) => void, execute: (job: J) => Promise<void>): Promise<J> {
    if (isActive(job.state) || job.state === 'done') return job
    job.state = 'queued'
    job.message = null
    reset(job)
    await this.save()
    this.changed(job)
    this.pump(execute)
    return job
  }

  /** Resolves once no job is queued or running. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running
  }

  /** Nothing new starts; resolves when the running job has ended (the owner stops it first). */
  async close(): Promise<void> {
    this.closed = true
    await this.running?.catch(() => {})
  }

  /** Sends a copy of the job as it is now. */
  changed(job: J): void {
    job.updated = new Date().toISOString()
    this.emit(structuredClone(job))
  }

  /** Writes the jobs; the oldest beyond `keep` are forgotten (their results stay where they were saved). */
  async save(): Promise<void> {
    const all = this.list()
    for (const gone of all.slice(this.keep)) this.jobs.delete(gone.id)
    this.db.data = { schemaVersion: 1, jobs: all.slice(0, this.keep) }
    await this.db.write()
  }

  remember(job: string, line: string): void {
    this.log.push({ job, line })
    if (this.log.length > 2000) this.log.splice(0, this.log.length - 2000)
  }

  /** What a job's processes wrote (its last lines, while the workbench runs). */
  logOf(job: string): string[] {
    return this.log.filter((l) => l.job === job).map((l) => l.line)
  }

  private pump(execute: (job: J) => Promise<void>): void {
    if (this.running !== null || this.closed) return
    const next = [...this.jobs.values()]
      .filter((j) => j.state === 'queued')
      .sort((a, b) => (a.updated < b.updated ? -1 : 1))[0]
    if (next === undefined) return
    this.running = execute(next).finally(() => {
      this.running = null
      this.pump(execute)
    })
  }
}
