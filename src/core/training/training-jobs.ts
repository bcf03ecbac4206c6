// Training jobs: one at a time, each in its own judge host process (the inference worker), so a
// training step never blocks the core and a native failure ends only that process. A reward head
// first embeds the responses it lacks with the judge model (kept in the workspace, so a cancelled
// or repeated job embeds only what is missing), then trains; a criteria head trains on the
// analyses' per-criterion verdicts. Every epoch's point is pushed as it ends (the live curve).
// Jobs are a small durable document, so a restart finds them, their curves and their heads.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { isActive } from '../../shared/judge'
import type { TrainedHead, TrainingJob, TrainingSpec } from '../../shared/training'
import type { CriterionTrainingData } from '../analysis/analysis-engine'
import { HostCrashError, JudgeHost } from '../judge/judge-host'
import type { EmbedItem, TrainingTask } from '../judge/host-protocol'
import { inspectModel, judgeId } from '../judge/model-folder'
import { smokeTestModelDir } from '../resources'
import { JobBook } from '../jobs/job-book'
import { EmbeddingCache } from './embedding-cache'
import { listHeads, readHead, removeHead, type SavedHead } from './trained-heads'

const KEEP_JOBS = 100
/** Responses per embed request: each request's vectors are written to the cache before the next. */
const EMBED_CHUNK = 64
/** Least time between two progress events of one job (epoch ends are always sent). */
const EMIT_MS = 150

/** A labelled pair for the reward head: +1 where the newer response is preferred. */
export interface LabelledPair {
  pairId: string
  promptId: string
  newerId: string
  olderId: string
  label: 1 | -1
}

/** What the jobs read from the open run. */
export interface TrainingSource {
  criterionData(judge: string | null, labels: TrainingSpec['labels']): Promise<CriterionTrainingData>
  labelledPairs(labels: TrainingSpec['labels']): Promise<LabelledPair[]>
  /** A response with its prompt, as it is embedded; null for a failed or empty generation. */
  embedText(responseId: string): Promise<{ prompt: string; response: string } | null>
}

interface Attempt {
  cancelled: boolean
  closing: boolean
  host: JudgeHost | null
}

export class TrainingJobs {
  private readonly attempts = new Map<string, Attempt>()
  private readonly lastEmit = new Map<string, number>()
  private readonly run = (job: TrainingJob): Promise<void> => this.execute(job)

  private constructor(
    private readonly book: JobBook<TrainingJob>,
    private readonly dir: string,
    private readonly workspaceDir: string,
    private readonly source: TrainingSource
  ) {}

  static async open(
    workspaceDir: string,
    source: TrainingSource,
    emit: (job: TrainingJob) => void = () => {}
  ): Promise<TrainingJobs> {
    const dir = join(workspaceDir, 'training')
    const book = await JobBook.open<TrainingJob>(join(dir, 'jobs.json'), {
      kind: 'training job',
      keep: KEEP_JOBS,
      emit,
      interrupted: (job) => {
        job.phase = null
        job.message =
          job.state === 'queued'
            ? 'the workbench stopped before this job started'
            : 'the workbench stopped while this job ran; embeddings made so far are kept, resume to train again'
      },
    })
    return new TrainingJobs(book, dir, workspaceDir, source)
  }

  /** What a job's host process wrote, newest last (kept while the workbench runs). */
  log(id: string): string[] {
    return this.book.logOf(this.book.need(id).id)
  }

  list(): TrainingJob[] {
    return this.book.list()
  }

  get(id: string): TrainingJob | undefined {
    return this.book.get(id)
  }

  /** The saved heads of this workspace, newest first, and the files that could not be read. */
  heads(): Promise<{ heads: TrainedHead[]; problems: string[] }> {
    return listHeads(this.dir)
  }

  /** A saved head read back from its files. */
  head(id: string): Promise<SavedHead> {
    return readHead(this.dir, id)
  }

  /** Puts a saved head aside (`training/removed/`). */
  removeHead(id: string): Promise<TrainedHead> {
    return removeHead(this.dir, id)
  }

