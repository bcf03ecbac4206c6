// The workbench's side of the judge host process: typed requests, streamed results, and a clear
// error when the process dies mid-request (the job keeps what it received and can resume).
import type { ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { JudgeDevice, ModelDtype } from '../../shared/judge'
import { startProcess } from '../worker-process'
import type { CurvePoint, TrainedHead } from '../../shared/training'
import type {
  Embedded,
  EmbedItem,
  GenerateRequest,
  Generated,
  HostReply,
  HostRequest,
  LoadedJudge,
  TrainingTask,
} from './host-protocol'
import type { JudgeTemplate } from './judge-template'
import type { ItemResult, JudgeItem } from './protocols'

// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g

export class HostCrashError extends Error {
  constructor(detail: string) {
    super(`the judge process stopped unexpectedly (${detail})`)
    this.name = 'HostCrashError'
  }
}

interface Pending {
  onReply: (reply: HostReply) => void
  reject: (error: Error) => void
}

export interface RunOutcome {
  cancelled: boolean
  tokens: number
  passes: number
  seconds: number
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export class JudgeHost {
  private readonly child: ChildProcess
  private seq = 0
  private readonly pending = new Map<number, Pending>()
  private exited: string | null = null
  /** The last lines the process wrote, kept to explain a crash. */
  private readonly tail: string[] = []

  constructor(private readonly onLog: (line: string) => void = () => {}) {
    this.child = startProcess(import.meta.url, './judge-process')
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream === null) continue
      createInterface({ input: stream }).on('line', (line) => {
        // Native libraries write colour codes and probe messages here.
        const clean = line.replace(ANSI_COLOUR, '').trim()
        if (clean === '') return
        this.tail.push(clean)
        if (this.tail.length > 20) this.tail.shift()
        this.onLog(clean)
      })
    }
    this.child.on('message', (reply: HostReply) => {
      if (reply.type === 'log') return this.onLog(reply.message)
      this.pending.get(reply.seq)?.onReply(reply)
    })
    this.child.on('exit', (code, signal) => {
      this.exited = signal !== null ? `signal ${signal}` : `exit code ${code ?? '?'}`
      const error = new HostCrashError(this.exited)
      for (const p of this.pending.values()) p.reject(error)
      this.pending.clear()
    })
    this.child.on('error', (error) => this.onLog(`judge process: ${error.message}`))
  }

  get pid(): number | undefined {
    return this.child.pid
  }

  private request(
    message: DistributiveOmit<HostRequest, 'seq'>,
    onReply: (reply: HostReply, settle: Settle) => void
  ): Promise<unknown> {
    if (this.exited !== null) return Promise.reject(new HostCrashError(this.exited))
    const seq = ++this.seq
    return new Promise((resolve, reject) => {
      const settle: Settle = {
        resolve: (value) => {
          this.pending.delete(seq)
          resolve(value)
        },
        reject: (error) => {
          this.pending.delete(seq)
          reject(error)
        },
      }
      this.pending.set(seq, { onReply: (reply) => onReply(reply, settle), reject: settle.reject })
      this.child.send({ ...message, seq } as HostRequest)
    })
  }

  load(model: string, device: JudgeDevice, dtype: ModelDtype, hiddenStatesIn?: string): Promise<LoadedJudge> {
    const request = {
      type: 'load' as const,
      model,
      device,
      dtype,
      ...(hiddenStatesIn !== undefined && { hiddenStatesIn }),
    }
    return this.request(request, (reply, settle) => {
      if (reply.type === 'loaded') settle.resolve(reply.loaded)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<LoadedJudge>
  }

  run(
    template: JudgeTemplate,
    items: JudgeItem[],
    options: { batch: number | null; prefixReuse: boolean; seed: number },
    onResult: (result: ItemResult) => void
  ): Promise<RunOutcome> {
    return this.request({ type: 'run', template, items, ...options }, (reply, settle) => {
      if (reply.type === 'result') onResult(reply.result)
      else if (reply.type === 'done') settle.resolve(reply)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<RunOutcome>
  }

  /** Free text per request, streamed as each is written (rubric generation). */
  generate(requests: GenerateRequest[], onGenerated: (g: Generated) => void): Promise<RunOutcome> {
    return this.request({ type: 'generate', requests }, (reply, settle) => {
      if (reply.type === 'generated') onGenerated(reply.generated)
      else if (reply.type === 'done') settle.resolve(reply)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<RunOutcome>
  }

  /** An embedding per item, streamed as each batch is done. */
  embed(items: EmbedItem[], batch: number | null, onEmbedded: (e: Embedded) => void): Promise<RunOutcome> {
    return this.request({ type: 'embed', items, batch }, (reply, settle) => {
      if (reply.type === 'embedded') onEmbedded(reply.embedded)
      else if (reply.type === 'done') settle.resolve(reply)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<RunOutcome>
  }

  /** Trains a head in the host; each epoch's point as it ends, steps as they go. Null: cancelled. */
  train(
    task: TrainingTask,
    on: { epoch: (point: CurvePoint) => void; progress: (done: number, total: number) => void }
  ): Promise<TrainedHead | null> {
    return this.request({ type: 'train', task }, (reply, settle) => {
      if (reply.type === 'epoch') on.epoch(reply.point)
      else if (reply.type === 'progress') on.progress(reply.done, reply.total)
      else if (reply.type === 'trained') settle.resolve(reply.head)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<TrainedHead | null>
  }

  /** A saved head's value for each row. */
  score(model: string, input: string, output: string, rows: Float32Array[]): Promise<number[]> {
    return this.request({ type: 'score', model, input, output, rows }, (reply, settle) => {
      if (reply.type === 'scored') settle.resolve(reply.values)
      else if (reply.type === 'error') settle.reject(new Error(reply.message))
    }) as Promise<number[]>
  }

  cancel(): void {
    if (this.exited === null) this.child.send({ seq: 0, type: 'cancel' } satisfies HostRequest)
  }

  /** What the process last wrote, for crash reports. */
  lastLines(): string[] {
    return [...this.tail]
  }

  async close(): Promise<void> {
    if (this.exited !== null) return
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.disconnect()
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000)
    await gone
    clearTimeout(timer)
  }

  /** Ends the process at once (used when a job is abandoned). */
  kill(): void {
    if (this.exited === null) this.child.kill('SIGKILL')
  }
}

interface Settle {
  resolve: (value: unknown) => void
  reject: (error: Error) => void
}
