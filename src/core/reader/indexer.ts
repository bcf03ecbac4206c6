// Indexes a run's files: splits them into line-aligned byte ranges, scans the ranges in worker
// threads (one per core), and applies the results to the RunIndex strictly in file order, so ids
// and line numbers are the same however the work was divided. Small runs are scanned in this
// thread: starting workers would cost more than it saves.
import { stat } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import type { Worker } from 'node:worker_threads'
import { startWorker } from '../worker-thread'
import type { Phase } from '../../shared/domain'
import type { RunIndex } from '../run/run-index'
import type { WorkerReply, WorkerRequest } from './index-worker'
import { nextLineStart } from './line-reader'
import type { ProgressSink } from './progress'
import { RowError } from './row'
import { scanTask, type RowKind, type ScanTask, type TaskResult } from './scan-task'

export interface PlannedFile {
  file: number
  abs: string
  kind: RowKind
  phase?: Phase
  step?: number
}

/**
 * Applies one row's extract to the index; may throw RowError (an unknown id, say). `texts` is the
 * range's shared table that extracts refer to by position.
 */
export type Applier = (extract: unknown, line: number, task: ScanTask, texts: readonly string[]) => void
export type Appliers = Partial<Record<RowKind, Applier>>

/** Files are cut into ranges of about this size, so the cores share even a single huge file. */
const RANGE_BYTES = 32 << 20
/** Below this many bytes in all, scanning stays in this thread. */
const PARALLEL_MIN_BYTES = 24 << 20
const MAX_WORKERS = 4

export interface IndexerOptions {
  /** Force a number of worker threads (0: scan in this thread); tests use it to cover both paths. */
  workers?: number
  /** Range size; tests make it tiny to cut small files into many ranges. */
  rangeBytes?: number
}

/** What every reader passes on to runTasks. */
export interface ReadContext {
  progress: ProgressSink
  indexer: IndexerOptions
}

export async function runTasks(
  index: RunIndex,
  files: PlannedFile[],
  appliers: Appliers,
  { progress, indexer: options }: ReadContext
): Promise<void> {
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.abs)).size))
  const total = sizes.reduce((a, b) => a + b, 0)
  progress.plan(total)
  const tasks = files.flatMap((f, i) => splitFile(f, sizes[i] ?? 0, options.rangeBytes ?? RANGE_BYTES))
  const workers =
    options.workers ?? (total < PARALLEL_MIN_BYTES ? 0 : Math.min(MAX_WORKERS, availableParallelism()))

  const linesBefore = new Map<number, number>()
  const apply = (task: ScanTask, result: TaskResult): void => {
    const rel = index.files[task.file]?.rel ?? task.abs
    const base = linesBefore.get(task.file) ?? 0
    for (const issue of result.issues) index.issue(rel, base + issue.line, issue.message)
    const applier = appliers[task.kind]
    if (applier === undefined) throw new Error(`no applier for ${task.kind} rows`)
    result.extracts.forEach((extract, i) => {
      const line = base + (result.rowLines[i] ?? 0)
      try {
        applier(extract, line, task, result.texts)
      } catch (error) {
        if (!(error instanceof RowError)) throw error
        index.issue(rel, line, error.message)
      }
    })
    linesBefore.set(task.file, base + result.lines)
    index.bytes += task.end - task.start
    progress.advance(rel, task.end - task.start)
  }

  if (workers === 0 || tasks.length < 2) {
    for (const task of tasks) {
      apply(task, scanTask(task))
      await yieldToEventLoop()
    }
    return
  }
  await runInWorkers(tasks, Math.min(workers, tasks.length), apply)
}

function splitFile(f: PlannedFile, size: number, rangeBytes: number): ScanTask[] {
  const base = { file: f.file, abs: f.abs, kind: f.kind, phase: f.phase, step: f.step }
  if (size <= rangeBytes * 1.5) return [{ ...base, start: 0, end: size }]
  const tasks: ScanTask[] = []
  const parts = Math.ceil(size / rangeBytes)
  let start = 0
  for (let i = 1; i <= parts && start < size; i++) {
    const end = i === parts ? size : nextLineStart(f.abs, Math.floor((i * size) / parts), size)
    if (end > start) tasks.push({ ...base, start, end })
    start = end
  }
  return tasks
}

/** Scan tasks on a pool of workers; results are applied in task order as they become ready. */
async function runInWorkers(
  tasks: ScanTask[],
  count: number,
  apply: (task: ScanTask, result: TaskResult) => void
): Promise<void> {
  const results = new Map<number, TaskResult>()
  // Each worker holds a second task in its queue so it never waits for this thread between
  // ranges; the bounded look-ahead keeps memory flat when an early range is slow.
  const queuePerWorker = 2
  const maxAhead = count * (queuePerWorker + 1)
  let next = 0
  let applied = 0
  const pool = Array.from({ length: count }, () => startWorker(import.meta.url, './index-worker'))
  const queued = new Map<Worker, number>(pool.map((w) => [w, 0]))
  try {
    await new Promise<void>((resolve, reject) => {
      const dispatch = (): void => {
        for (const worker of pool) {
          while (
            (queued.get(worker) ?? 0) < queuePerWorker &&
            next < tasks.length &&
            next < applied + maxAhead
          ) {
            const seq = next++
            queued.set(worker, (queued.get(worker) ?? 0) + 1)
            worker.postMessage({ seq, task: tasks[seq] as ScanTask } satisfies WorkerRequest)
          }
        }
      }
      const drain = (): void => {
        while (results.has(applied)) {
          const result = results.get(applied) as TaskResult
          results.delete(applied)
          apply(tasks[applied] as ScanTask, result)
          applied++
        }
        if (applied === tasks.length) resolve()
      }
      for (const worker of pool) {
        worker.on('message', (reply: WorkerReply) => {
          if (!reply.ok) {
            reject(new Error(`indexing ${tasks[reply.seq]?.abs ?? 'a file'} failed: ${reply.message}`))
            return
          }
          queued.set(worker, (queued.get(worker) ?? 1) - 1)
          results.set(reply.seq, reply.result)
          dispatch()
          try {
            drain()
          } catch (error) {
            reject(error as Error)
            return
          }
          dispatch()
        })
        worker.on('error', (error) => reject(new Error(`an index worker crashed: ${error.message}`)))
        worker.on('exit', (code) => {
          if (code !== 0 && applied < tasks.length)
            reject(new Error(`an index worker exited with status ${code}`))
        })
      }
      dispatch()
    })
  } finally {
    // Idle workers stop on their own time; nobody needs to wait for them.
    for (const worker of pool) void worker.terminate()
  }
}
