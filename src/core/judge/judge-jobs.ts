// Judge jobs: a queue in the core that scores a selection of pairs with one judge setting. One job
// runs at a time, in its own judge host process. Results are flushed to the workspace as they come,
// keyed so that a rerun (resume) skips what is done; a cancelled, failed or crashed job resumes
// from there. Jobs themselves are a small durable document, so a restart finds them again.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import {
  isActive,
  type JudgeEndpoint,
  type JudgeJob,
  type JudgeJobSpec,
  type LocalVerdict,
} from '../../shared/judge'
import { smokeTestModelDir } from '../resources'
import { JobBook } from '../jobs/job-book'
import { HostCrashError, JudgeHost } from './judge-host'
import { bundledTemplate, readTemplate, type JudgeTemplate } from './judge-template'
import { EndpointClient, endpointJudgeId, runEndpointProtocol } from './endpoint-judge'
import { inspectModel, judgeId, type ModelFolder } from './model-folder'
import type { ItemResult } from './protocols'
import { judgeWork, type ItemMeta, type JudgeSource } from './judge-work'
import type { VerdictStore } from './verdict-store'

/** Items per request to the host: results are flushed to disk between requests. */
const CHUNK = 16
const KEEP_JOBS = 200
/** Endpoint items that fail one after another before the job stops as interrupted. */
const FAILURES_IN_A_ROW = 25

interface Attempt {
  cancelled: boolean
  /** Why the job stopped itself (then it ends interrupted, not cancelled). */
  stopReason: string | null
  /** Stops an endpoint job's requests in flight (closing, or cancel while they wait to retry). */
  abort: AbortController
  /** The workbench is closing: the job stops as interrupted, to be resumed later. */
  closing: boolean
  host: JudgeHost | null
}

export class JudgeJobs {
  private readonly attempts = new Map<string, Attempt>()
  private readonly run = (job: JudgeJob): Promise<void> => this.execute(job)

  private constructor(
    private readonly book: JobBook<JudgeJob>,
    private readonly verdicts: VerdictStore,
    private readonly source: JudgeSource
  ) {}

  static async open(
    workspaceDir: string,
    verdicts: VerdictStore,
    source: JudgeSource,
    emit: (job: JudgeJob) => void = () => {}
  ): Promise<JudgeJobs> {
    const book = await JobBook.open<JudgeJob>(join(workspaceDir, 'judge', 'jobs.json'), {
      kind: 'judge job',
      keep: KEEP_JOBS,
      emit,
      // A job that was running when the workbench stopped can be resumed.
      interrupted: (job) =>
        (job.message =
          job.state === 'queued'
            ? 'the workbench stopped before this job started'
            : 'the workbench stopped while this job ran; its finished results are kept'),
    })
    return new JudgeJobs(book, verdicts, source)
  }

  /** What a job's host process wrote, newest last (kept while the workbench runs). */
  log(id: string): string[] {
    return this.book.logOf(this.book.need(id).id)
  }

  list(): JudgeJob[] {
    return this.book.list()
  }

  get(id: string): JudgeJob | undefined {
    return this.book.get(id)
  }

  async start(spec: JudgeJobSpec): Promise<JudgeJob> {
    const now = new Date().toISOString()
    return this.book.add(
      {
        id: `judge-${randomUUID().slice(0, 8)}`,
        spec,
        state: 'queued',
        judge: null,
        device: null,
        total: 0,
        scored: 0,
        skipped: 0,
        failed: 0,
        rate: null,
        remainingS: null,
        message: null,
        created: now,
        updated: now,
      },
      this.run
    )
  }

  async cancel(id: string): Promise<JudgeJob> {
    const job = this.book.need(id)
    if (await this.book.cancelQueued(job)) return job
    const attempt = this.attempts.get(id)
    if (isActive(job.state) && attempt !== undefined) {
      attempt.cancelled = true
      // A model still loading cannot be interrupted politely; its process can.
      if (job.state === 'loading') attempt.host?.kill()
      else attempt.host?.cancel()
      // An endpoint job stops its requests in flight and its waits before a retry.
      if (attempt.host === null) attempt.abort.abort()
    }
    return job
  }

  resume(id: string): Promise<JudgeJob> {
    return this.book.requeue(this.book.need(id), () => {}, this.run)
  }

  /** Resolves once no job is queued or running. */
  idle(): Promise<void> {
    return this.book.idle()
  }

