// The analyses of the open run, built on first use in a worker thread and kept current: saved or
// removed labels and newly written local verdicts go to the engine as they happen (each update is
// idempotent, so one that races the first build is applied again harmlessly); new generated
// rubrics, whose criteria the engine has not read, make it start over on the next question. The
// run's texts are read here (the index lives on this thread); the engine and every figure are
// computed in the worker.
import type { Worker } from 'node:worker_threads'
import type {
  AnalysisJudge,
  AnalysisRows,
  AnalysisRowsQuery,
  AnalysisSummary,
  RubricAnalysis,
} from '../../shared/analysis'
import type { Annotation } from '../../shared/annotation'
import type { LocalVerdict } from '../../shared/judge'
import { startWorker } from '../worker-thread'
import { analysisInput, type AnalysisSources } from './analysis-data'
import { packInput, verdictInput } from './analysis-input'
import type {
  CriterionTrainingData,
  CurationFigures,
  HumanPairMargins,
  RubricCriterionFeatures,
} from './analysis-engine'
import type { AnalysisMessage, AnalysisReply } from './analysis-worker'

type Question =
  | { kind: 'summary' }
  | { kind: 'rows'; query: AnalysisRowsQuery }
  | { kind: 'rubric'; rubricId: string }
  | { kind: 'curation' }
  | { kind: 'criterionPairs'; judge: string | null; labels: 'temporal' | 'human' }
  | { kind: 'humanPairMargins' }
  | { kind: 'judges' }
  | { kind: 'criterionFeatures'; rubricIds: string[] }

/** One worker and the questions waiting on it; when it stops, they fail with the reason. */
class EngineWorker {
  private readonly worker: Worker
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private seq = 0
  stopped: Error | null = null

  constructor() {
    this.worker = startWorker(import.meta.url, './analysis-worker')
    this.worker.on('message', (reply: AnalysisReply) => {
      const waiter = this.waiting.get(reply.seq)
      this.waiting.delete(reply.seq)
      if (reply.ok) waiter?.resolve(reply.value)
      else waiter?.reject(new Error(reply.message))
    })
    this.worker.on('error', (error) => this.fail(error))
    this.worker.on('exit', (code) => this.fail(new Error(`the analysis worker stopped (exit code ${code})`)))
  }

  private fail(error: Error): void {
    this.stopped ??= error
    for (const w of this.waiting.values()) w.reject(error)
    this.waiting.clear()
  }

  ask(message: AnalysisMessage): Promise<unknown> {
    if (this.stopped !== null) return Promise.reject(this.stopped)
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      this.waiting.set(seq, { resolve, reject })
      this.worker.postMessage({ ...message, seq })
    })
  }

  tell(message: AnalysisMessage): void {
    if (this.stopped === null) this.worker.postMessage(message)
  }

  async terminate(): Promise<void> {
    this.fail(new Error('the analyses were closed'))
    await this.worker.terminate()
  }
}

export class AnalysisService {
  private worker: Promise<EngineWorker> | null = null
  private builtFor = -1

  /** `sources` reads the run and workspace as they are now; `generation` tells when they changed beyond labels and verdicts. */
  constructor(
    private readonly sources: () => Promise<AnalysisSources>,
    private readonly generation: () => number = () => 0
  ) {}

  private async get(): Promise<EngineWorker> {
    for (;;) {
      const pending = this.worker
      const generation = this.generation()
      if (pending !== null && generation === this.builtFor) {
        const worker = await pending.catch(() => null)
        if (this.worker !== pending) continue // replaced while we waited
        if (worker !== null && worker.stopped === null) return worker
      }
      // First use, new generated rubrics, or the last build failed or its worker stopped.
      this.builtFor = generation
      this.worker = this.build()
      void pending?.then((w) => w.terminate()).catch(() => {})
      return this.worker
    }
  }

  private async build(): Promise<EngineWorker> {
    const started = performance.now()
    const input = await analysisInput(await this.sources())
    const worker = new EngineWorker()
    try {
      await worker.ask({
        kind: 'build',
        seq: 0,
        input: packInput(input),
        inputMs: Math.round(performance.now() - started),
        sentAt: performance.timeOrigin + performance.now(),
      })
    } catch (error) {
      // A worker whose engine could not be built holds nothing worth keeping.
      await worker.terminate()
      throw error
    }
    return worker
  }

  private async question<T>(q: Question): Promise<T> {
    const worker = await this.get()
    return (await worker.ask({ ...q, seq: 0 })) as T
  }

  labelsChanged(pairId: string, labels: readonly Annotation[]): void {
    const message: AnalysisMessage = {
      kind: 'labels',
      pairId,
      labels: labels.map((l) => ({ annotator: l.annotator, label: l.label })),
    }
    void this.worker?.then((w) => w.tell(message)).catch(() => {})
  }

  verdictsAdded(verdicts: readonly LocalVerdict[]): void {
    const message: AnalysisMessage = { kind: 'verdicts', verdicts: verdicts.map(verdictInput) }
    void this.worker?.then((w) => w.tell(message)).catch(() => {})
  }

  /** The judge settings the analyses know, without computing any figure. */
  judges(): Promise<AnalysisJudge[]> {
    return this.question({ kind: 'judges' })
  }

  summary(): Promise<AnalysisSummary> {
    return this.question({ kind: 'summary' })
  }

  rows(query: AnalysisRowsQuery): Promise<AnalysisRows> {
    return this.question({ kind: 'rows', query })
  }

  rubric(rubricId: string): Promise<RubricAnalysis> {
    return this.question({ kind: 'rubric', rubricId })
  }

  curation(): Promise<CurationFigures> {
    return this.question({ kind: 'curation' })
  }

  criterionPairs(judge: string | null, labels: 'temporal' | 'human'): Promise<CriterionTrainingData> {
    return this.question({ kind: 'criterionPairs', judge, labels })
  }

  humanPairMargins(): Promise<HumanPairMargins> {
    return this.question({ kind: 'humanPairMargins' })
  }

  criterionFeatures(rubricIds: string[]): Promise<Record<string, RubricCriterionFeatures[]>> {
    return this.question({ kind: 'criterionFeatures', rubricIds })
  }

  /** Stops the worker (the run closed). */
  async close(): Promise<void> {
    const current = this.worker
    this.worker = null
    await (await current?.catch(() => null))?.terminate()
  }
}