  start(spec: TrainingSpec): Promise<TrainingJob> {
    const now = new Date().toISOString()
    return this.book.add(
      {
        id: `${spec.head}-${now.slice(0, 19).replace(/[-:T]/g, '')}-${randomUUID().slice(0, 6)}`,
        spec,
        state: 'queued',
        phase: null,
        progress: { done: 0, total: 0 },
        curve: [],
        device: null,
        result: null,
        message: null,
        created: now,
        updated: now,
      },
      this.run
    )
  }

  async cancel(id: string): Promise<TrainingJob> {
    const job = this.book.need(id)
    if (await this.book.cancelQueued(job)) return job
    const attempt = this.attempts.get(id)
    if (isActive(job.state) && attempt !== undefined) {
      attempt.cancelled = true
      // A model still loading cannot be interrupted politely; its process can.
      if (job.phase === 'loading') attempt.host?.kill()
      else attempt.host?.cancel()
    }
    return job
  }

  /** Runs a stopped job again with its settings: embeddings already made are reused. */
  resume(id: string): Promise<TrainingJob> {
    const reset = (job: TrainingJob): void => {
      Object.assign(job, { phase: null, curve: [], result: null, progress: { done: 0, total: 0 } })
    }
    return this.book.requeue(this.book.need(id), reset, this.run)
  }

  /** Resolves once no job is queued or running. */
  idle(): Promise<void> {
    return this.book.idle()
  }

  async close(): Promise<void> {
    for (const attempt of this.attempts.values()) {
      attempt.cancelled = true
      attempt.closing = true
      attempt.host?.kill()
    }
    await this.book.close()
  }

  /** Sends the job; progress at most every EMIT_MS, state changes always. */
  private changed(job: TrainingJob, always = false): void {
    const now = performance.now()
    if (!always && now - (this.lastEmit.get(job.id) ?? -Infinity) < EMIT_MS) return
    this.lastEmit.set(job.id, now)
    this.book.changed(job)
  }

  private remember(job: string, line: string): void {
    this.book.remember(job, line)
  }

  private async execute(job: TrainingJob): Promise<void> {
    const attempt: Attempt = { cancelled: false, closing: false, host: null }
    this.attempts.set(job.id, attempt)
    job.state = 'loading'
    job.phase = 'loading'
    job.message = null
    this.changed(job, true)
    try {
      const newHost = (): JudgeHost => (attempt.host = new JudgeHost((line) => this.remember(job.id, line)))
      let host = newHost()
      const { spec } = job
      const options = {
        epochs: spec.epochs,
        patience: spec.patience,
        batch: spec.batch,
        seed: spec.seed,
        lr: spec.lr,
        validShare: spec.validShare,
        device: spec.device,
      }
      const saveAs = join(this.dir, job.id)
      let task: TrainingTask
      if (spec.head === 'criteria') {
        const data = await this.source.criterionData(spec.judge, spec.labels)
        task = { head: 'criteria', data, labels: spec.labels, options, saveAs }
      } else {
        const data = await this.embedded(job, attempt, host)
        if (data === null) {
          job.state = attempt.closing ? 'interrupted' : 'cancelled'
          job.message = 'stopped while embedding responses; the embeddings made so far are kept'
          return
        }
        // Training gets a process of its own: the judge model loaded for embedding is let go.
        await host.close()
        host = newHost()
        task = { head: 'reward', data, labels: spec.labels, options, saveAs }
      }
      if (attempt.cancelled) throw new Error('cancelled')
      job.state = 'running'
      job.phase = 'training'
      job.progress = { done: 0, total: 0 }
      this.changed(job, true)
      const head = await host.train(task, {
        // Every point is kept; the view hears at most every EMIT_MS (each event carries the whole curve).
        epoch: (point) => {
          job.curve.push(point)
          this.changed(job, job.curve.length === 1)
        },
        progress: (done, total) => {
          job.progress = { done, total }
          this.changed(job)
        },
      })
      if (head === null) {
        job.state = attempt.closing ? 'interrupted' : 'cancelled'
        job.message = `stopped after ${job.curve.length} epoch${job.curve.length === 1 ? '' : 's'}; nothing was saved`
        return
      }
      job.result = head
      job.device = head.device
      this.remember(
        job.id,
        `trained on ${head.device.used}: ${head.pairs.train} pairs, ${head.epochs} epochs (best ${head.bestEpoch}); saved ${head.model}`
      )
      job.state = 'done'
      job.message = null
    } catch (error) {
      if (attempt.closing) {
        job.state = 'interrupted'
        job.message = 'the workbench closed while this job ran; resume to train again'
      } else if (attempt.cancelled) {
        job.state = 'cancelled'
        job.message = 'cancelled before training began'
      } else if (error instanceof HostCrashError) {
        const last = attempt.host?.lastLines().at(-1)
        job.state = 'interrupted'
        job.message = `${error.message}${last === undefined ? '' : `: ${last}`}; resume to train again`
      } else {
        job.state = 'failed'
        job.message = error instanceof Error ? error.message : String(error)
      }
    } finally {
      job.phase = null
      await attempt.host?.close()
      this.attempts.delete(job.id)
      await this.book
        .save()
        .catch((error: unknown) => this.remember(job.id, `training jobs: ${(error as Error).message}`))
      this.changed(job, true)
    }
  }