  /** The process id of a running job's judge host (diagnostics and the crash tests). */
  hostPid(id: string): number | undefined {
    return this.attempts.get(id)?.host?.pid
  }

  /** Stops the running job's process (the workbench is closing or opening another run). */
  async close(): Promise<void> {
    for (const attempt of this.attempts.values()) {
      attempt.cancelled = true
      attempt.closing = true
      attempt.host?.kill()
      attempt.abort.abort()
    }
    await this.book.close()
  }

  private changed(job: JudgeJob): void {
    this.book.changed(job)
  }

  private save(): Promise<void> {
    return this.book.save()
  }

  private remember(job: string, line: string): void {
    this.book.remember(job, line)
  }

  private async execute(job: JudgeJob): Promise<void> {
    const attempt: Attempt = {
      cancelled: false,
      stopReason: null,
      closing: false,
      host: null,
      abort: new AbortController(),
    }
    this.attempts.set(job.id, attempt)
    const pending: LocalVerdict[] = []
    const failures = new Map<string, number>()
    const noteFailure = (reason: string | null): void => {
      if (reason !== null) failures.set(reason, (failures.get(reason) ?? 0) + 1)
    }
    const failureMessage = (): string => {
      const reasons = [...failures].sort((a, b) => b[1] - a[1])
      const shown = reasons.slice(0, 3).map(([reason, n]) => (n > 1 ? `${reason} (${n} items)` : reason))
      const more = reasons.length > 3 ? `; and ${reasons.length - 3} other reasons` : ''
      return `${job.failed} item${job.failed === 1 ? '' : 's'} could not be judged: ${shown.join('; ')}${more}`
    }
    const flush = async (): Promise<void> => {
      if (pending.length === 0) return
      const batch = pending.slice()
      await this.verdicts.append(batch)
      pending.splice(0, batch.length)
    }
    job.state = 'loading'
    job.message = null
    job.rate = null
    job.remainingS = null
    this.changed(job)
    try {
      const { spec } = job
      // A local model folder, checked before anything starts; or a server, asked what it serves.
      const local = spec.endpoint === null ? await inspectModel(spec.model ?? smokeTestModelDir) : null
      const client =
        spec.endpoint === null
          ? null
          : new EndpointClient(spec.endpoint, process.env, {
              signal: attempt.abort.signal,
              log: (line) => this.remember(job.id, line),
            })
      const template =
        spec.template === null ? await bundledTemplate(spec.protocol) : await readTemplate(spec.template)
      if (template.protocol !== spec.protocol)
        throw new Error(`the template ${template.path} is for ${template.protocol}, not ${spec.protocol}`)
      if (!spec.rubric && template.userWithoutRubric === null)
        throw new Error(
          `the template ${template.path} has no [user without rubric] section, so it cannot judge without a rubric`
        )
      const judge =
        local !== null ? judgeId(local, spec.dtype) : endpointJudgeId(spec.endpoint as JudgeEndpoint)
      const work = await judgeWork(this.source, spec, judge, template, (key) => this.verdicts.done(key))
      job.judge = judge
      job.total = work.items.length + work.invalid.length + work.skipped
      job.skipped = work.skipped
      job.scored = 0
      job.failed = work.invalid.length
      const stamp = stamper(judge, template, spec.rubric)
      pending.push(...work.invalid.map((r) => stamp(r, work.meta.get(r.key))))
      for (const r of work.invalid) noteFailure(r.error)
      await flush()
      if (work.items.length === 0 || attempt.cancelled) {
        job.state = attempt.closing ? 'interrupted' : attempt.cancelled ? 'cancelled' : 'done'
        if (job.failed > 0) job.message = failureMessage()
        return
      }
      if (client !== null) {
        const served = await client.models()
        const name = (spec.endpoint as JudgeEndpoint).modelName
        if (!served.includes(name))
          throw new Error(
            `${(spec.endpoint as JudgeEndpoint).url} does not serve ${JSON.stringify(name)} (it serves ${served.map((m) => JSON.stringify(m)).join(', ') || 'nothing'})`
          )
        job.device = {
          requested: spec.device,
          used: 'endpoint',
          notes: [`${name} served at ${(spec.endpoint as JudgeEndpoint).url}`],
        }
      } else {
        const host = (attempt.host = new JudgeHost((line) => this.remember(job.id, line)))
        const loaded = await host.load((local as ModelFolder).dir, spec.device, spec.dtype)
        job.device = loaded.device
      }
      job.state = 'running'
      this.changed(job)
      const started = performance.now()
      let doneHere = 0
      let lastEmit = 0
      let failedInARow = 0
      const onResult = (result: ItemResult): void => {
        pending.push(stamp(result, work.meta.get(result.key)))
        if (result.error === null) {
          job.scored++
          failedInARow = 0
        } else {
          job.failed++
          noteFailure(result.error)
          // A server that fails everything: stop rather than wait out every item's retries.
          if (client !== null && ++failedInARow >= FAILURES_IN_A_ROW && !attempt.cancelled) {
            attempt.cancelled = true
            attempt.stopReason = `stopped after ${FAILURES_IN_A_ROW} items failed in a row (the last: ${result.error}); finished results are kept, resume to go on`
            attempt.abort.abort()
          }
        }
        doneHere++
        const seconds = (performance.now() - started) / 1000
        job.rate = seconds > 0 ? doneHere / seconds : null
        const left = job.total - job.scored - job.failed - job.skipped
        job.remainingS = job.rate !== null && job.rate > 0 ? left / job.rate : null
        if (performance.now() - lastEmit > 200) {
          lastEmit = performance.now()
          this.changed(job)
        }
      }
      // An endpoint keeps `concurrency` requests going: hand it enough items at a time.
      const chunkSize =
        client === null ? CHUNK : Math.max(CHUNK, (spec.endpoint as JudgeEndpoint).concurrency * 4)
      for (let at = 0; at < work.items.length && !attempt.cancelled; at += chunkSize) {
        const chunk = work.items.slice(at, at + chunkSize)
        if (client !== null)
          await runEndpointProtocol(client, template, chunk, {
            seed: spec.seed,
            shouldStop: () => attempt.cancelled,
            onResult,
          })
        else {
          const outcome = await (attempt.host as JudgeHost).run(
            template,
            chunk,
            { batch: spec.batch, prefixReuse: spec.prefixCache, seed: spec.seed },
            onResult
          )
          if (outcome.cancelled) attempt.cancelled = true
        }
        await flush()
        await this.save()
      }
      job.state =
        attempt.closing || attempt.stopReason !== null
          ? 'interrupted'
          : attempt.cancelled
            ? 'cancelled'
            : 'done'
      job.remainingS = job.state === 'done' ? 0 : null
      if (job.failed > 0) job.message = failureMessage()
      if (attempt.stopReason !== null) job.message = attempt.stopReason
    } catch (error) {
      if (attempt.closing) {
        job.state = 'interrupted'
        job.message = 'the workbench closed while this job ran; finished results are kept, resume to go on'
      } else if (attempt.cancelled && attempt.stopReason !== null) {
        job.state = 'interrupted'
        job.message = attempt.stopReason
      } else if (attempt.cancelled) {
        // Cancelled while the model loaded or the endpoint was asked what it serves.
        job.state = 'cancelled'
        job.message = 'cancelled before judging began'
      } else if (error instanceof HostCrashError) {
        const last = attempt.host?.lastLines().at(-1)
        job.state = 'interrupted'
        job.message = `${error.message}${last === undefined ? '' : `: ${last}`}; finished results are kept, resume to go on`
      } else {
        job.state = 'failed'
        job.message = error instanceof Error ? error.message : String(error)
      }
    } finally {
      if (attempt.closing && job.state === 'interrupted')
        job.message ??= 'the workbench closed while this job ran; finished results are kept, resume to go on'
      try {
        await flush()
      } catch (error) {
        // What could not be written is not done: count it back out, so a resume judges it again.
        for (const v of pending) {
          if (v.error === null) job.scored--
          else job.failed--
        }
        job.state = 'failed'
        job.message = `results could not be saved (${(error as Error).message}); ${pending.length} results were lost and will be judged again on resume`
      }
      await attempt.host?.close()
      this.attempts.delete(job.id)
      await this.save().catch((error: unknown) =>
        this.remember(job.id, `judge jobs: ${(error as Error).message}`)
      )
      this.changed(job)
    }
  }
}

function stamper(judge: string, template: JudgeTemplate, withRubric: boolean) {
  return (result: ItemResult, meta: ItemMeta | undefined): LocalVerdict => ({
    ...result,
    judge,
    protocol: template.protocol,
    template: template.name,
    templateVersion: template.version,
    rubricId: withRubric ? (meta?.rubricId ?? null) : null,
    responseId: meta?.responseId ?? '?',
    otherResponseId: meta?.otherResponseId ?? null,
    time: new Date().toISOString(),
  })
}