  /** The reward head's pairs as embeddings, embedding what the cache lacks; null when stopped. */
  private async embedded(
    job: TrainingJob,
    attempt: Attempt,
    host: JudgeHost
  ): Promise<Extract<TrainingTask, { head: 'reward' }>['data'] | null> {
    const { spec } = job
    const model = await inspectModel(spec.model ?? smokeTestModelDir)
    const judge = judgeId(model, spec.dtype)
    // Which responses are embedded; the host reads the vectors themselves when it trains.
    const cacheDir = EmbeddingCache.folderFor(this.workspaceDir, judge)
    const cache = await EmbeddingCache.open(cacheDir, { vectors: false })
    for (const problem of cache.problems) this.remember(job.id, `embeddings: ${problem}`)
    const pairs = await this.source.labelledPairs(spec.labels)
    const wanted = [...new Set(pairs.flatMap((p) => [p.newerId, p.olderId]))].filter((id) => !cache.has(id))
    const unusable = new Set<string>()
    if (wanted.length > 0) {
      const loaded = await host.load(
        model.dir,
        spec.device,
        spec.dtype,
        join(this.workspaceDir, 'embeddings', 'models')
      )
      job.device = loaded.device
      for (const note of loaded.device.notes) this.remember(job.id, note)
      this.remember(
        job.id,
        `embedding ${wanted.length} responses with ${judge} on ${loaded.device.used} (${cache.size} already in the cache)`
      )
      job.state = 'running'
      job.phase = 'embedding'
      job.progress = { done: 0, total: wanted.length }
      this.changed(job, true)
      for (let at = 0; at < wanted.length; at += EMBED_CHUNK) {
        if (attempt.cancelled) return null
        const items: EmbedItem[] = []
        for (const id of wanted.slice(at, at + EMBED_CHUNK)) {
          const text = await this.source.embedText(id)
          if (text === null) unusable.add(id)
          else items.push({ key: id, ...text })
        }
        const got: { key: string; vector: Float32Array }[] = []
        let kind = 'hidden-mean'
        const outcome = await host.embed(items, null, (e) => {
          if (e.vector === null) return
          got.push({ key: e.key, vector: e.vector })
          kind = e.kind
        })
        await cache.add(got, kind)
        job.progress = { done: Math.min(wanted.length, at + EMBED_CHUNK), total: wanted.length }
        this.changed(job, job.progress.done === wanted.length)
        if (outcome.cancelled || attempt.cancelled) return null
      }
    }
    const usable = pairs.filter((p) => cache.has(p.newerId) && cache.has(p.olderId))
    if (unusable.size > 0)
      this.remember(
        job.id,
        `embeddings: ${unusable.size} failed or empty responses left out, with the ${pairs.length - usable.length} pairs they are in`
      )
    if (cache.kind === 'logprob-sketch')
      this.remember(
        job.id,
        `${judge} exports logits only: responses are embedded as sketches of its next-token distribution, a weak stand-in for hidden states`
      )
    return {
      source: judge,
      embedding: { kind: cache.kind ?? 'hidden-mean', dim: cache.dim ?? 0 },
      cacheDir,
      pairs: usable.map((p) => ({
        pairId: p.pairId,
        promptId: p.promptId,
        chosen: p.label > 0 ? p.newerId : p.olderId,
        rejected: p.label > 0 ? p.olderId : p.newerId,
      })),
    }
  }
}
